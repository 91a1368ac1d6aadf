import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readNpz } from '@clade/core';
import {
  GaussianAccumulator,
  frechetDistance,
  kernelInceptionDistance,
  kidFromSubsets,
  kidSubsets,
  loadStats,
  mmd2Unbiased,
  saveStats,
  statsFromNpz,
  statsToNpz,
  type FeatureMatrix,
  type GaussianStats,
} from '../../index';
import { hashedFeatures, type HashedSpec } from '../../__tests__/helpers/hashed';
import golden from './fixtures/fid_kid.json';

// Goldens: scripts/goldens/fid_kid.py (numpy/scipy versions recorded in the JSON).
type Case = (typeof golden.cases)[number];

function features(spec: HashedSpec): FeatureMatrix {
  return { rows: spec.rows, dims: spec.dims, data: hashedFeatures(spec) };
}

function statsOf(f: FeatureMatrix, shards = 1): GaussianStats {
  const per = Math.ceil(f.rows / shards);
  const parts: GaussianAccumulator[] = [];
  for (let s = 0; s < shards; s++) {
    const acc = new GaussianAccumulator(f.dims);
    // uneven batches inside each shard
    const lo = s * per;
    const hi = Math.min(f.rows, lo + per);
    for (let r = lo; r < hi; r += 7) acc.add(f.data.subarray(r * f.dims, Math.min(hi, r + 7) * f.dims));
    parts.push(acc);
  }
  return parts.reduce((a, b) => a.merge(b)).stats();
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
const cases: [string, Case][] = golden.cases.map((c) => [c.name, c]);

describe('Fréchet distance vs numpy/scipy float64 goldens', () => {
  it.each(cases)('%s', (_, c) => {
    const x1 = features(c.first);
    const x2 = features(c.second);
    const s1 = statsOf(x1, 3);
    const s2 = statsOf(x2);
    expect(rel(s1.sigma[0]!, c.sigma1_probe[0]!)).toBeLessThan(1e-12);
    expect(rel(s1.sigma[(s1.dims - 1) * s1.dims]!, c.sigma1_probe[1]!)).toBeLessThan(1e-10);
    expect(rel(s1.sigma.reduce((a, v) => a + v, 0), c.sigma1_probe[3]!)).toBeLessThan(1e-9);
    for (const method of ['cholesky', 'eigh'] as const) {
      const r = frechetDistance(s1, s2, { method });
      expect(rel(r.meanTerm, c.mean_term)).toBeLessThan(1e-10);
      expect(rel(r.traceSigma1, c.trace_sigma1)).toBeLessThan(1e-12);
      expect(r.rankSigma1).toBe(c.rank_sigma1);
      expect(rel(r.traceSqrtProduct, c.trace_sqrt_exact)).toBeLessThan(1e-9);
      // The check of the issue: 1e-6 relative against the float64 references.
      expect(rel(r.distance, c.fd_exact)).toBeLessThan(1e-6);
      expect(rel(r.distance, c.fd_pytorch_fid)).toBeLessThan(1e-6);
    }
  });

  it('is 0 for identical statistics, also rank-deficient ones', () => {
    const s = statsOf(features({ seed: 5, rows: 10, dims: 24, mix: 0.8, shift: 0 }));
    const r = frechetDistance(s, s);
    expect(Math.abs(r.distance)).toBeLessThan(1e-12 * r.traceSigma1);
  });

  it('rejects mismatched dims and non-finite statistics', () => {
    const a = statsOf(features({ seed: 1, rows: 5, dims: 4, mix: 0, shift: 0 }));
    const b = statsOf(features({ seed: 2, rows: 5, dims: 3, mix: 0, shift: 0 }));
    expect(() => frechetDistance(a, b)).toThrow(/different dims, 4 vs 3/);
    const bad = { ...a, sigma: Float64Array.from(a.sigma, (v, i) => (i === 5 ? NaN : v)) };
    expect(() => frechetDistance(a, bad)).toThrow(/non-finite/);
  });
});

describe('GaussianAccumulator', () => {
  const f = features({ seed: 9, rows: 50, dims: 6, mix: 0.8, shift: 100 });
  it('merges shards exactly (Chan), even with a large mean', () => {
    const one = statsOf(f, 1);
    const five = statsOf(f, 5);
    for (let i = 0; i < 36; i++) expect(Math.abs(five.sigma[i]! - one.sigma[i]!)).toBeLessThan(1e-13);
    expect(five.count).toBe(50);
    // two-pass reference
    const d = 6;
    const mu = new Float64Array(d);
    for (let r = 0; r < 50; r++) for (let j = 0; j < d; j++) mu[j] = mu[j]! + f.data[r * d + j]! / 50;
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) {
        let acc = 0;
        for (let r = 0; r < 50; r++) acc += (f.data[r * d + i]! - mu[i]!) * (f.data[r * d + j]! - mu[j]!);
        expect(Math.abs(one.sigma[i * d + j]! - acc / 49)).toBeLessThan(1e-13);
      }
  });

  it('round-trips through pytorch-fid .npz (mu, sigma float64) plus n, and re-merges', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'metrics-'));
    try {
      const s = statsOf(f);
      const bytes = statsToNpz(s);
      const arrays = readNpz(bytes);
      expect([...arrays.keys()]).toEqual(['mu', 'sigma', 'n']);
      expect(arrays.get('sigma')!.shape).toEqual([6, 6]);
      expect(arrays.get('mu')!.dtype).toBe('float64');
      const file = path.join(dir, 'stats.npz');
      await saveStats(file, s);
      const back = await loadStats(file);
      expect(back).toEqual(s);
      const merged = GaussianAccumulator.fromStats(back).merge(GaussianAccumulator.fromStats(statsFromNpz(bytes))).stats();
      expect(merged.count).toBe(100);
      const noCount = statsFromNpz(statsToNpz({ dims: s.dims, mu: s.mu, sigma: s.sigma }));
      expect(noCount.count).toBeUndefined();
      expect(() => GaussianAccumulator.fromStats(noCount)).toThrow(/no sample count/);
      await expect(loadStats(path.join(dir, 'missing.npz'))).rejects.toThrow(/no such file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('needs two vectors for a covariance and finite features', () => {
    const acc = new GaussianAccumulator(2).add([1, 2]);
    expect(() => acc.stats()).toThrow(/at least 2/);
    expect(() => acc.add([1, Infinity])).toThrow(/finite/);
    expect(() => acc.add([1, 2, 3])).toThrow(/rows·2/);
  });
});

describe('KID vs numpy float64 goldens', () => {
  it.each(cases)('%s', (_, c) => {
    const x = features(c.first);
    const y = features(c.second);
    expect(rel(mmd2Unbiased(x, y), c.kid_full)).toBeLessThan(1e-6);
    const subsets = c.kid_subsets.map((s) => ({ x: Int32Array.from(s.x), y: Int32Array.from(s.y) }));
    for (const budget of [0, 2 ** 24]) {
      const r = kidFromSubsets(x, y, subsets, { kernelBudget: budget });
      r.values.forEach((v, i) => expect(rel(v, c.kid_subset_values[i]!)).toBeLessThan(1e-6));
      expect(rel(r.kid, c.kid_subsets_mean)).toBeLessThan(1e-6);
      expect(rel(r.std, c.kid_subsets_std)).toBeLessThan(1e-6);
    }
  });

  it('uses the full set when it is smaller than the subset size (std 0), and is seeded', () => {
    const c = golden.cases[1]!;
    const x = features(c.first);
    const y = features(c.second);
    const r = kernelInceptionDistance(x, x.rows <= y.rows ? { ...y, rows: x.rows, data: y.data.subarray(0, x.rows * y.dims) } : y, { subsets: 3 });
    expect(r.subsetSize).toBe(x.rows);
    expect(r.std).toBeLessThan(1e-12 * Math.abs(r.kid) + 1e-15);
    const a = kernelInceptionDistance(x, y, { subsets: 5, subsetSize: 8, seed: 3 });
    const b = kernelInceptionDistance(x, y, { subsets: 5, subsetSize: 8, seed: 3 });
    expect(a).toEqual(b);
    expect(a.values).not.toEqual(kernelInceptionDistance(x, y, { subsets: 5, subsetSize: 8, seed: 4 }).values);
    const s = kidSubsets(20, 30, 2, 8, 1);
    for (const { x: ix, y: iy } of s) {
      expect(new Set(ix).size).toBe(8);
      expect(new Set(iy).size).toBe(8);
    }
  });

  it('rejects sets that are too small or of different dims', () => {
    const a = features({ seed: 1, rows: 1, dims: 4, mix: 0, shift: 0 });
    const b = features({ seed: 2, rows: 5, dims: 4, mix: 0, shift: 0 });
    expect(() => kernelInceptionDistance(a, b)).toThrow(/at least 2/);
    expect(() => mmd2Unbiased(b, features({ seed: 2, rows: 5, dims: 3, mix: 0, shift: 0 }))).toThrow(/different dims/);
  });
});
