import * as tf from '@tensorflow/tfjs-core';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  FidInceptionV3,
  frechetDistance,
  imageFeatures,
  listImages,
  loadReferenceStats,
  loadShards,
  mergeShards,
  saveShardStatistics,
  saveStats,
  evaluateShard,
  type ShardConfig,
} from '../../index';
import { hashedUniform } from '../../__tests__/helpers/hashed';
import { writeHashedInception } from '../../__tests__/helpers/inception-pth';
import { png } from '../../__tests__/helpers/png';

/** `n` 20×16 RGB images of hashed noise. */
function writeImages(dir: string, n: number, seed: number): void {
  mkdirSync(dir);
  for (let i = 0; i < n; i++) {
    const data = Uint8Array.from({ length: 20 * 16 * 3 }, (_, j) => Math.floor(hashedUniform(seed, i, j) * 250));
    writeFileSync(path.join(dir, `img${i}.png`), png(20, 16, 3, data));
  }
}

// Real statistics precomputed (the set is used whole, named by sha256); the fake images split 3 ways.
describe('evaluateShard against real statistics, merged from files', () => {
  let dir: string;
  let model: FidInceptionV3;
  const at = (...p: string[]) => path.join(dir, ...p);

  beforeAll(async () => {
    const { initBackend } = await import('@clade/backend');
    await initBackend({ backend: 'wasm', threads: 1 });
    dir = mkdtempSync(path.join(tmpdir(), 'metrics-shard-run-'));
    writeHashedInception(at('w.pth'));
    writeImages(at('real'), 4, 1);
    writeImages(at('fake'), 5, 2);
    model = await FidInceptionV3.load(at('w.pth'));
  }, 120_000);

  afterAll(async () => {
    model?.dispose();
    rmSync(dir, { recursive: true, force: true });
    await tf.setBackend('cpu');
  });

  it('gives the single pass FID, records the statistics file, and frees every tensor', async () => {
    const real = (await imageFeatures(model, await listImages(at('real')), { dims: 64 })).stats.stats();
    await saveStats(at('real.npz'), real);
    const whole = (await imageFeatures(model, await listImages(at('fake')), { dims: 64 })).stats.stats();
    const fd = frechetDistance(real, whole).distance;
    const reference = await loadReferenceStats(at('real.npz'));
    const config = (index: number): ShardConfig => ({
      shard: { index, count: 3 },
      metric: 'fid',
      fake: { kind: 'images', path: at('fake') },
      fidKid: { real: reference, model, dims: 64, batchSize: 2, backend: 'wasm' },
    });
    const before = tf.memory().numTensors;
    const files = [];
    for (let i = 0; i < 3; i++) {
      const s = await evaluateShard(config(i));
      expect(s.meta.fid!.real).toEqual({ kind: 'stats', path: at('real.npz'), sha256: reference.sha256, count: 4 });
      expect([s.real, s.fakeFeatures, s.confusion]).toEqual([null, null, null]);
      files.push(at(`s${i}.npz`));
      await saveShardStatistics(files[i]!, s);
    }
    expect(tf.memory().numTensors).toBe(before);
    const shards = await loadShards(files);
    expect(shards.map((s) => s.stats.meta.fake.names)).toEqual([['img0.png', 'img1.png'], ['img2.png', 'img3.png'], ['img4.png']]);
    const m = await mergeShards(shards);
    expect(Math.abs(m.fidKid!.fid!.distance - fd) / fd).toBeLessThan(1e-9);
    expect(m.protocol.fid).toMatchObject({ real: { kind: 'stats', path: at('real.npz'), count: 4 }, fake: { path: at('fake'), count: 5 } });
    // The merge reads the recorded file again: a changed file is refused.
    await saveStats(at('real.npz'), whole);
    await expect(mergeShards(shards)).rejects.toThrow(/real statistics '.*real\.npz' have sha256 [0-9a-f]{12}…, but the shards were computed against/);
  }, 120_000);

  it('refuses what cannot run before reading any image', async () => {
    const fake = { kind: 'images', path: at('fake') } as const;
    const shard = { index: 0, count: 2 };
    await expect(evaluateShard({ shard, metric: 'fid', fake })).rejects.toThrow('evaluateShard: nothing to compute; pass fidKid and/or miou.');
    await expect(evaluateShard({ shard, metric: 'kid', fake, fidKid: { real: fake, model, fid: false } })).rejects.toThrow('asks for neither fid nor kid');
    const notAFolder = { kind: 'images', path: at('real', 'img0.png'), label: '--fake' } as const;
    await expect(evaluateShard({ shard, metric: 'fid', fake: notAFolder, fidKid: { real: fake, model, dims: 64 } })).rejects.toThrow(
      /listImages: '.*img0\.png' is not a folder/,
    );
  });
});
