/** Median of a non-empty list (mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError('median: needs at least one value, got none.');
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Latency as people read it: "84 ms", "1.24 s". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  return ms < 1000 ? `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** Keeps the last `size` samples after skipping the first `warmup` (shader compiles, wasm JIT). */
export class LatencyWindow {
  private seen = 0;
  private readonly samples: number[] = [];

  constructor(readonly size = 9, readonly warmup = 1) {}

  add(ms: number): void {
    this.seen++;
    if (this.seen <= this.warmup) return;
    this.samples.push(ms);
    if (this.samples.length > this.size) this.samples.shift();
  }

  /** Forget everything (a backend switch starts a new warm-up). */
  reset(): void {
    this.seen = 0;
    this.samples.length = 0;
  }

  get count(): number {
    return this.samples.length;
  }

  /** Median of the kept samples; NaN before the first one after warm-up. */
  get median(): number {
    return this.samples.length ? median(this.samples) : NaN;
  }
}
