import * as tf from '@tensorflow/tfjs-core';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  FidInceptionV3,
  KID_KERNEL,
  PYTORCH_FID_NETWORK,
  UNOFFICIAL_WEIGHTS_WARNING,
  evalPreset,
  evaluateFidKid,
  frechetDistance,
  imageFeatures,
  kernelInceptionDistance,
  listImages,
  loadReferenceStats,
  loadStats,
  sha256Hex,
  type FidKidEvaluation,
  type ImageFeatures,
  type ImageFolder,
} from '../../index';
import { hashedUniform } from '../../__tests__/helpers/hashed';
import { writeHashedInception } from '../../__tests__/helpers/inception-pth';
import { png } from '../../__tests__/helpers/png';

const KID = { subsets: 3, subsetSize: 10, seed: 5 };

/** `n` 20×16 RGB images of hashed noise; `brightness` shifts the fake set away from the real one. */
function writeImages(dir: string, n: number, seed: number, brightness: number): void {
  mkdirSync(dir);
  for (let i = 0; i < n; i++) {
    const data = Uint8Array.from({ length: 20 * 16 * 3 }, (_, j) => Math.min(255, Math.floor(hashedUniform(seed, i, j) * 200) + brightness));
    writeFileSync(path.join(dir, `${i}.png`), png(20, 16, 3, data));
  }
}

describe('evaluateFidKid', () => {
  let dir: string;
  let weights: string;
  let run: FidKidEvaluation;
  let real: ImageFeatures;
  let fake: ImageFeatures;
  let tensorsBefore: number;
  const stages: string[] = [];
  const at = (...p: string[]) => path.join(dir, ...p);
  const folder = (name: string): ImageFolder => ({ kind: 'images', path: at(name) });

  beforeAll(async () => {
    const { initBackend } = await import('@clade/backend');
    await initBackend({ backend: 'wasm', threads: 1 });
    dir = mkdtempSync(path.join(tmpdir(), 'metrics-fid-kid-run-'));
    weights = at('pt_inception-hashed.pth');
    writeHashedInception(weights);
    writeImages(at('real'), 4, 1, 0);
    writeImages(at('fake'), 3, 2, 50);
    writeImages(at('one'), 1, 3, 0);
    tensorsBefore = tf.memory().numTensors;
    run = await evaluateFidKid({
      real: folder('real'),
      fake: folder('fake'),
      weights,
      dims: 64,
      batchSize: 3, // 4 real images: a full batch and a partial one
      kid: KID,
      saveStats: at('real.npz'),
      preset: evalPreset('ade20k'),
      backend: 'native',
      progress: (stage) => (done, total) => stages.push(`${stage} ${done}/${total}`),
    });
    // The same procedure by hand, from the building blocks.
    const model = await FidInceptionV3.load(weights);
    const options = { dims: 64, batchSize: 3, keepFeatures: true } as const;
    real = await imageFeatures(model, await listImages(at('real')), options);
    fake = await imageFeatures(model, await listImages(at('fake')), options);
    model.dispose();
  }, 300_000);

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await tf.setBackend('cpu');
  });

  it('gives the FID and KID of the building blocks from one pass, and frees every tensor', () => {
    const fd = frechetDistance(real.stats.stats(), fake.stats.stats());
    expect(fd.distance).toBeGreaterThan(0);
    expect(run.fid!.distance).toBeCloseTo(fd.distance, 10);
    expect(run.kid).toEqual(kernelInceptionDistance(real.features!.matrix(), fake.features!.matrix(), KID));
    expect(stages).toEqual(['real 3/4', 'real 4/4', 'fake 3/3']);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('records the protocol: weights, tap, sets, distance, kernel, preset and software', () => {
    const feature = { network: PYTORCH_FID_NETWORK, weightsFile: weights, weightsSha256: sha256Hex(readFileSync(weights)), dims: 64 };
    expect(run.protocol.fid).toMatchObject({
      ...feature,
      real: { kind: 'images', path: at('real'), count: 4 },
      fake: { path: at('fake'), count: 3 },
      referenceSplit: "train (the ade20k preset's convention; not checked)",
      distance: `exact float64 Fréchet distance (cholesky factor of Σ_real, symmetric eigenvalues; rank ${run.fid!.rankSigma1})`,
    });
    expect(run.protocol.kid).toMatchObject({ ...feature, kernel: KID_KERNEL, subsets: 3, subsetSize: 3, seed: 5, real: { count: 4 }, fake: { count: 3 } });
    expect(run.warning).toBe(UNOFFICIAL_WEIGHTS_WARNING);
    expect(run.software).toEqual({ '@clade/metrics': '0.0.0', 'onnxruntime-node': '1.30.0', '@tensorflow/tfjs-core': tf.version_core, tfjsBackend: 'native' });
  });

  it('saves the real statistics (pytorch-fid layout plus n) with a record of how they were made', async () => {
    expect(run.savedStats).toBe(at('real.npz'));
    const saved = await loadStats(at('real.npz'));
    const want = real.stats.stats();
    expect(saved.count).toBe(4);
    expect(Array.from(saved.mu)).toEqual(Array.from(want.mu).map((v) => expect.closeTo(v, 12)));
    const record = JSON.parse(readFileSync(at('real.npz.protocol.json'), 'utf8'));
    const { network, weightsFile, weightsSha256, dims, input, statistics } = run.protocol.fid!;
    const feature = { network, weightsFile, weightsSha256, dims, input, statistics };
    expect(record).toEqual({ statsOf: at('real'), count: 4, feature, software: run.software });
  });

  it('gives the same FID from the saved statistics, and then saves the fake statistics', async () => {
    const reference = await loadReferenceStats(at('real.npz'));
    expect(reference.sha256).toBe(sha256Hex(readFileSync(at('real.npz'))));
    const r = await evaluateFidKid({ real: reference, fake: folder('fake'), weights, dims: 64, saveStats: at('fake.npz') });
    expect(Math.abs(r.fid!.distance - run.fid!.distance)).toBeLessThan(1e-9 * run.fid!.distance);
    expect(r.kid).toBeNull();
    expect(r.protocol.fid!.real).toEqual({ kind: 'stats', path: at('real.npz'), sha256: reference.sha256, count: 4 });
    expect(r.protocol.fid!.referenceSplit).toBeNull();
    expect(r.savedStats).toBe(at('fake.npz'));
    expect((await loadStats(at('fake.npz'))).count).toBe(3);
    expect(JSON.parse(readFileSync(at('fake.npz.protocol.json'), 'utf8'))).toMatchObject({ statsOf: at('fake'), count: 3 });
  });

  it('without fake images only saves the real statistics', async () => {
    const r = await evaluateFidKid({ real: folder('real'), fake: null, weights, dims: 64, saveStats: at('only.npz') });
    expect([r.fid, r.kid, r.savedStats]).toEqual([null, null, at('only.npz')]);
    expect(r.protocol.fid).toMatchObject({ real: { kind: 'images', path: at('real'), count: 4 }, fake: { path: '-', count: 0 }, distance: '-' });
    expect((await loadStats(at('only.npz'))).count).toBe(4);
  });

  it('refuses what cannot run before it loads the weights', async () => {
    const reference = await loadReferenceStats(at('real.npz'));
    const base = { real: folder('real'), fake: folder('fake'), weights: at('absent.pth') };
    await expect(evaluateFidKid({ ...base, dims: 100 as 64 })).rejects.toThrow('dims must be one of 64, 192, 768, 2048, got 100');
    await expect(evaluateFidKid({ ...base, real: reference })).rejects.toThrow(`the real statistics '${at('real.npz')}' are 64-d, but dims is 2048`);
    await expect(evaluateFidKid({ ...base, real: reference, dims: 64, kid: {} })).rejects.toThrow('KID needs the real feature vectors');
    await expect(evaluateFidKid({ ...base, fake: null })).rejects.toThrow('without fake images the run only saves the statistics of real images');
    await expect(evaluateFidKid({ ...base, fid: false })).rejects.toThrow('nothing to compute');
  });

  it('names a set of fewer than 2 images by its label, and frees the network', async () => {
    const before = tf.memory().numTensors;
    const one = { ...folder('one'), label: '--real' };
    await expect(evaluateFidKid({ real: one, fake: folder('fake'), weights, dims: 64 })).rejects.toThrow(
      `--real '${at('one')}' must hold at least 2 images, found 1.`,
    );
    await expect(evaluateFidKid({ real: folder('real'), fake: folder('one'), weights, dims: 64 })).rejects.toThrow(
      `fake '${at('one')}' must hold at least 2 images, found 1.`,
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});
