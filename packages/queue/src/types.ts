import type { Shard } from '@clade/data';

/** What a caller submits: a command (opaque to the queue) split into `shards` parts. */
export interface JobSpec {
  /** Names the command family (e.g. 'synthesize'); the processor decides what it means. */
  readonly kind: string;
  /** The command line, without the shard: the processor adds it. */
  readonly argv: readonly string[];
  /** Number of shards, 1..10000. */
  readonly shards: number;
  /** A job id ([A-Za-z0-9_-], not all digits, ≤ 64 characters); default: a fresh one. */
  readonly jobId?: string;
  /** Per-kind settings the processor reads (e.g. a statistics folder); strings only, stored with every shard. */
  readonly extras?: Readonly<Record<string, string>>;
}

/** One shard as the processor receives it. */
export interface ShardTask {
  readonly jobId: string;
  readonly kind: string;
  readonly argv: readonly string[];
  readonly shard: Shard;
  readonly extras: Readonly<Record<string, string>>;
  /** 1 on the first run, 2 after a failure or a lost worker, … */
  readonly attempt: number;
}

/** Runs one shard; resolves to a JSON-serialisable result (kept for merge), rejects to fail the attempt. */
export type ShardProcessor = (task: ShardTask) => Promise<unknown>;

/** BullMQ's job states, plus 'missing' for a shard whose record is gone. */
export type ShardState = 'waiting' | 'active' | 'delayed' | 'completed' | 'failed' | 'prioritized' | 'waiting-children' | 'unknown' | 'missing';

export interface ShardStatus {
  readonly index: number;
  readonly state: ShardState;
  /** Attempts that failed so far (a lost worker is not one: see `stalled`). */
  readonly failures: number;
  /** Runs started, lost workers included. */
  readonly attemptsStarted: number;
  /** Times a worker lost this shard (its lock lapsed) and it went back to the queue. */
  readonly stalled: number;
  readonly failedReason?: string;
  /** The processor's result once completed. */
  readonly result?: unknown;
}

/** The job's overall state: failed as soon as one shard failed for good; completed when all are. */
export type JobState = 'completed' | 'failed' | 'active' | 'waiting';

export interface JobStatus {
  readonly jobId: string;
  readonly kind: string;
  readonly argv: readonly string[];
  readonly shards: number;
  readonly extras: Readonly<Record<string, string>>;
  readonly state: JobState;
  readonly counts: Readonly<Partial<Record<ShardState, number>>>;
  readonly shardStatus: readonly ShardStatus[];
}

export interface WaitOptions {
  /** Give up after this long (default: 1 hour). */
  readonly timeoutMs?: number;
  /** How often to look (default 500 ms). */
  readonly pollMs?: number;
}

export interface WaitResult {
  readonly status: JobStatus;
  /** True when the timeout passed first (the job goes on; wait again later). */
  readonly timedOut: boolean;
}

/** Submit, follow and collect sharded jobs: on Redis (`RedisShardQueue`) or in this process (`InProcessQueue`). */
export interface ShardQueue {
  /** Queues (or, in process, runs) every shard; returns the job id. */
  submit(spec: JobSpec): Promise<string>;
  status(jobId: string): Promise<JobStatus>;
  /** Until every shard has settled (completed, failed for good, or gone), or the timeout. */
  wait(jobId: string, options?: WaitOptions): Promise<WaitResult>;
  /** Completed shards' results in shard order; refuses while a shard is not completed. */
  results(jobId: string): Promise<unknown[]>;
  /** Deletes the job's shards and their results. */
  remove(jobId: string): Promise<void>;
  close(): Promise<void>;
}

/** What a worker or runner reports as it goes (for logs). */
export type ShardEvent =
  | { readonly type: 'started'; readonly task: ShardTask }
  | { readonly type: 'completed'; readonly task: ShardTask; readonly result: unknown }
  | { readonly type: 'failed'; readonly task: ShardTask; readonly reason: string; readonly final: boolean }
  | { readonly type: 'error'; readonly message: string };

/** Retry policy of a failing shard (a lost worker is handled by the stalled check instead). */
export interface RetryOptions {
  /** Runs per shard before it fails for good (default 3). */
  readonly attempts?: number;
  /** First retry delay, doubled each time (default 2000 ms; Redis only). */
  readonly backoffMs?: number;
}
