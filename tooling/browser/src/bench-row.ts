/** One row of the demo page's `?bench=1` table, as `pnpm bench demo` reads it (no DOM types here). */
export interface BenchRow {
  backend: string;
  /** What runs it: GL renderer, wasm threads, or 'unavailable'. */
  detail: string;
  model: string;
  description: string;
  /** Median ms after warm-up; null when the backend is unavailable. */
  medianMs: number | null;
  runsMs: number[];
  /** A run took longer than maxSeconds: the rest were skipped; medianMs is that one run. */
  capped: boolean;
}
