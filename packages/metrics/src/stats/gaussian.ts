import { ConfigError, ShapeError } from '@clade/core';
import { assertPositiveInt } from '@clade/core/internal';
import { syrkUpperAccumulate } from '../linalg/gemm';

/**
 * Feature statistics as pytorch-fid keeps them: μ (mean) and Σ (covariance with the unbiased
 * n − 1 normaliser), float64, d×d row-major. `count` is the number of feature vectors when known
 * (a pytorch-fid `.npz` does not store it; ours do, so saved shards stay mergeable).
 */
export interface GaussianStats {
  dims: number;
  mu: Float64Array;
  sigma: Float64Array;
  count?: number;
}

/**
 * The running state of a GaussianAccumulator, (n, μ, M2 = Σ (x − μ)(x − μ)ᵀ), float64, M2 d×d
 * row-major with both triangles: what a shard's statistics file stores. Unlike μ/Σ it exists for
 * n = 0 and 1, so any part of a split, even an empty one, can be saved and merged exactly.
 */
export interface GaussianMoments {
  dims: number;
  count: number;
  mean: Float64Array;
  m2: Float64Array;
}

/**
 * Streaming mean/covariance in float64 with exact shard merging.
 *
 * Method: Chan, Golub & LeVeque's pairwise update. Each added batch is centred on its own mean
 * (two passes over the batch, which is in memory), its scatter Σ(x − x̄_b)(x − x̄_b)ᵀ is added,
 * and the running state (n, μ, M2) is combined with the batch as
 *   δ = x̄_b − μ,  n' = n + n_b,  μ' = μ + δ·n_b/n',  M2' = M2 + M2_b + δδᵀ·n·n_b/n'.
 * `merge` applies the same formula to two accumulators, so shards merge without approximation
 * (the result equals one pass over all features up to float64 round-off, ~1e-15 relative; the
 * bits depend on the order). Unlike raw sums of x and xxᵀ it does not cancel catastrophically
 * when the mean is large against the spread. Memory: d² doubles (32 MiB for d = 2048).
 * Only the upper triangle of M2 is updated; `stats()` mirrors it.
 */
export class GaussianAccumulator {
  readonly dims: number;
  private n = 0;
  private readonly mean: Float64Array;
  private readonly m2: Float64Array;

  constructor(dims: number) {
    assertPositiveInt(dims, 'GaussianAccumulator', 'dims');
    this.dims = dims;
    this.mean = new Float64Array(dims);
    this.m2 = new Float64Array(dims * dims);
  }

  /** Number of feature vectors seen. */
  get count(): number {
    return this.n;
  }

  /** Adds `rows` feature vectors stored row-major in `data` (rows·dims values, any numeric array). */
  add(data: ArrayLike<number>, rows = data.length / this.dims): this {
    const d = this.dims;
    if (!Number.isInteger(rows) || rows < 0 || data.length !== rows * d)
      throw new ShapeError(`GaussianAccumulator.add: expected rows·${d} values, got ${data.length} for ${rows} rows.`);
    if (rows === 0) return this;
    const bm = new Float64Array(d);
    for (let r = 0; r < rows; r++) {
      const o = r * d;
      for (let j = 0; j < d; j++) bm[j] = bm[j]! + data[o + j]!;
    }
    for (let j = 0; j < d; j++) bm[j] = bm[j]! / rows;
    // Centred batch, transposed (one row per feature), then M2 += Xcᵀ Xc on the upper triangle.
    const xt = new Float64Array(d * rows);
    for (let r = 0; r < rows; r++) {
      const o = r * d;
      for (let j = 0; j < d; j++) {
        const v = data[o + j]!;
        if (!Number.isFinite(v))
          throw new ConfigError(`GaussianAccumulator.add: feature ${j} of row ${r} is ${v}; features must be finite.`);
        xt[j * rows + r] = v - bm[j]!;
      }
    }
    syrkUpperAccumulate(xt, d, rows, this.m2);
    this.combine(rows, bm);
    return this;
  }

  /** Folds `other` (same dims) into this accumulator; `other` is unchanged. */
  merge(other: GaussianAccumulator): this {
    if (other.dims !== this.dims)
      throw new ShapeError(`GaussianAccumulator.merge: dims differ, ${this.dims} vs ${other.dims}.`);
    if (other.n === 0) return this;
    const m2 = this.m2;
    const o = other.m2;
    for (let i = 0; i < m2.length; i++) m2[i] = m2[i]! + o[i]!;
    this.combine(other.n, other.mean);
    return this;
  }

  /** Chan's update of (n, μ) with a part (nb, μb) whose scatter is already in m2. */
  private combine(nb: number, mb: Float64Array): void {
    const d = this.dims;
    const na = this.n;
    const n = na + nb;
    const delta = new Float64Array(d);
    for (let j = 0; j < d; j++) delta[j] = mb[j]! - this.mean[j]!;
    if (na > 0) addOuterUpper(this.m2, delta, d, (na * nb) / n);
    for (let j = 0; j < d; j++) this.mean[j] = na === 0 ? mb[j]! : this.mean[j]! + (delta[j]! * nb) / n;
    this.n = n;
  }

  /** μ and the unbiased Σ (needs ≥ 2 vectors, as np.cov). */
  stats(): GaussianStats {
    const d = this.dims;
    if (this.n < 2)
      throw new ConfigError(`GaussianAccumulator: the covariance needs at least 2 feature vectors, got ${this.n}.`);
    const sigma = new Float64Array(d * d);
    const k = 1 / (this.n - 1);
    for (let i = 0; i < d; i++)
      for (let j = i; j < d; j++) {
        const v = this.m2[i * d + j]! * k;
        sigma[i * d + j] = v;
        sigma[j * d + i] = v;
      }
    return { dims: d, mu: Float64Array.from(this.mean), sigma, count: this.n };
  }

  /** A copy of the running state (M2 mirrored into both triangles). */
  moments(): GaussianMoments {
    const d = this.dims;
    const m2 = Float64Array.from(this.m2);
    for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) m2[j * d + i] = m2[i * d + j]!;
    return { dims: d, count: this.n, mean: Float64Array.from(this.mean), m2 };
  }

  /**
   * Rebuilds an accumulator from `moments()` bit for bit (the upper triangle of M2 is read), so a
   * saved state continues or merges exactly as the accumulator that made it would have.
   */
  static fromMoments(m: GaussianMoments, what = 'GaussianAccumulator.fromMoments'): GaussianAccumulator {
    const d = m.dims;
    if (!Number.isInteger(d) || d < 1) throw new ShapeError(`${what}: dims must be a positive integer, got ${d}.`);
    if (!Number.isSafeInteger(m.count) || m.count < 0) throw new ConfigError(`${what}: count must be an integer ≥ 0, got ${m.count}.`);
    if (m.mean.length !== d || m.m2.length !== d * d)
      throw new ShapeError(`${what}: expected mean [${d}] and m2 [${d},${d}], got ${m.mean.length} and ${m.m2.length} values.`);
    const acc = new GaussianAccumulator(d);
    acc.n = m.count;
    acc.mean.set(m.mean);
    for (let i = 0; i < d; i++) for (let j = i; j < d; j++) acc.m2[i * d + j] = m.m2[i * d + j]!;
    return acc;
  }

  /** Rebuilds an accumulator from saved statistics; they must carry `count` (ours do, pytorch-fid's do not). */
  static fromStats(stats: GaussianStats): GaussianAccumulator {
    checkStats(stats, 'GaussianAccumulator.fromStats');
    if (stats.count === undefined || stats.count < 2)
      throw new ConfigError(
        'GaussianAccumulator.fromStats: these statistics have no sample count (a pytorch-fid .npz stores only mu and sigma), ' +
          'so they cannot be merged; recompute them with @clade/metrics.',
      );
    const acc = new GaussianAccumulator(stats.dims);
    acc.n = stats.count;
    acc.mean.set(stats.mu);
    const k = stats.count - 1;
    for (let i = 0; i < acc.m2.length; i++) acc.m2[i] = stats.sigma[i]! * k;
    return acc;
  }
}

/** m[i][j] += s·v[i]·v[j] for j ≥ i. */
function addOuterUpper(m: Float64Array, v: Float64Array, d: number, s: number): void {
  for (let i = 0; i < d; i++) {
    const vi = v[i]! * s;
    if (vi === 0) continue;
    const row = i * d;
    for (let j = i; j < d; j++) m[row + j] = m[row + j]! + vi * v[j]!;
  }
}

/** Throws unless `stats` has consistent shapes and finite values. */
export function checkStats(stats: GaussianStats, what: string): void {
  const { dims, mu, sigma } = stats;
  if (!Number.isInteger(dims) || dims < 1) throw new ShapeError(`${what}: dims must be a positive integer, got ${dims}.`);
  if (mu.length !== dims) throw new ShapeError(`${what}: mu must have ${dims} entries, got ${mu.length}.`);
  if (sigma.length !== dims * dims)
    throw new ShapeError(`${what}: sigma must be [${dims},${dims}], got ${sigma.length} entries.`);
}
