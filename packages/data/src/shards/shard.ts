import { ConfigError } from '@clade/core';

/** One part of a job split n ways: `index` in [0, count). `clade … --shard i/n` and queue workers name it the same way. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

export const WHOLE: Shard = { index: 0, count: 1 };

/** Parses `i/n` (0 ≤ i < n ≤ 10000); `what` names the argument in the error. */
export function parseShard(text: string, what = '--shard'): Shard {
  const m = /^(\d{1,5})\/(\d{1,5})$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || count > 10000 || index >= count) {
    throw new ConfigError(`${what}: "${text}" is not a shard; expected i/n with 0 ≤ i < n ≤ 10000 (e.g. 0/4)`);
  }
  return { index, count };
}

export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

/**
 * The items of one shard: contiguous, in the given order, sizes differing by at most one, so that the
 * shards of any n cover every item exactly once and concatenating them in index order gives the input back.
 * Callers sort names first so that every machine splits the same way.
 */
export function shardItems<T>(items: readonly T[], shard: Shard): T[] {
  const { start, end } = shardRange(items.length, shard);
  return items.slice(start, end);
}

export function shardRange(length: number, shard: Shard): { start: number; end: number } {
  if (!Number.isInteger(shard.count) || shard.count < 1 || !Number.isInteger(shard.index) || shard.index < 0 || shard.index >= shard.count) {
    throw new ConfigError(`shard ${shard.index}/${shard.count}: expected 0 ≤ index < count`);
  }
  const base = Math.floor(length / shard.count);
  const extra = length % shard.count;
  const start = shard.index * base + Math.min(shard.index, extra);
  return { start, end: start + base + (shard.index < extra ? 1 : 0) };
}
