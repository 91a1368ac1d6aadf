import { ConfigError } from '@clade/core';
import { Queue, type Job } from 'bullmq';
import { DEFAULT_QUEUE, reachRedis, redactUrl, redisConnection } from './connection';
import { checkJobId, checkShardCount, newJobId, shardJobId } from './job-id';
import { completedResults, summarize } from './summary';
import type { JobSpec, JobStatus, RetryOptions, ShardQueue, ShardState, ShardStatus, WaitOptions, WaitResult } from './types';

/** What every shard's BullMQ job carries: the whole spec (any shard describes the job) and its index. */
export interface ShardJobData {
  readonly jobId: string;
  readonly kind: string;
  readonly argv: readonly string[];
  readonly shards: number;
  readonly extras: Readonly<Record<string, string>>;
  readonly index: number;
}

export interface RedisQueueOptions {
  /** redis://host:port[/db] */
  readonly url: string;
  /** BullMQ queue name (default 'clade-shards'). */
  readonly queueName?: string;
  readonly retry?: RetryOptions;
  /** How long to wait for the server before giving up (default 5000 ms). */
  readonly connectTimeoutMs?: number;
}

export const DEFAULT_ATTEMPTS = 3;
export const DEFAULT_BACKOFF_MS = 2000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function shardStatus(index: number, job: Job<ShardJobData> | undefined, state: string): ShardStatus {
  if (!job || state === 'unknown') {
    return { index, state: 'missing', failures: 0, attemptsStarted: 0, stalled: 0, failedReason: 'the shard\'s record is gone from Redis' };
  }
  return {
    index,
    state: state as ShardState,
    // BullMQ counts the successful attempt too.
    failures: Math.max((job.attemptsMade ?? 0) - (state === 'completed' ? 1 : 0), 0),
    attemptsStarted: job.attemptsStarted ?? 0,
    stalled: job.stalledCounter ?? 0,
    ...(job.failedReason ? { failedReason: job.failedReason } : {}),
    ...(state === 'completed' ? { result: job.returnvalue } : {}),
  };
}

/** Sharded jobs on a BullMQ queue: shard i of job J is the BullMQ job `J.i`, kept after it completes (for merge). */
export class RedisShardQueue implements ShardQueue {
  private constructor(
    private readonly queue: Queue<ShardJobData>,
    private readonly url: string,
    private readonly retry: Required<RetryOptions>,
  ) {}

  /** Connects (IOError when the server does not answer in time). */
  static async open(options: RedisQueueOptions): Promise<RedisShardQueue> {
    await reachRedis(options.url, options.connectTimeoutMs);
    const queue = new Queue<ShardJobData>(options.queueName ?? DEFAULT_QUEUE, { connection: redisConnection(options.url) });
    queue.on('error', () => {}); // connection errors surface through the calls below
    await queue.waitUntilReady();
    const retry = { attempts: options.retry?.attempts ?? DEFAULT_ATTEMPTS, backoffMs: options.retry?.backoffMs ?? DEFAULT_BACKOFF_MS };
    if (!Number.isInteger(retry.attempts) || retry.attempts < 1) throw new ConfigError(`attempts must be a positive integer, got '${retry.attempts}'.`);
    return new RedisShardQueue(queue, options.url, retry);
  }

  async submit(spec: JobSpec): Promise<string> {
    const jobId = spec.jobId === undefined ? newJobId() : checkJobId(spec.jobId);
    const shards = checkShardCount(spec.shards);
    if (await this.queue.getJob(shardJobId(jobId, 0)))
      throw new ConfigError(`job id '${jobId}' already exists in queue '${this.queue.name}' at ${redactUrl(this.url)}; choose another --job-id.`);
    const data = { jobId, kind: spec.kind, argv: [...spec.argv], shards, extras: { ...spec.extras } };
    // One MULTI: either every shard is queued or none is.
    await this.queue.addBulk(
      Array.from({ length: shards }, (_, index) => ({
        name: spec.kind,
        data: { ...data, index },
        opts: {
          jobId: shardJobId(jobId, index),
          attempts: this.retry.attempts,
          backoff: { type: 'exponential', delay: this.retry.backoffMs },
          // Results stay until `remove`: merge reads them, perhaps long after.
          removeOnComplete: false,
          removeOnFail: false,
        },
      })),
    );
    return jobId;
  }

  private async firstShard(jobId: string): Promise<Job<ShardJobData>> {
    checkJobId(jobId);
    const first = await this.queue.getJob(shardJobId(jobId, 0));
    if (!first) throw new ConfigError(`job '${jobId}' is not in queue '${this.queue.name}' at ${redactUrl(this.url)}.`);
    return first;
  }

  async status(jobId: string): Promise<JobStatus> {
    const first = await this.firstShard(jobId);
    const ids = Array.from({ length: first.data.shards }, (_, i) => shardJobId(jobId, i));
    // States first, records second: a shard seen completed has its result in the record read after.
    const states = await Promise.all(ids.map((id) => this.queue.getJobState(id)));
    const jobs = await Promise.all(ids.map((id) => this.queue.getJob(id)));
    return summarize(jobId, first.data, jobs.map((j, i) => shardStatus(i, j, states[i]!)));
  }

  async wait(jobId: string, options: WaitOptions = {}): Promise<WaitResult> {
    const deadline = Date.now() + (options.timeoutMs ?? 3_600_000);
    for (;;) {
      const status = await this.status(jobId);
      // Settled: every shard completed or failed for good, so the status is final (as the in-process runner's,
      // which runs every shard even after one failed).
      if (status.shardStatus.every((x) => x.state === 'completed' || x.state === 'failed' || x.state === 'missing')) return { status, timedOut: false };
      if (Date.now() >= deadline) return { status, timedOut: true };
      await sleep(Math.min(options.pollMs ?? 500, Math.max(deadline - Date.now(), 1)));
    }
  }

  async results(jobId: string): Promise<unknown[]> {
    return completedResults(jobId, await this.status(jobId));
  }

  async remove(jobId: string): Promise<void> {
    const first = await this.firstShard(jobId);
    await Promise.all(Array.from({ length: first.data.shards }, (_, i) => this.queue.remove(shardJobId(jobId, i))));
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
