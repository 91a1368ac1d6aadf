import { seededRng } from '../rng';

const sqrt = Math.sqrt;

/** The scene sampler's random source: a thin layer over the package's mulberry32 `seededRng`. */
export class Random {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = seededRng(seed >>> 0).random;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next();
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer in [lo, hi], inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A 31-bit seed for a noise stream. */
  seed(): number {
    return Math.floor(this.next() * 2147483647);
  }

  /** One of `items`, weighted by `weights` (same length). */
  pick<T>(items: readonly T[], weights?: readonly number[]): T {
    if (!weights) return items[Math.floor(this.next() * items.length)]!;
    let total = 0;
    for (const w of weights) total += w;
    let r = this.next() * total;
    for (let i = 0; i < items.length; i++) {
      r -= weights[i]!;
      if (r < 0) return items[i]!;
    }
    return items[items.length - 1]!;
  }

  /** A uniformly random unit 2-vector (rejection sampling, no trigonometry). */
  dir2(): [number, number] {
    for (;;) {
      const x = this.range(-1, 1);
      const y = this.range(-1, 1);
      const d = x * x + y * y;
      if (d > 0.01 && d <= 1) {
        const s = sqrt(d);
        return [x / s, y / s];
      }
    }
  }

  /** Roughly normal (sum of three uniforms), mean 0, sd ≈ 1. */
  gauss(): number {
    return (this.next() + this.next() + this.next() - 1.5) * 2;
  }
}
