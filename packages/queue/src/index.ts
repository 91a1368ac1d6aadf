export type {
  JobSpec,
  JobState,
  JobStatus,
  RetryOptions,
  ShardEvent,
  ShardProcessor,
  ShardQueue,
  ShardState,
  ShardStatus,
  ShardTask,
  WaitOptions,
  WaitResult,
} from './types';
export { PermanentShardError } from './errors';
export { DEFAULT_QUEUE, redisConnection, redactUrl } from './connection';
export { checkJobId, checkShardCount, newJobId, shardJobId } from './job-id';
export { jobState } from './summary';
export { RedisShardQueue, DEFAULT_ATTEMPTS, DEFAULT_BACKOFF_MS, type RedisQueueOptions, type ShardJobData } from './redis-queue';
export { startWorker, type ShardWorker, type WorkerOptions } from './worker';
export { InProcessQueue, type InProcessOptions } from './in-process';
