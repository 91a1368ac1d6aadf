import type { Admission, MovingAverage } from './admission';
import type { ServeMetrics } from './metrics';
import type { ModelInfo } from './models';
import type { ServeOptions } from './options';
import type { SynthesisPool } from './pool';

/** What the routes share: options, models, the pool and its admission, metrics, and the drain flag. */
export interface ServeContext {
  options: ServeOptions;
  models: ModelInfo[];
  pool: SynthesisPool;
  admission: Admission;
  /** Mean time of a synthesis in a worker (ms), for Retry-After. */
  taskMs: MovingAverage;
  metrics: ServeMetrics;
  /** Set on SIGTERM/SIGINT: /readyz answers 503 from then on. */
  draining: boolean;
}

/** Retry-After (seconds) for the current queue. */
export type RetryAfter = () => number;
