import { ConfigError } from '@clade/core';
import type { JobSpec, JobState, JobStatus, ShardState, ShardStatus } from './types';

/** The job's state from its shards': failed wins (nothing more can make it complete), then completed, then active. */
export function jobState(shards: readonly ShardStatus[]): JobState {
  if (shards.some((s) => s.state === 'failed' || s.state === 'missing')) return 'failed';
  if (shards.every((s) => s.state === 'completed')) return 'completed';
  if (shards.some((s) => s.state === 'active' || s.state === 'completed' || s.attemptsStarted > 0)) return 'active';
  return 'waiting';
}

export function countStates(shards: readonly ShardStatus[]): Partial<Record<ShardState, number>> {
  const counts: Partial<Record<ShardState, number>> = {};
  for (const s of shards) counts[s.state] = (counts[s.state] ?? 0) + 1;
  return counts;
}

export function summarize(jobId: string, spec: Pick<JobSpec, 'kind' | 'argv' | 'shards' | 'extras'>, shards: readonly ShardStatus[]): JobStatus {
  return {
    jobId,
    kind: spec.kind,
    argv: spec.argv,
    shards: spec.shards,
    extras: spec.extras ?? {},
    state: jobState(shards),
    counts: countStates(shards),
    shardStatus: shards,
  };
}

/** Shards that stop `results()`: names them with their states. */
export function unfinished(status: JobStatus): string | null {
  const bad = status.shardStatus.filter((s) => s.state !== 'completed');
  if (bad.length === 0) return null;
  const shown = bad.slice(0, 8).map((s) => `${s.index} (${s.state}${s.failedReason ? `: ${s.failedReason}` : ''})`);
  return `${shown.join(', ')}${bad.length > 8 ? `, … ${bad.length - 8} more` : ''}`;
}

/** Completed shards' results in shard order; refuses (naming the shards) while one is not completed. */
export function completedResults(jobId: string, status: JobStatus): unknown[] {
  const bad = unfinished(status);
  if (bad) throw new ConfigError(`job '${jobId}' is not complete; shards not completed: ${bad}.`);
  return status.shardStatus.map((s) => s.result);
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
