import { ConfigError } from '@clade/core';
import { PermanentShardError } from './errors';
import { checkJobId, checkShardCount, newJobId } from './job-id';
import { DEFAULT_ATTEMPTS } from './redis-queue';
import { completedResults, errorMessage, summarize } from './summary';
import type { JobSpec, JobStatus, RetryOptions, ShardEvent, ShardProcessor, ShardQueue, ShardStatus, ShardTask, WaitResult } from './types';

export interface InProcessOptions {
  /** Attempts per shard (default 3); retries follow at once (no backoff: nothing else is waiting for this process). */
  readonly retry?: Pick<RetryOptions, 'attempts'>;
  readonly onEvent?: (event: ShardEvent) => void;
}

interface Entry {
  readonly spec: Required<Pick<JobSpec, 'kind' | 'argv' | 'shards' | 'extras'>>;
  readonly shards: ShardStatus[];
}

/**
 * The queue without Redis: `submit` runs every shard here, one after another, with the same retries, states and
 * results as `RedisShardQueue` + workers. For one machine, or to try a job before scaling it out.
 */
export class InProcessQueue implements ShardQueue {
  private readonly jobs = new Map<string, Entry>();
  private readonly attempts: number;

  constructor(
    private readonly processor: ShardProcessor,
    private readonly options: InProcessOptions = {},
  ) {
    this.attempts = options.retry?.attempts ?? DEFAULT_ATTEMPTS;
    if (!Number.isInteger(this.attempts) || this.attempts < 1) throw new ConfigError(`attempts must be a positive integer, got '${this.attempts}'.`);
  }

  async submit(spec: JobSpec): Promise<string> {
    const jobId = spec.jobId === undefined ? newJobId() : checkJobId(spec.jobId);
    const count = checkShardCount(spec.shards);
    if (this.jobs.has(jobId)) throw new ConfigError(`job id '${jobId}' already exists in this process; choose another --job-id.`);
    const entry: Entry = {
      spec: { kind: spec.kind, argv: [...spec.argv], shards: count, extras: { ...spec.extras } },
      shards: Array.from({ length: count }, (_, index) => ({ index, state: 'waiting', failures: 0, attemptsStarted: 0, stalled: 0 })),
    };
    this.jobs.set(jobId, entry);
    for (let index = 0; index < count; index++) entry.shards[index] = await this.runShard(jobId, entry, index);
    return jobId;
  }

  private async runShard(jobId: string, entry: Entry, index: number): Promise<ShardStatus> {
    const emit = this.options.onEvent ?? (() => {});
    let failedReason: string | undefined;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      const task: ShardTask = { jobId, ...entry.spec, shard: { index, count: entry.spec.shards }, attempt };
      entry.shards[index] = { index, state: 'active', failures: attempt - 1, attemptsStarted: attempt, stalled: 0 };
      emit({ type: 'started', task });
      try {
        const result: unknown = await this.processor(task);
        // Through JSON, as Redis stores it: the two paths give equal results.
        const stored: unknown = result === undefined ? null : JSON.parse(JSON.stringify(result));
        emit({ type: 'completed', task, result: stored });
        const failed = failedReason ? { failedReason } : {};
        return { index, state: 'completed', failures: attempt - 1, attemptsStarted: attempt, stalled: 0, ...failed, result: stored };
      } catch (e) {
        failedReason = errorMessage(e);
        const final = PermanentShardError.isInstance(e) || attempt === this.attempts;
        emit({ type: 'failed', task, reason: failedReason, final });
        if (final) return { index, state: 'failed', failures: attempt, attemptsStarted: attempt, stalled: 0, failedReason };
      }
    }
    throw new Error('unreachable: the last attempt returns');
  }

  async status(jobId: string): Promise<JobStatus> {
    const entry = this.jobs.get(jobId);
    if (!entry) throw new ConfigError(`job '${jobId}' was not submitted in this process.`);
    return summarize(jobId, entry.spec, [...entry.shards]);
  }

  /** Shards ran inside `submit`: the job is already finished. */
  async wait(jobId: string): Promise<WaitResult> {
    return { status: await this.status(jobId), timedOut: false };
  }

  async results(jobId: string): Promise<unknown[]> {
    return completedResults(jobId, await this.status(jobId));
  }

  async remove(jobId: string): Promise<void> {
    this.jobs.delete(jobId);
  }

  async close(): Promise<void> {}
}
