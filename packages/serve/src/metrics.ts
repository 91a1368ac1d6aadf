import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Live numbers the gauges read when Prometheus scrapes. */
export interface PoolGauges {
  /** Requests waiting for a worker. */
  queueDepth(): number;
  /** Requests admitted (running + waiting). */
  inFlight(): number;
  /** piscina's pool utilisation: run time over (uptime × workers), 0..1. */
  utilization(): number;
  /** Workers with every model loaded. */
  readyWorkers(): number;
}

/** The server's metrics on their own registry (not prom-client's global one, so that servers in one process do not collide). */
export interface ServeMetrics {
  registry: Registry;
  requests: Counter<'route' | 'method' | 'status'>;
  latency: Histogram<'route'>;
  synthesis: Histogram<'model'>;
}

export const METRIC_PREFIX = 'clade_serve_';
/** Seconds: synthesis on CPU takes 0.1–10 s, health checks microseconds. */
const BUCKETS = [0.001, 0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export function createMetrics(gauges: PoolGauges): ServeMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({ name: METRIC_PREFIX + name, help, registers: [registry], collect() { this.set(read()); } });
  gauge('queue_depth', 'Synthesis requests waiting for a worker.', gauges.queueDepth);
  gauge('in_flight', 'Synthesis requests admitted (running or waiting).', gauges.inFlight);
  gauge('worker_utilization', 'Share of worker time spent on tasks since start (piscina), 0..1.', gauges.utilization);
  gauge('workers_ready', 'Worker threads with every model loaded.', gauges.readyWorkers);
  const registers = [registry];
  return {
    registry,
    requests: new Counter({
      name: `${METRIC_PREFIX}http_requests_total`,
      help: 'HTTP requests by route, method and status.',
      labelNames: ['route', 'method', 'status'],
      registers,
    }),
    latency: new Histogram({
      name: `${METRIC_PREFIX}http_request_duration_seconds`,
      help: 'HTTP request latency by route.',
      labelNames: ['route'],
      buckets: BUCKETS,
      registers,
    }),
    synthesis: new Histogram({
      name: `${METRIC_PREFIX}synthesis_seconds`,
      help: 'Time in a worker per synthesized image, by model.',
      labelNames: ['model'],
      buckets: BUCKETS,
      registers,
    }),
  };
}
