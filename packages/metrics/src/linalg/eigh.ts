import { ConfigError } from '@clade/core';

/**
 * Symmetric eigensolver in float64: Householder tridiagonalisation followed by the implicit QL
 * algorithm with Wilkinson-type shifts (EISPACK tred2/tql2, in the public-domain JAMA
 * formulation). Matrices are dense row-major `Float64Array`s of n·n entries.
 *
 * Layout note: JAMA walks columns of V in its inner loops. Here the working matrix holds Vᵀ, so
 * every inner loop runs along a contiguous row (a symmetric input is its own transpose). On
 * return, row i of `vectors` is the unit eigenvector of `values[i]` (values ascending).
 *
 * Cost: reduction 4/3·n³ flops, accumulation of the transform 4/3·n³, QL with vectors ≈ 3·n³
 * (rotations of two contiguous rows). `eigvalsh` skips the accumulation and the rotations:
 * 4/3·n³ + O(n²).
 */

export interface SymmetricEigen {
  /** Eigenvalues, ascending. */
  values: Float64Array;
  /** n·n row-major; row i is the eigenvector of values[i]. */
  vectors: Float64Array;
}

function checkSquare(a: Float64Array, n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0 || a.length !== n * n)
    throw new ConfigError(`${what}: expected an n·n matrix with n = ${n}, got ${a.length} entries.`);
}

/**
 * Householder reduction of the symmetric matrix held in `w` (overwritten) to tridiagonal form:
 * d (diagonal) and e (sub-diagonal, e[i] couples i−1 and i; e[0] = 0). With `accumulate`, `w`
 * ends holding Qᵀ (rows = the orthogonal basis) so that A = Q T Qᵀ.
 */
function tridiagonalize(w: Float64Array, n: number, d: Float64Array, e: Float64Array, accumulate: boolean): void {
  if (n === 0) return;
  // W[j][k] stands for JAMA's V[k][j].
  for (let j = 0; j < n; j++) d[j] = w[j * n + n - 1]!;
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) {
        d[j] = w[j * n + i - 1]!;
        w[j * n + i] = 0;
        w[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        const v = d[k]! / scale;
        d[k] = v;
        h += v * v;
      }
      let f = d[i - 1]!;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      // e = A·u over the leading i×i block (lower triangle, read along rows of W).
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        const row = j * n;
        w[i * n + j] = f;
        g = e[j]! + w[row + j]! * f;
        let g1 = 0;
        let k = j + 1;
        // unrolled by two: two independent sums
        for (; k + 1 < i; k += 2) {
          const w0 = w[row + k]!;
          const w1 = w[row + k + 1]!;
          g += w0 * d[k]!;
          g1 += w1 * d[k + 1]!;
          e[k] = e[k]! + w0 * f;
          e[k + 1] = e[k + 1]! + w1 * f;
        }
        if (k < i) {
          const w0 = w[row + k]!;
          g += w0 * d[k]!;
          e[k] = e[k]! + w0 * f;
        }
        e[j] = g + g1;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] = e[j]! / h;
        f += e[j]! * d[j]!;
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] = e[j]! - hh * d[j]!;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        g = e[j]!;
        const row = j * n;
        for (let k = j; k < i; k++) w[row + k] = w[row + k]! - (f * e[k]! + g * d[k]!);
        d[j] = w[row + i - 1]!;
        w[row + i] = 0;
      }
    }
    d[i] = h;
  }
  if (!accumulate) {
    for (let j = 0; j < n; j++) d[j] = w[j * n + j]!;
    e[0] = 0;
    return;
  }
  // Accumulate the transformations (rank-one updates along rows of W).
  const g = new Float64Array(n);
  for (let i = 0; i < n - 1; i++) {
    w[i * n + n - 1] = w[i * n + i]!;
    w[i * n + i] = 1;
    const h = d[i + 1]!;
    const ri = (i + 1) * n;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = w[ri + k]! / h;
      for (let j = 0; j <= i; j++) {
        const row = j * n;
        let s = 0;
        for (let k = 0; k <= i; k++) s += w[ri + k]! * w[row + k]!;
        g[j] = s;
      }
      for (let j = 0; j <= i; j++) {
        const row = j * n;
        const gj = g[j]!;
        for (let k = 0; k <= i; k++) w[row + k] = w[row + k]! - gj * d[k]!;
      }
    }
    for (let k = 0; k <= i; k++) w[ri + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = w[j * n + n - 1]!;
    w[j * n + n - 1] = 0;
  }
  w[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

const EPS = 2 ** -52;
const MAX_ITER = 60;

/**
 * Implicit QL on the tridiagonal (d, e) from `tridiagonalize`; with `w` (Qᵀ) the rotations are
 * applied to its rows. Leaves the eigenvalues in d (unsorted).
 */
function tql(d: Float64Array, e: Float64Array, n: number, w: Float64Array | null): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  if (n > 0) e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]!) <= EPS * tst1) break;
      m++;
    }
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > MAX_ITER * 10)
          throw new Error(`eigh: QL did not converge for eigenvalue ${l} of ${n} (non-finite input?).`);
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i] = d[i]! - h;
        f += h;
        p = d[m]!;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1]!;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = Math.hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
          if (w) {
            // Rotate rows i and i+1 of Qᵀ (JAMA's columns).
            const a = i * n;
            const b = a + n;
            for (let k = 0; k < n; k++) {
              const hk = w[b + k]!;
              const vk = w[a + k]!;
              w[b + k] = s * vk + c * hk;
              w[a + k] = c * vk - s * hk;
            }
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]!) > EPS * tst1);
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
}

function assertFinite(a: Float64Array, what: string): void {
  for (let i = 0; i < a.length; i++)
    if (!Number.isFinite(a[i]!)) throw new ConfigError(`${what}: the matrix has a non-finite entry (${a[i]}) at index ${i}.`);
}

/**
 * Eigenvalues (ascending) and orthonormal eigenvectors (rows) of the symmetric n×n matrix `a`
 * (row-major; only its upper triangle is read). `a` is not modified.
 */
export function eigh(a: Float64Array, n: number): SymmetricEigen {
  checkSquare(a, n, 'eigh');
  assertFinite(a, 'eigh');
  const w = Float64Array.from(a);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tridiagonalize(w, n, d, e, true);
  tql(d, e, n, w);
  // Sort ascending (selection sort on rows, as JAMA: O(n²) compares, ≤ n row swaps).
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    let p = d[i]!;
    for (let j = i + 1; j < n; j++) if (d[j]! < p) { k = j; p = d[j]!; }
    if (k !== i) {
      d[k] = d[i]!;
      d[i] = p;
      const ri = w.subarray(i * n, i * n + n);
      const rk = w.subarray(k * n, k * n + n);
      const tmp = Float64Array.from(ri);
      ri.set(rk);
      rk.set(tmp);
    }
  }
  return { values: d, vectors: w };
}

/** Eigenvalues (ascending) of the symmetric n×n matrix `a` (upper triangle read); `a` is not modified. */
export function eigvalsh(a: Float64Array, n: number): Float64Array {
  checkSquare(a, n, 'eigvalsh');
  assertFinite(a, 'eigvalsh');
  const w = Float64Array.from(a);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tridiagonalize(w, n, d, e, false);
  tql(d, e, n, null);
  return d.sort();
}
