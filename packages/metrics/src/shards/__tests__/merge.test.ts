import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { statsToNpz } from '../../stats/stats-file';
import { shardItems, shardRange } from '@clade/data';
import {
  ConfusionMatrix,
  GaussianAccumulator,
  FeatureBuffer,
  frechetDistance,
  kernelInceptionDistance,
  listDigest,
  loadShardStatistics,
  mergeShards,
  saveShardStatistics,
  sha256Hex,
  shardFromArrays,
  shardToArrays,
  type GaussianStats,
  type ShardInput,
  type ShardMeta,
  type ShardStatistics,
} from '../../index';
import { hashedUniform } from '../../__tests__/helpers/hashed';

const D = 6;

/** `n` rows of d hashed values around a large mean (1e3), where raw power sums would cancel. */
function rows(n: number, seed: number, d = D): Float64Array {
  return Float64Array.from({ length: n * d }, (_, k) => 1e3 + (k % d) + hashedUniform(seed, Math.floor(k / d), k % d) * (1 + (k % d)));
}

function onePass(data: Float64Array, d = D): GaussianStats {
  return new GaussianAccumulator(d).add(data).stats();
}

/** Splits rows at the given sizes, accumulates each part, merges the parts in order. */
function merged(data: Float64Array, sizes: number[], d = D): GaussianStats {
  let at = 0;
  const parts = sizes.map((s) => {
    const acc = new GaussianAccumulator(d).add(data.subarray(at * d, (at + s) * d), s);
    at += s;
    return GaussianAccumulator.fromMoments(acc.moments());
  });
  return parts.slice(1).reduce((a, p) => a.merge(p), parts[0]!).stats();
}

function maxRel(a: Float64Array, b: Float64Array): number {
  const scale = Math.max(...Array.from(b, Math.abs));
  return Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!))) / scale;
}

describe('GaussianAccumulator moments: shard merges equal one pass', () => {
  const data = rows(40, 1);
  const real = onePass(rows(35, 2));
  const single = onePass(data);

  it.each([
    ['1 shard', [40]],
    ['2 shards', [20, 20]],
    ['5 shards', [8, 8, 8, 8, 8]],
    ['uneven, with an empty and a 1-row shard', [13, 0, 1, 25, 1]],
  ])('%s', (_, sizes) => {
    const m = merged(data, sizes);
    expect(m.count).toBe(40);
    expect(maxRel(m.mu, single.mu)).toBeLessThan(1e-14);
    expect(maxRel(m.sigma, single.sigma)).toBeLessThan(1e-12);
    const fd = frechetDistance(real, single).distance;
    expect(Math.abs(frechetDistance(real, m).distance - fd) / fd).toBeLessThan(1e-9);
  });

  it('rebuilds the accumulator bit for bit from its moments (1 shard is the single pass itself)', () => {
    const acc = new GaussianAccumulator(D).add(data);
    const again = GaussianAccumulator.fromMoments(acc.moments()).stats();
    expect(again.mu).toEqual(single.mu);
    expect(again.sigma).toEqual(single.sigma);
    expect(new GaussianAccumulator(D).moments()).toMatchObject({ count: 0, mean: new Float64Array(D) });
    expect(() => GaussianAccumulator.fromMoments({ dims: D, count: -1, mean: new Float64Array(D), m2: new Float64Array(D * D) })).toThrow(
      /count must be an integer ≥ 0, got -1/,
    );
  });
});

// ---- Whole shard files: synthetic statistics (no network), merged and compared with one pass ----

const FEATURE = { network: 'test', weightsFile: '/w.pth', weightsSha256: 'ab', dims: D, input: 'test', statistics: 'test' };
const SEG = {
  segmenter: 'seg', file: '/seg.onnx', sha256: 'cd', inputSize: '4×2', resize: 'stretch', normalization: '-', outputResize: 'nearest',
  numClasses: 3, ignoreIndex: 255, labelConvention: '-', miou: '-', accuracy: '-', images: { path: '/fake', count: 0 }, labels: '/labels',
};

interface World {
  fakeNames: string[];
  realNames: string[];
  fake: Float64Array;
  real: Float64Array;
  /** Per fake image: GT and predicted labels of 8 pixels. */
  gt: number[][];
  pred: number[][];
}

function world(nFake: number, nReal: number): World {
  const fakeNames = Array.from({ length: nFake }, (_, i) => `f${String(i).padStart(3, '0')}.png`);
  const realNames = Array.from({ length: nReal }, (_, i) => `r${String(i).padStart(3, '0')}.png`);
  const lab = (seed: number) => fakeNames.map((_, i) => Array.from({ length: 8 }, (_, j) => [0, 1, 2, 255][Math.floor(hashedUniform(seed, i, j) * 4)]!));
  // float32 features, as the network emits them
  const f32 = (d: Float64Array) => Float64Array.from(new Float32Array(d));
  return { fakeNames, realNames, fake: f32(rows(nFake, 3)), real: f32(rows(nReal, 4)), gt: lab(5), pred: lab(6) };
}

function set(names: string[], shard: { index: number; count: number }, p: string) {
  return { path: p, total: names.length, digest: listDigest(names), names: shardItems(names, shard) };
}

function slice(data: Float64Array, total: number, shard: { index: number; count: number }): Float64Array {
  const { start, end } = shardRange(total, shard);
  return data.subarray(start * D, end * D);
}

/** The statistics a shard run computes, made by hand from the world. */
function shardOf(w: World, index: number, count: number, over: Partial<ShardMeta> = {}): ShardStatistics {
  const shard = { index, count };
  const fakePart = slice(w.fake, w.fakeNames.length, shard);
  const realPart = slice(w.real, w.realNames.length, shard);
  const matrix = new ConfusionMatrix(3, 255);
  const { start, end } = shardRange(w.fakeNames.length, shard);
  const perImage = [];
  for (let i = start; i < end; i++) {
    const one = new ConfusionMatrix(3, 255).add({ width: 4, height: 2, data: w.gt[i]! }, { width: 4, height: 2, data: w.pred[i]! });
    matrix.merge(one);
    perImage.push({ name: w.fakeNames[i]!.slice(0, -4), accuracy: one.scores().accuracy, pixels: one.scores().pixels });
  }
  const feats = (d: Float64Array) => new FeatureBuffer(D).add(d).matrix();
  return {
    meta: {
      format: 'clade-eval-shard',
      version: 1,
      metric: 'all',
      shard,
      dataset: 'ade20k',
      software: { '@clade/metrics': 'x', tfjsBackend: 'cpu' },
      fake: set(w.fakeNames, shard, '/fake'),
      fid: { feature: FEATURE, real: { kind: 'images', set: set(w.realNames, shard, '/real') }, distance: true, kid: { subsets: 4, subsetSize: 5, seed: 3 } },
      segmentation: { protocol: { ...SEG, images: { path: '/fake', count: w.fakeNames.length } }, perImage },
      ...over,
    },
    fake: new GaussianAccumulator(D).add(fakePart).moments(),
    real: new GaussianAccumulator(D).add(realPart).moments(),
    fakeFeatures: feats(fakePart),
    realFeatures: feats(realPart),
    confusion: matrix,
  };
}

/** Shard statistics through the .npz layout and back, as a merge reads them. */
function viaFile(s: ShardStatistics, i: number): ShardInput {
  return { file: `s${i}.npz`, stats: shardFromArrays(shardToArrays(s), `s${i}.npz`) };
}

function split(w: World, n: number, over?: (i: number) => Partial<ShardMeta>): ShardInput[] {
  return Array.from({ length: n }, (_, i) => viaFile(shardOf(w, i, n, over?.(i)), i));
}

describe('mergeShards', () => {
  // 7 fake and 9 real images: 5 shards are uneven; 9 shards leave 2 fake parts empty.
  const w = world(7, 9);
  const fd = frechetDistance(onePass(w.real), onePass(w.fake)).distance;
  const feats = (d: Float64Array) => new FeatureBuffer(D).add(d).matrix();
  const kid = kernelInceptionDistance(feats(w.real), feats(w.fake), { subsets: 4, subsetSize: 5, seed: 3 });
  const whole = new ConfusionMatrix(3, 255);
  w.gt.forEach((g, i) => whole.add({ width: 4, height: 2, data: g }, { width: 4, height: 2, data: w.pred[i]! }));

  it.each([1, 2, 5, 9])('%i shards give the single run FID (1e-9), KID and mIoU (exact)', async (n) => {
    // Handed over in reverse: the merge orders them.
    const r = await mergeShards(split(w, n).reverse());
    expect(r.metric).toBe('all');
    expect(r.shards).toBe(n);
    const rel = Math.abs(r.fidKid!.fid!.distance - fd) / fd;
    expect(rel).toBeLessThan(1e-9);
    if (n === 1) expect(r.fidKid!.fid!.distance).toBe(fd);
    expect(r.fidKid!.kid).toEqual(kid);
    expect(Array.from(r.miou!.matrix.counts)).toEqual(Array.from(whole.counts));
    expect(r.miou!.scores).toEqual(whole.scores());
    expect(r.miou!.perImage.map((p) => p.name)).toEqual(w.fakeNames.map((f) => f.slice(0, -4)));
    expect(r.protocol.fid).toMatchObject({ real: { kind: 'images', path: '/real', count: 9 }, fake: { path: '/fake', count: 7 }, dims: D });
    expect(r.protocol.kid).toMatchObject({ subsets: 4, subsetSize: 5, seed: 3, real: { count: 9 }, fake: { count: 7 } });
    expect(r.protocol.segmentation!.images).toEqual({ path: '/fake', count: 7 });
    expect(r.protocol.dataset).toBe('ade20k');
    expect(r.fidKid!.warning).toMatch(/not comparable/);
  });

  it('round-trips a shard file on disk', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'metrics-shards-'));
    try {
      const s = shardOf(w, 1, 2);
      await saveShardStatistics(path.join(dir, 's.npz'), s);
      const back = await loadShardStatistics(path.join(dir, 's.npz'));
      expect(back.meta).toEqual(s.meta);
      expect(back.fake).toEqual(s.fake);
      expect(back.realFeatures!.data).toEqual(s.realFeatures!.data);
      expect(Array.from(back.confusion!.counts)).toEqual(Array.from(s.confusion!.counts));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('merges against a real statistics file, which must be the one the shards recorded', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'metrics-shards-real-'));
    try {
      const realStats = onePass(w.real);
      const bytes = statsToNpz(realStats);
      const file = path.join(dir, 'real.npz');
      writeFileSync(file, bytes);
      const other = path.join(dir, 'other.npz');
      writeFileSync(other, statsToNpz(onePass(rows(9, 8))));
      const withStats = () => ({
        fid: { feature: FEATURE, real: { kind: 'stats' as const, path: file, sha256: sha256Hex(bytes), count: 9 }, distance: true, kid: null },
        segmentation: null,
        metric: 'fid',
      });
      const shards = split(w, 3, withStats).map((s) => ({ ...s, stats: { ...s.stats, real: null, realFeatures: null, fakeFeatures: null, confusion: null } }));
      const r = await mergeShards(shards);
      expect(r.fidKid!.fid!.distance).toBeCloseTo(fd, 9);
      expect(Math.abs(r.fidKid!.fid!.distance - fd) / fd).toBeLessThan(1e-9);
      expect(r.protocol.fid!.real).toEqual({ kind: 'stats', path: file, sha256: sha256Hex(bytes), count: 9 });
      expect(r.miou).toBeNull();
      await expect(mergeShards(shards, { real: other })).rejects.toThrow(
        /real statistics '.*other\.npz' have sha256 .*, but the shards were computed against '.*real\.npz'/,
      );
      await expect(mergeShards(split(w, 2), { real: file })).rejects.toThrow(/these shards split the real images \('\/real'\) themselves; pass none/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a missing or repeated shard, mixed splits and mixed protocols, naming the files', async () => {
    const four = split(w, 4);
    await expect(mergeShards([four[0]!, four[1]!, four[3]!])).rejects.toThrow(/^mergeShards: 1 of 4 shards missing \(2\/4\); pass all 4\.$/);
    await expect(mergeShards([...four, viaFile(shardOf(w, 2, 4), 9)])).rejects.toThrow(/shard 2\/4 is given twice \('s2\.npz' and 's9\.npz'\)/);
    await expect(mergeShards([...four.slice(0, 3), viaFile(shardOf(w, 1, 3), 7)])).rejects.toThrow(
      /'s7\.npz' \(shard 1\/3\) and 's0\.npz' \(shard 0\/4\) come from splits of different n/,
    );
    const dataset = split(w, 2, (i) => (i === 1 ? { dataset: 'cityscapes' } : {}));
    await expect(mergeShards(dataset)).rejects.toThrow(
      /'s1\.npz' \(shard 1\/2\) and 's0\.npz' \(shard 0\/2\) were computed differently: dataset is "cityscapes" vs "ade20k"/,
    );
    const weights = split(w, 2, (i) => ({ fid: { ...shardOf(w, i, 2).meta.fid!, feature: { ...FEATURE, weightsSha256: i ? 'ff' : 'ab' } } }));
    await expect(mergeShards(weights)).rejects.toThrow(/computed differently: fid\.feature\.weightsSha256 is "ff" vs "ab"/);
    // Paths may differ between machines; the image lists may not.
    const moved = split(w, 2, (i) => ({ fake: { ...set(w.fakeNames, { index: i, count: 2 }, `/mnt${i}/fake`) } }));
    await expect(mergeShards(moved)).resolves.toMatchObject({ shards: 2 });
    const renamed = split(w, 2, (i) => (i ? { fake: set(['a.png', ...w.fakeNames.slice(1)], { index: 1, count: 2 }, '/fake') } : {}));
    await expect(mergeShards(renamed)).rejects.toThrow(/computed differently: fake\.digest is "[0-9a-f]{64}" vs "[0-9a-f]{64}"/);
    await expect(mergeShards([])).rejects.toThrow(/no shard files given/);
  });
});
