import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadNpyFile } from '@clade/core';
import { describeWithShared, sharedPath } from '@clade/test-utils';
import { parseColorLabels, parseDataset } from '../commands/data';
import { expectUserError, runAll } from './run-cli';

const P2 = 'fixtures/p2_preprocessing';
const SAMPLES = ['val_000000000139', 'val_000000001503', 'train_000000350505'];

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describeWithShared('clade data dist-map / dist-maps', SAMPLES.flatMap((s) => [`${P2}/${s}_label_orig.png`, `${P2}/${s}_dist_orig.npy`]), () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'clade-cli-dist-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('dist-map equals the official *_dist_orig.npy; dist-maps fills {phase}_dist and then skips up-to-date maps', async () => {
    const coco = path.join(root, 'coco');
    for (const s of SAMPLES) {
      const [phase, id] = s.split('_') as [string, string];
      await mkdir(path.join(coco, `${phase}_label`), { recursive: true });
      await copyFile(sharedPath(P2, `${s}_label_orig.png`), path.join(coco, `${phase}_label`, `${id}.png`));
    }
    // dist-map on the largest sample; dist-maps writes all three (the same map code), checked below.
    const single = path.join(root, 'single.npy');
    const [map, maps, badPalette] = await runAll([
      ['data', 'dist-map', '--label', sharedPath(P2, `${SAMPLES[0]}_label_orig.png`), '--out', single],
      ['data', 'dist-maps', coco, '--dataset', 'coco', '--json'],
      ['data', 'dist-map', '--label', sharedPath(P2, `${SAMPLES[0]}_label_orig.png`), '--out', single, '--color-labels', 'coco'],
    ]);
    expect(map!.code).toBe(0);
    expect(map!.out).toMatch(/^wrote .*single\.npy: float32 \[2,426,640\] in [\d.]+ s\n$/);
    const official = (s: string) => loadNpyFile(sharedPath(P2, `${s}_dist_orig.npy`));
    const got = await loadNpyFile(single);
    expect({ dtype: got.dtype, shape: got.shape }).toEqual({ dtype: 'float32', shape: [2, 426, 640] });
    expect(maxAbsDiff(got.data as Float32Array, (await official(SAMPLES[0]!)).data as Float32Array)).toBeLessThanOrEqual(1e-5); // measured: 0

    expect(maps!.code).toBe(0);
    const summary = JSON.parse(maps!.out);
    expect(summary).toMatchObject({ dataset: 'coco', phases: { train: 1, val: 2 }, total: 3, written: 3, upToDate: 0, failed: [] });
    expect(summary.example).toBe(path.join(coco, 'train_dist', '000000350505.npy'));
    for (const s of SAMPLES) {
      const [phase, id] = s.split('_') as [string, string];
      const cached = await loadNpyFile(path.join(coco, `${phase}_dist`, `${id}.npy`));
      const want = await official(s);
      expect(cached.shape).toEqual(want.shape);
      expect(maxAbsDiff(cached.data as Float32Array, want.data as Float32Array)).toBeLessThanOrEqual(1e-5); // measured: 0
    }
    expectUserError(badPalette!, /--color-labels must be one of ade20k, cityscapes; got 'coco'/);

    // A truncated label: reported (exit 2), the other maps are up to date and stay.
    await writeFile(path.join(coco, 'val_label', 'broken.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    const [again] = await runAll([['data', 'dist-maps', coco, '--dataset', 'coco']]);
    expect(again!.code).toBe(2);
    expect(again!.out).toMatch(/coco at .*: 4 labels \(train 1, val 3\)\nwrote 0, up to date 3, failed 1 in/);
    expect(again!.err).toMatch(/^clade: decodeLabelPng: '.*broken\.png' is not a readable PNG/);
  });
});

describe('data flag parsing', () => {
  it('--dataset, --color-labels and --tolerance', () => {
    expect(parseDataset('deepfashion')).toBe('deepfashion');
    expect(() => parseDataset(undefined)).toThrow(/--dataset is required: one of ade20k, coco, cityscapes, celebamask, deepfashion, custom\./);
    expect(() => parseDataset('ade')).toThrow(/--dataset must be one of .*; got 'ade'/);
    expect(parseColorLabels(undefined, undefined)).toBeUndefined();
    expect(parseColorLabels('cityscapes', '12')).toMatchObject({ palette: { name: 'cityscapes' }, tolerance: 12 });
    expect(() => parseColorLabels(undefined, '3')).toThrow(/--tolerance needs --color-labels/);
    expect(() => parseColorLabels('ade20k', '-1')).toThrow(/--tolerance must be a number ≥ 0/);
  });
});
