import { ConfigError } from '@clade/core';

/** A seeded random source: `random()` in [0, 1), `randint(lo, hi)` inclusive (like Python's). */
export interface Rng {
  random(): number;
  randint(lo: number, hi: number): number;
}

/**
 * mulberry32: a small, fast 32-bit generator, deterministic for a given integer seed. It does not
 * reproduce Python's Mersenne Twister stream (the official crops), only its distributions.
 */
export function seededRng(seed: number): Rng {
  if (!Number.isInteger(seed)) throw new ConfigError(`seededRng: seed must be an integer, got ${seed}.`);
  let a = seed >>> 0;
  const random = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { random, randint: (lo, hi) => lo + Math.floor(random() * (hi - lo + 1)) };
}
