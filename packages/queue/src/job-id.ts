import { randomBytes } from 'node:crypto';
import { ConfigError } from '@clade/core';

const JOB_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Checks a job id. It names Redis keys and statistics files, so: letters, digits, '_' and '-' only; BullMQ refuses
 * ':' in ids and all-digit ids; no '.', which joins the job id and the shard index.
 */
export function checkJobId(id: string, what = 'job id'): string {
  if (!JOB_ID.test(id) || /^\d+$/.test(id))
    throw new ConfigError(`${what}: '${id}' is not a job id; use 1 to 64 letters, digits, '_' or '-', not only digits (e.g. ade20k-fid-1).`);
  return id;
}

/** A fresh job id: the UTC time to the second (sorts by submission) and 6 random hex digits. */
export function newJobId(now = new Date()): string {
  const t = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').replace('T', '-');
  return `job-${t}-${randomBytes(3).toString('hex')}`;
}

/** The BullMQ job id of shard `index`: deterministic, so a resubmission finds the same shards. */
export function shardJobId(jobId: string, index: number): string {
  return `${jobId}.${index}`;
}

/** Checks a shard count: 1..10000, as `--shard i/n` accepts. */
export function checkShardCount(n: number, what = 'shards'): number {
  if (!Number.isInteger(n) || n < 1 || n > 10000) throw new ConfigError(`${what} must be an integer from 1 to 10000, got '${n}'.`);
  return n;
}
