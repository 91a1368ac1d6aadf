/**
 * C = A·Bᵀ for row-major A (m×k) and B (n×k): every entry is a dot product of two contiguous
 * rows, computed 2×2 at a time (four accumulators, four loads per step) so each loaded value
 * feeds two multiply-adds. With `upper`, only entries j ≥ i are computed and mirrored (for
 * symmetric results, m = n). Float64 throughout.
 */
export function gemmABt(
  a: Float64Array, m: number, b: Float64Array, n: number, k: number,
  upper = false, c: Float64Array = new Float64Array(m * n),
): Float64Array {
  let i = 0;
  for (; i + 1 < m; i += 2) {
    const a0 = i * k;
    const a1 = a0 + k;
    let j = upper ? i : 0;
    for (; j + 1 < n; j += 2) {
      const b0 = j * k;
      const b1 = b0 + k;
      let s00 = 0, s01 = 0, s10 = 0, s11 = 0;
      for (let t = 0; t < k; t++) {
        const x0 = a[a0 + t]!, x1 = a[a1 + t]!, y0 = b[b0 + t]!, y1 = b[b1 + t]!;
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
      }
      c[i * n + j] = s00;
      c[i * n + j + 1] = s01;
      c[(i + 1) * n + j] = s10;
      c[(i + 1) * n + j + 1] = s11;
    }
    if (j < n) {
      const b0 = j * k;
      let s0 = 0, s1 = 0;
      for (let t = 0; t < k; t++) {
        const y = b[b0 + t]!;
        s0 += a[a0 + t]! * y;
        s1 += a[a1 + t]! * y;
      }
      c[i * n + j] = s0;
      c[(i + 1) * n + j] = s1;
    }
  }
  if (i < m) {
    const a0 = i * k;
    for (let j = upper ? i : 0; j < n; j++) {
      const b0 = j * k;
      let s = 0;
      for (let t = 0; t < k; t++) s += a[a0 + t]! * b[b0 + t]!;
      c[i * n + j] = s;
    }
  }
  if (upper) for (let r = 0; r < m; r++) for (let s = r + 1; s < n; s++) c[s * n + r] = c[r * n + s]!;
  return c;
}

/**
 * c[i][j] += dot(x_i, x_j) for j ≥ i (upper triangle only, nothing mirrored), x row-major d×k:
 * the rank-k update of a scatter matrix from the *transposed* batch (one row per feature), 2×2
 * register-blocked like `gemmABt`.
 */
export function syrkUpperAccumulate(x: Float64Array, d: number, k: number, c: Float64Array): void {
  let i = 0;
  for (; i + 1 < d; i += 2) {
    const a0 = i * k;
    const a1 = a0 + k;
    // the 2×2 diagonal block: (i,i), (i,i+1), (i+1,i+1)
    let d00 = 0, d01 = 0, d11 = 0;
    for (let t = 0; t < k; t++) {
      const x0 = x[a0 + t]!, x1 = x[a1 + t]!;
      d00 += x0 * x0;
      d01 += x0 * x1;
      d11 += x1 * x1;
    }
    c[i * d + i] = c[i * d + i]! + d00;
    c[i * d + i + 1] = c[i * d + i + 1]! + d01;
    c[(i + 1) * d + i + 1] = c[(i + 1) * d + i + 1]! + d11;
    let j = i + 2;
    for (; j + 1 < d; j += 2) {
      const b0 = j * k;
      const b1 = b0 + k;
      let s00 = 0, s01 = 0, s10 = 0, s11 = 0;
      for (let t = 0; t < k; t++) {
        const x0 = x[a0 + t]!, x1 = x[a1 + t]!, y0 = x[b0 + t]!, y1 = x[b1 + t]!;
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
      }
      c[i * d + j] = c[i * d + j]! + s00;
      c[i * d + j + 1] = c[i * d + j + 1]! + s01;
      c[(i + 1) * d + j] = c[(i + 1) * d + j]! + s10;
      c[(i + 1) * d + j + 1] = c[(i + 1) * d + j + 1]! + s11;
    }
    if (j < d) {
      const b0 = j * k;
      let s0 = 0, s1 = 0;
      for (let t = 0; t < k; t++) {
        const y = x[b0 + t]!;
        s0 += x[a0 + t]! * y;
        s1 += x[a1 + t]! * y;
      }
      c[i * d + j] = c[i * d + j]! + s0;
      c[(i + 1) * d + j] = c[(i + 1) * d + j]! + s1;
    }
  }
  if (i < d) {
    const a0 = i * k;
    let s = 0;
    for (let t = 0; t < k; t++) s += x[a0 + t]! * x[a0 + t]!;
    c[i * d + i] = c[i * d + i]! + s;
  }
}

/**
 * `gemmABt` for triangular factors: C[i][j] = Σ_{t ≥ s} A[i][t]·B[j][t] with s = i ('row') or
 * s = j ('col'), i.e. the caller guarantees that the skipped terms are exact zeros (A or B is
 * zero left of its diagonal). Halves the work of products with Cholesky factors. `upper`
 * computes j ≥ i only and mirrors.
 */
export function gemmABtSkip(
  a: Float64Array, m: number, b: Float64Array, n: number, k: number, from: 'row' | 'col', upper = false,
): Float64Array {
  const c = new Float64Array(m * n);
  let i = 0;
  for (; i < m; i += 2) {
    const two = i + 1 < m;
    const a0 = i * k;
    const a1 = two ? a0 + k : a0;
    for (let j = upper ? i : 0; j < n; j += 2) {
      const twoJ = j + 1 < n;
      const b0 = j * k;
      const b1 = twoJ ? b0 + k : b0;
      const start = Math.min(from === 'row' ? i : j, k);
      let s00 = 0, s01 = 0, s10 = 0, s11 = 0;
      for (let t = start; t < k; t++) {
        const x0 = a[a0 + t]!, x1 = a[a1 + t]!, y0 = b[b0 + t]!, y1 = b[b1 + t]!;
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
      }
      c[i * n + j] = s00;
      if (twoJ) c[i * n + j + 1] = s01;
      if (two) {
        c[(i + 1) * n + j] = s10;
        if (twoJ) c[(i + 1) * n + j + 1] = s11;
      }
    }
  }
  if (upper) for (let r = 0; r < m; r++) for (let s = r + 1; s < n; s++) c[s * n + r] = c[r * n + s]!;
  return c;
}
