import { hostname } from 'node:os';
import { ConfigError } from '@clade/core';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { DEFAULT_QUEUE, reachRedis, redisConnection } from './connection';
import { PermanentShardError } from './errors';
import type { ShardJobData } from './redis-queue';
import { errorMessage } from './summary';
import type { ShardEvent, ShardProcessor, ShardTask } from './types';

export interface WorkerOptions {
  /** redis://host:port[/db] */
  readonly url: string;
  readonly processor: ShardProcessor;
  /** BullMQ queue name (default 'clade-shards'). */
  readonly queueName?: string;
  /** Shards run at once in this process (default 1). */
  readonly concurrency?: number;
  /**
   * How long a shard's lock lasts without renewal (default 30000 ms). A killed worker's shard is retried about
   * `lockMs + stalledMs` later; the lock is renewed every lockMs/2 from the event loop, so it must outlast the
   * longest synchronous stretch of the processor, or a live worker loses its shard to another.
   */
  readonly lockMs?: number;
  /** How often this worker looks for shards whose lock lapsed (default 15000 ms). */
  readonly stalledMs?: number;
  /** Lost-worker retries before a shard fails for good (≥ 1, default 2). */
  readonly maxStalledCount?: number;
  /** Recorded on each shard as the worker that ran it (default host:pid). */
  readonly name?: string;
  readonly onEvent?: (event: ShardEvent) => void;
  /** SIGTERM/SIGINT: finish the running shards, then resolve `closed`; a second signal stops without waiting (default false). */
  readonly handleSignals?: boolean;
  readonly connectTimeoutMs?: number;
}

export interface ShardWorker {
  /** Resolves once the worker has stopped (after `close` or a signal). */
  readonly closed: Promise<void>;
  /** Stops taking shards; waits for the running ones unless `force` (their locks lapse and others retry them). */
  close(force?: boolean): Promise<void>;
}

function positive(v: number, what: string, min = 1): number {
  if (!Number.isInteger(v) || v < min) throw new ConfigError(`${what} must be an integer ≥ ${min}, got '${v}'.`);
  return v;
}

export function toTask(job: Job<ShardJobData>): ShardTask {
  const d = job.data;
  return { jobId: d.jobId, kind: d.kind, argv: d.argv, shard: { index: d.index, count: d.shards }, extras: d.extras ?? {}, attempt: job.attemptsStarted || 1 };
}

/** Takes shards from the queue and runs `processor` on each until closed. */
export async function startWorker(options: WorkerOptions): Promise<ShardWorker> {
  const lockMs = positive(options.lockMs ?? 30_000, 'lock duration (ms)', 1000);
  const stalledMs = positive(options.stalledMs ?? 15_000, 'stalled-check interval (ms)', 100);
  const maxStalledCount = positive(options.maxStalledCount ?? 2, 'max stalled count');
  const concurrency = positive(options.concurrency ?? 1, 'concurrency');
  const emit = options.onEvent ?? (() => {});
  await reachRedis(options.url, options.connectTimeoutMs);
  const worker = new Worker<ShardJobData>(
    options.queueName ?? DEFAULT_QUEUE,
    async (job) => {
      const task = toTask(job);
      emit({ type: 'started', task });
      try {
        return await options.processor(task);
      } catch (e) {
        // BullMQ skips the remaining attempts for an UnrecoverableError.
        if (PermanentShardError.isInstance(e)) throw new UnrecoverableError(e.message);
        throw e;
      }
    },
    {
      connection: redisConnection(options.url),
      concurrency,
      lockDuration: lockMs,
      stalledInterval: stalledMs,
      maxStalledCount,
      name: options.name ?? `${hostname()}:${process.pid}`,
      autorun: true,
    },
  );
  worker.on('completed', (job, result) => emit({ type: 'completed', task: toTask(job), result }));
  worker.on('failed', (job, err) => {
    if (!job) return emit({ type: 'error', message: errorMessage(err) });
    const final = err instanceof UnrecoverableError || err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    emit({ type: 'failed', task: toTask(job), reason: errorMessage(err), final });
  });
  worker.on('error', (err) => emit({ type: 'error', message: errorMessage(err) }));
  await worker.waitUntilReady();

  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  let closing: Promise<void> | null = null;
  const onSignal = () => void close(closing !== null);
  const close = (force = false): Promise<void> => {
    if (closing && !force) return closing;
    closing = worker.close(force).then(() => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolveClosed();
    });
    return closing;
  };
  if (options.handleSignals) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
  return { closed, close };
}
