import { ConfigError } from '@clade/core';
import { eigh } from './eigh';
import { gemmABt } from './gemm';

/**
 * Rank-revealing factors of a symmetric positive semi-definite matrix S (n×n, row-major,
 * float64): S ≈ Fᵀ F with F of shape r×n, r = the numerical rank. Both are exact up to float64
 * round-off; a part of S below the rank tolerance `n·ε·scale` is the round-off of an exact zero
 * and is dropped (that is LAPACK's dpstrf default tolerance).
 */
export interface PsdFactor {
  /** r×n row-major: S ≈ Fᵀ F (rows are the factor's components in S's own coordinates). */
  f: Float64Array;
  rank: number;
  n: number;
  /**
   * Pivoted Cholesky only: the permutation and Lᵀ in pivoted order (r×n, row c zero left of c),
   * which `factorCongruence` uses to skip the structural zeros.
   */
  pivoted?: { perm: Int32Array; lt: Float64Array };
}

const EPS = 2 ** -52;

function checkSquare(a: Float64Array, n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0 || a.length !== n * n)
    throw new ConfigError(`${what}: expected an n·n matrix with n = ${n}, got ${a.length} entries.`);
}

/**
 * Pivoted (diagonal-pivoting) Cholesky of a PSD matrix: P S Pᵀ = L Lᵀ with L n×r lower
 * trapezoidal, stopping when the largest remaining diagonal is ≤ n·ε·max(diag S). Returned as
 * F = Lᵀ Pᵀ-ordered rows in S's own coordinates, so S ≈ Fᵀ F. Cost ≈ n·r²/… ≤ n³/3 flops.
 */
export function pivotedCholesky(s: Float64Array, n: number): PsdFactor {
  checkSquare(s, n, 'pivotedCholesky');
  const perm = new Int32Array(n);
  const dd = new Float64Array(n);
  let maxDiag = 0;
  for (let i = 0; i < n; i++) {
    perm[i] = i;
    dd[i] = s[i * n + i]!;
    if (!Number.isFinite(dd[i]!)) throw new ConfigError(`pivotedCholesky: diagonal entry ${i} is ${dd[i]}.`);
    if (dd[i]! > maxDiag) maxDiag = dd[i]!;
  }
  const tol = n * EPS * maxDiag;
  // L in pivoted row order: row i holds L[i][0..k).
  const l = new Float64Array(n * n);
  let rank = 0;
  for (let k = 0; k < n; k++) {
    let j = k;
    let best = dd[k]!;
    for (let t = k + 1; t < n; t++) if (dd[t]! > best) { best = dd[t]!; j = t; }
    if (!(best > tol)) break;
    if (j !== k) {
      const tp = perm[k]!; perm[k] = perm[j]!; perm[j] = tp;
      const td = dd[k]!; dd[k] = dd[j]!; dd[j] = td;
      for (let c = 0; c < k; c++) {
        const tl = l[k * n + c]!; l[k * n + c] = l[j * n + c]!; l[j * n + c] = tl;
      }
    }
    const lkk = Math.sqrt(dd[k]!);
    l[k * n + k] = lkk;
    const pk = perm[k]! * n;
    const rk = k * n;
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      let acc = s[pk + perm[i]!]!;
      for (let c = 0; c < k; c++) acc -= l[ri + c]! * l[rk + c]!;
      const v = acc / lkk;
      l[ri + k] = v;
      dd[i] = dd[i]! - v * v;
    }
    rank = k + 1;
  }
  // F[c][perm[i]] = L[i][c]: S[p_i][p_j] = Σ_c L[i][c] L[j][c]; lt[c][i] = L[i][c].
  const f = new Float64Array(rank * n);
  const lt = new Float64Array(rank * n);
  for (let i = 0; i < n; i++) {
    const pi = perm[i]!;
    const m = Math.min(i + 1, rank);
    for (let c = 0; c < m; c++) {
      f[c * n + pi] = l[i * n + c]!;
      lt[c * n + i] = l[i * n + c]!;
    }
  }
  return { f, rank, n, pivoted: { perm, lt } };
}

/**
 * Factor from the symmetric eigendecomposition S = Σ λᵢ vᵢ vᵢᵀ: rows √λᵢ·vᵢ for the eigenvalues
 * above n·ε·λ_max (the rest, and round-off negatives, are exact zeros). Fᵀ F = V Λ Vᵀ, and
 * F·G·Fᵀ is Λ^{1/2} Vᵀ G V Λ^{1/2}, i.e. S^{1/2} G S^{1/2} written in S's eigenbasis.
 */
export function eigenSqrtFactor(s: Float64Array, n: number): PsdFactor & { values: Float64Array } {
  checkSquare(s, n, 'eigenSqrtFactor');
  const { values, vectors } = eigh(s, n);
  const top = n > 0 ? Math.max(values[n - 1]!, 0) : 0;
  const tol = n * EPS * top;
  const keep: number[] = [];
  for (let i = n - 1; i >= 0; i--) if (values[i]! > tol) keep.push(i);
  const f = new Float64Array(keep.length * n);
  keep.forEach((i, r) => {
    const sq = Math.sqrt(values[i]!);
    for (let k = 0; k < n; k++) f[r * n + k] = sq * vectors[i * n + k]!;
  });
  return { f, rank: keep.length, n, values };
}

/**
 * F G Fᵀ (r×r, exactly symmetric) for F r×n and a symmetric G n×n, as two A·Bᵀ products of
 * contiguous rows: T = F·Gᵀ (= F G), then T·Fᵀ (upper triangle, mirrored). 2·r·n² + r²·n flops.
 */
export function congruence(f: Float64Array, r: number, g: Float64Array, n: number): Float64Array {
  if (f.length !== r * n) throw new ConfigError(`congruence: F must hold r·n = ${r * n} entries, got ${f.length}.`);
  checkSquare(g, n, 'congruence');
  const t = gemmABt(f, r, g, n, n);
  return gemmABt(t, r, f, r, n, { upper: true });
}

/**
 * F G Fᵀ for a factor from `pivotedCholesky` or `eigenSqrtFactor`. With a pivoted Cholesky
 * factor, G is permuted once and both products skip the factor's structural zeros:
 * T[c][j] = Σ_{i≥c} Lᵀ[c][i]·G_p[j][i], then M[a][b] = Σ_{j≥b} T[a][j]·Lᵀ[b][j] (≈ 4/3·n³ flops
 * instead of 3·n³).
 */
export function factorCongruence(factor: PsdFactor, g: Float64Array): Float64Array {
  const { n, rank: r } = factor;
  checkSquare(g, n, 'factorCongruence');
  if (!factor.pivoted) return congruence(factor.f, r, g, n);
  const { perm, lt } = factor.pivoted;
  const gp = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const src = perm[i]! * n;
    for (let j = 0; j < n; j++) gp[i * n + j] = g[src + perm[j]!]!;
  }
  const t = gemmABt(lt, r, gp, n, n, { skip: 'row' });
  return gemmABt(t, r, lt, r, n, { skip: 'col', upper: true });
}
