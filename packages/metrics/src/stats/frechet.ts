import { ConfigError, ShapeError } from '@clade/core';
import { assertOneOf } from '@clade/core/internal';
import { eigvalsh } from '../linalg/eigh';
import { eigenSqrtFactor, factorCongruence, pivotedCholesky } from '../linalg/factor';
import { checkStats, type GaussianStats } from './gaussian';

/** How Σ₁ is factored before the symmetric eigenvalue problem (both are exact; see `frechetDistance`). */
export const FRECHET_METHODS = ['cholesky', 'eigh'] as const;
export type FrechetMethod = (typeof FRECHET_METHODS)[number];

export interface FrechetOptions {
  /**
   * 'cholesky' (default): Σ₁ = Fᵀ F by pivoted Cholesky (n³/3 flops), then the eigenvalues of
   * F Σ₂ Fᵀ. 'eigh': F = Λ^{1/2} Vᵀ from the symmetric eigendecomposition of Σ₁ (≈ 3× slower),
   * i.e. literally Σ₁^{1/2} Σ₂ Σ₁^{1/2} written in Σ₁'s eigenbasis. Both give the same spectrum.
   */
  method?: FrechetMethod;
}

export interface FrechetResult {
  /** The Fréchet distance ‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2·tr (Σ₁Σ₂)^{1/2}. */
  distance: number;
  /** ‖μ₁ − μ₂‖². */
  meanTerm: number;
  traceSigma1: number;
  traceSigma2: number;
  /** tr (Σ₁Σ₂)^{1/2} = Σ √μᵢ over the eigenvalues μᵢ of Σ₁^{1/2} Σ₂ Σ₁^{1/2}. */
  traceSqrtProduct: number;
  /** Numerical rank of Σ₁ (eigenvalues/pivots above n·ε·max). */
  rankSigma1: number;
  /** Eigenvalues of the symmetric product that were counted (> r·ε·max). */
  rankProduct: number;
  method: FrechetMethod;
}

const EPS = 2 ** -52;

/**
 * Fréchet distance between two Gaussians, exactly as pytorch-fid defines it, in float64 without
 * any matrix-square-root approximation:
 *
 *   tr (Σ₁Σ₂)^{1/2} = Σᵢ √μᵢ,  μᵢ = eigenvalues of the symmetric PSD matrix F Σ₂ Fᵀ, Σ₁ = Fᵀ F,
 *
 * since Σ₁Σ₂ = Fᵀ (F Σ₂) has the same non-zero spectrum as F Σ₂ Fᵀ (= Σ₁^{1/2} Σ₂ Σ₁^{1/2} up to an
 * orthogonal similarity), and those eigenvalues are real and ≥ 0.
 *
 * Singular and rank-deficient Σ (fewer images than feature dimensions, n ≤ d): the factor of Σ₁
 * keeps only its numerical rank (pivots/eigenvalues > d·ε·max; smaller ones are round-off of an
 * exact zero), and eigenvalues μᵢ ≤ r·ε·max μ (or negative, from round-off) count as 0. Nothing
 * is added to the diagonal and nothing can become complex. pytorch-fid instead takes
 * scipy.linalg.sqrtm of the non-symmetric Σ₁Σ₂; if the result has a non-finite entry it adds
 * 1e-6·I to both Σ and retries, and it keeps the real part (raising if a diagonal imaginary part
 * exceeds 1e-3). On singular products sqrtm is accurate to only ≈1e-8 relative (measured against an
 * exact SVD of the feature cross-Gram matrix, see scripts/goldens/fid_kid.py); this function matches
 * that exact value to ≈1e-15 and pytorch-fid's to its own error. We never observed the 1e-6·I
 * retry on finite covariances; when pytorch-fid does retry, its number is the FD of the offset
 * matrices, which differs from ours by O(d·1e-6·scale).
 */
export function frechetDistance(a: GaussianStats, b: GaussianStats, options: FrechetOptions = {}): FrechetResult {
  checkStats(a, 'frechetDistance (first)');
  checkStats(b, 'frechetDistance (second)');
  if (a.dims !== b.dims)
    throw new ShapeError(`frechetDistance: the statistics have different dims, ${a.dims} vs ${b.dims}.`);
  const method = assertOneOf(options.method ?? 'cholesky', FRECHET_METHODS, 'frechetDistance', 'method');
  const d = a.dims;
  for (const [s, name] of [[a, 'first'], [b, 'second']] as const) {
    for (let i = 0; i < d; i++)
      if (!Number.isFinite(s.mu[i]!)) throw new ConfigError(`frechetDistance: mu of the ${name} statistics has a non-finite entry at ${i}.`);
    for (let i = 0; i < d * d; i++)
      if (!Number.isFinite(s.sigma[i]!)) throw new ConfigError(`frechetDistance: sigma of the ${name} statistics has a non-finite entry at ${i}.`);
  }
  let meanTerm = 0;
  for (let i = 0; i < d; i++) {
    const t = a.mu[i]! - b.mu[i]!;
    meanTerm += t * t;
  }
  let traceSigma1 = 0;
  let traceSigma2 = 0;
  for (let i = 0; i < d; i++) {
    traceSigma1 += a.sigma[i * d + i]!;
    traceSigma2 += b.sigma[i * d + i]!;
  }
  const s1 = symmetrized(a.sigma, d);
  const s2 = symmetrized(b.sigma, d);
  const factor = method === 'eigh' ? eigenSqrtFactor(s1, d) : pivotedCholesky(s1, d);
  const r = factor.rank;
  const m = factorCongruence(factor, s2);
  const mu = eigvalsh(m, r);
  const top = r > 0 ? Math.max(mu[r - 1]!, 0) : 0;
  const tol = r * EPS * top;
  let traceSqrtProduct = 0;
  let rankProduct = 0;
  // Ascending: sum the small ones first.
  for (let i = 0; i < r; i++) {
    if (mu[i]! > tol) {
      traceSqrtProduct += Math.sqrt(mu[i]!);
      rankProduct++;
    }
  }
  return {
    distance: meanTerm + traceSigma1 + traceSigma2 - 2 * traceSqrtProduct,
    meanTerm,
    traceSigma1,
    traceSigma2,
    traceSqrtProduct,
    rankSigma1: r,
    rankProduct,
    method,
  };
}

/** (S + Sᵀ)/2: covariances read from files may be symmetric only up to round-off. */
function symmetrized(s: Float64Array, d: number): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    out[i * d + i] = s[i * d + i]!;
    for (let j = i + 1; j < d; j++) {
      const v = 0.5 * (s[i * d + j]! + s[j * d + i]!);
      out[i * d + j] = v;
      out[j * d + i] = v;
    }
  }
  return out;
}
