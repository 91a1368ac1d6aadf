import { ConfigError, ShapeError } from '@clade/core';
import { assertPositiveInt } from '@clade/core/internal';
import { seededRng } from '@clade/data';
import { checkFeatures, type FeatureMatrix } from './features';

/**
 * Kernel Inception Distance (Bińkowski et al. 2018), as torch-fidelity and clean-fid compute it:
 * the unbiased MMD² with the cubic polynomial kernel k(x, y) = (xᵀy / d + 1)³, averaged over
 * random subsets of equal size m drawn without replacement from each set:
 *
 *   MMD² = Σ_{i≠j} k(xᵢ,xⱼ) / (m(m−1)) + Σ_{i≠j} k(yᵢ,yⱼ) / (m(m−1)) − 2 Σ_{i,j} k(xᵢ,yⱼ) / m².
 *
 * Defaults: 100 subsets of m = min(1000, n_real, n_fake). `std` is the population standard
 * deviation over subsets (numpy's default ddof = 0, as torch-fidelity reports `kid_std`).
 * All arithmetic is float64. Subsets come from a seeded mulberry32 stream (`kidSubsets`), so the
 * same seed gives the same number; it does not reproduce numpy's stream.
 */
export interface KidOptions {
  /** Number of subsets. Default 100. */
  subsets?: number;
  /** Largest subset size. Default 1000; the smaller set's size when it has fewer vectors. */
  subsetSize?: number;
  /** Seed of the subset sampler. Default 0. */
  seed?: number;
  /**
   * Largest number of kernel entries (float64) to precompute over the whole sets
   * (n_x² + n_y² + n_x·n_y); above it each subset computes its own. Default 2²⁴ (128 MiB).
   */
  kernelBudget?: number;
}

export interface KidResult {
  /** Mean MMD² over the subsets. */
  kid: number;
  /** Population std over the subsets (0 for one subset). */
  std: number;
  subsets: number;
  subsetSize: number;
  seed: number | null;
  /** MMD² per subset. */
  values: number[];
}

export interface KidSubset {
  x: Int32Array;
  y: Int32Array;
}

function toF64(f: FeatureMatrix): Float64Array {
  return f.data instanceof Float64Array ? f.data : Float64Array.from(f.data);
}

function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let k = 0;
  for (; k + 1 < d; k += 2) {
    s0 += a[ao + k]! * b[bo + k]!;
    s1 += a[ao + k + 1]! * b[bo + k + 1]!;
  }
  if (k < d) s0 += a[ao + k]! * b[bo + k]!;
  return s0 + s1;
}

function poly(g: number, d: number): number {
  const t = g / d + 1;
  return t * t * t;
}

/** Kernel values, either from full precomputed matrices or computed on demand. */
class PolyKernel {
  private readonly x: Float64Array;
  private readonly y: Float64Array;
  private kxx: Float64Array | null = null;
  private kyy: Float64Array | null = null;
  private kxy: Float64Array | null = null;

  constructor(readonly fx: FeatureMatrix, readonly fy: FeatureMatrix, precompute: boolean) {
    this.x = toF64(fx);
    this.y = toF64(fy);
    if (precompute) {
      this.kxx = this.full(this.x, fx.rows, this.x, fx.rows, true);
      this.kyy = this.full(this.y, fy.rows, this.y, fy.rows, true);
      this.kxy = this.full(this.x, fx.rows, this.y, fy.rows, false);
    }
  }

  private full(a: Float64Array, na: number, b: Float64Array, nb: number, sym: boolean): Float64Array {
    const d = this.fx.dims;
    const k = new Float64Array(na * nb);
    for (let i = 0; i < na; i++)
      for (let j = sym ? i : 0; j < nb; j++) {
        const v = poly(dot(a, i * d, b, j * d, d), d);
        k[i * nb + j] = v;
        if (sym) k[j * nb + i] = v;
      }
    return k;
  }

  xx(i: number, j: number): number {
    const d = this.fx.dims;
    return this.kxx ? this.kxx[i * this.fx.rows + j]! : poly(dot(this.x, i * d, this.x, j * d, d), d);
  }

  yy(i: number, j: number): number {
    const d = this.fx.dims;
    return this.kyy ? this.kyy[i * this.fy.rows + j]! : poly(dot(this.y, i * d, this.y, j * d, d), d);
  }

  xy(i: number, j: number): number {
    const d = this.fx.dims;
    return this.kxy ? this.kxy[i * this.fy.rows + j]! : poly(dot(this.x, i * d, this.y, j * d, d), d);
  }
}

function mmd2(k: PolyKernel, ix: Int32Array, iy: Int32Array): number {
  const m = ix.length;
  const n = iy.length;
  let sxx = 0;
  for (let a = 0; a < m; a++) for (let b = a + 1; b < m; b++) sxx += k.xx(ix[a]!, ix[b]!);
  let syy = 0;
  for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) syy += k.yy(iy[a]!, iy[b]!);
  let sxy = 0;
  for (let a = 0; a < m; a++) for (let b = 0; b < n; b++) sxy += k.xy(ix[a]!, iy[b]!);
  return (2 * sxx) / (m * (m - 1)) + (2 * syy) / (n * (n - 1)) - (2 * sxy) / (m * n);
}

function checkPair(x: FeatureMatrix, y: FeatureMatrix, what: string): void {
  checkFeatures(x, `${what} (first set)`);
  checkFeatures(y, `${what} (second set)`);
  if (x.dims !== y.dims) throw new ShapeError(`${what}: the feature sets have different dims, ${x.dims} vs ${y.dims}.`);
}

function checkIndices(idx: Int32Array, rows: number, what: string): void {
  if (idx.length < 2) throw new ConfigError(`${what}: a subset needs at least 2 vectors, got ${idx.length}.`);
  for (const i of idx) if (i < 0 || i >= rows) throw new ConfigError(`${what}: index ${i} is outside 0..${rows - 1}.`);
}

/** Unbiased MMD² with the cubic polynomial kernel between all of `x` and all of `y` (sizes may differ). */
export function mmd2Unbiased(x: FeatureMatrix, y: FeatureMatrix): number {
  checkPair(x, y, 'mmd2Unbiased');
  const ix = Int32Array.from({ length: x.rows }, (_, i) => i);
  const iy = Int32Array.from({ length: y.rows }, (_, i) => i);
  checkIndices(ix, x.rows, 'mmd2Unbiased');
  checkIndices(iy, y.rows, 'mmd2Unbiased');
  return mmd2(new PolyKernel(x, y, false), ix, iy);
}

/**
 * The subsets `kernelInceptionDistance` uses: `count` pairs of index sets of size m drawn without
 * replacement (partial Fisher–Yates on a mulberry32 stream seeded with `seed`).
 */
export function kidSubsets(nx: number, ny: number, count: number, m: number, seed: number): KidSubset[] {
  assertPositiveInt(count, 'kidSubsets', 'subsets');
  if (!Number.isInteger(m) || m < 2 || m > nx || m > ny)
    throw new ConfigError(`kidSubsets: subset size must be an integer in 2..min(${nx}, ${ny}), got ${m}.`);
  const rng = seededRng(seed);
  const draw = (n: number): Int32Array => {
    const p = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < m; i++) {
      const j = i + Math.floor(rng.random() * (n - i));
      const t = p[i]!; p[i] = p[j]!; p[j] = t;
    }
    return p.slice(0, m);
  };
  const out: KidSubset[] = [];
  for (let s = 0; s < count; s++) {
    const x = draw(nx);
    const y = draw(ny);
    out.push({ x, y });
  }
  return out;
}

/** KID over explicit subsets (indices into `x` and `y`); the seeded driver is `kernelInceptionDistance`. */
export function kidFromSubsets(
  x: FeatureMatrix,
  y: FeatureMatrix,
  subsets: KidSubset[],
  options: Pick<KidOptions, 'kernelBudget'> = {},
): KidResult {
  checkPair(x, y, 'kidFromSubsets');
  if (subsets.length === 0) throw new ConfigError('kidFromSubsets: at least one subset is needed.');
  for (const s of subsets) {
    checkIndices(s.x, x.rows, 'kidFromSubsets');
    checkIndices(s.y, y.rows, 'kidFromSubsets');
  }
  const budget = options.kernelBudget ?? 2 ** 24;
  const full = x.rows * x.rows + y.rows * y.rows + x.rows * y.rows;
  // Precompute when it fits and the subsets would otherwise evaluate more kernel entries.
  const perSubset = subsets.reduce((a, s) => a + s.x.length ** 2 + s.y.length ** 2 + s.x.length * s.y.length, 0) / 2;
  const k = new PolyKernel(x, y, full <= budget && perSubset > full / 2);
  const values = subsets.map((s) => mmd2(k, s.x, s.y));
  const mean = values.reduce((a, v) => a + v, 0) / values.length;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
  return { kid: mean, std: Math.sqrt(variance), subsets: values.length, subsetSize: subsets[0]!.x.length, seed: null, values };
}

/** KID between two feature sets: mean ± std of the unbiased MMD² over seeded random subsets. */
export function kernelInceptionDistance(x: FeatureMatrix, y: FeatureMatrix, options: KidOptions = {}): KidResult {
  checkPair(x, y, 'kernelInceptionDistance');
  const count = options.subsets ?? 100;
  const maxSize = options.subsetSize ?? 1000;
  const seed = options.seed ?? 0;
  if (!Number.isInteger(maxSize) || maxSize < 2)
    throw new ConfigError(`kernelInceptionDistance: subsetSize must be an integer ≥ 2, got ${maxSize}.`);
  const m = Math.min(maxSize, x.rows, y.rows);
  if (m < 2)
    throw new ConfigError(`kernelInceptionDistance: each set needs at least 2 feature vectors, got ${x.rows} and ${y.rows}.`);
  const res = kidFromSubsets(x, y, kidSubsets(x.rows, y.rows, count, m, seed), options);
  return { ...res, seed };
}
