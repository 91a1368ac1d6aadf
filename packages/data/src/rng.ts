import { ConfigError, mulberry32 } from '@clade/core';

/** A seeded random source: `random()` in [0, 1), `randint(lo, hi)` inclusive (like Python's). */
export interface Rng {
  random(): number;
  randint(lo: number, hi: number): number;
}

/**
 * @clade/core's mulberry32, deterministic for a given integer seed. It does not
 * reproduce Python's Mersenne Twister stream (the official crops), only its distributions.
 */
export function seededRng(seed: number): Rng {
  if (!Number.isInteger(seed)) throw new ConfigError(`seededRng: seed must be an integer, got ${seed}.`);
  const random = mulberry32(seed);
  return { random, randint: (lo, hi) => lo + Math.floor(random() * (hi - lo + 1)) };
}
