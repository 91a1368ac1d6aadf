/** Options of `gemmABt`. */
export interface GemmOptions {
  /** Compute only the entries j ≥ i and mirror them (for symmetric results, m = n). Default false. */
  upper?: boolean;
  /**
   * Start the sum of C[i][j] at t = i ('row') or t = j ('col'): the caller guarantees that the
   * skipped terms are exact zeros (A or B is zero left of its diagonal). Halves the work of
   * products with Cholesky factors. Default: every term.
   */
  skip?: 'row' | 'col';
}

/**
 * C = A·Bᵀ for row-major A (m×k) and B (n×k): every entry is a dot product of two contiguous
 * rows (see `blockedABt`). Float64 throughout.
 */
export function gemmABt(a: Float64Array, m: number, b: Float64Array, n: number, k: number, opts: GemmOptions = {}): Float64Array {
  const { upper = false, skip } = opts;
  const c = new Float64Array(m * n);
  blockedABt(a, m, b, n, k, c, upper, skip, false);
  if (upper) for (let r = 0; r < m; r++) for (let s = r + 1; s < n; s++) c[s * n + r] = c[r * n + s]!;
  return c;
}

/**
 * c[i][j] += dot(x_i, x_j) for j ≥ i (upper triangle only, nothing mirrored), x row-major d×k:
 * the rank-k update of a scatter matrix from the *transposed* batch (one row per feature).
 */
export function syrkUpperAccumulate(x: Float64Array, d: number, k: number, c: Float64Array): void {
  blockedABt(x, d, x, d, k, c, true, undefined, true);
}

/**
 * The one kernel behind both: C[i][j] (= or, with `accumulate`, +=) Σ_t A[i][t]·B[j][t], over
 * j ≥ i only with `upper` (nothing below the diagonal is written), 2×2 at a time: four
 * accumulators, four loads per step, so each loaded value feeds two multiply-adds. An odd last
 * row or column is loaded twice and stored once. Every sum runs over t in order from its start.
 */
function blockedABt(
  a: Float64Array, m: number, b: Float64Array, n: number, k: number,
  c: Float64Array, upper: boolean, skip: 'row' | 'col' | undefined, accumulate: boolean,
): void {
  const put = (at: number, s: number) => {
    c[at] = accumulate ? c[at]! + s : s;
  };
  for (let i = 0; i < m; i += 2) {
    const two = i + 1 < m;
    const a0 = i * k;
    const a1 = two ? a0 + k : a0;
    for (let j = upper ? i : 0; j < n; j += 2) {
      const twoJ = j + 1 < n;
      const b0 = j * k;
      const b1 = twoJ ? b0 + k : b0;
      const start = skip === undefined ? 0 : Math.min(skip === 'row' ? i : j, k);
      let s00 = 0, s01 = 0, s10 = 0, s11 = 0;
      for (let t = start; t < k; t++) {
        const x0 = a[a0 + t]!, x1 = a[a1 + t]!, y0 = b[b0 + t]!, y1 = b[b1 + t]!;
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
      }
      put(i * n + j, s00);
      if (twoJ) put(i * n + j + 1, s01);
      if (two && !(upper && j === i)) put((i + 1) * n + j, s10);
      if (two && twoJ) put((i + 1) * n + j + 1, s11);
    }
  }
}
