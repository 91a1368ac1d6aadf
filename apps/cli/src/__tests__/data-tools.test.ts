import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadNpyFile } from '@clade/core';
import { encode as encodePng } from 'fast-png';
import { describeWithShared, sharedPath, maxAbsDiff } from '@clade/test-utils';
import { parseColorLabels, parseDataset } from '../commands/data';
import { runAll } from './run-cli';

const P2 = 'fixtures/p2_preprocessing';
const SAMPLES = ['val_000000000139', 'val_000000001503', 'train_000000350505'];


const INSPECT_FILES = ['data/coco_stuff/val_label', 'data/coco_stuff/train_label'];
const DIST_FILES = SAMPLES.flatMap((s) => [`${P2}/${s}_label_orig.png`, `${P2}/${s}_dist_orig.npy`]);

// One flow, two rounds of three CLI runs in parallel (each run starts tsx + tfjs: seconds on a busy machine).
describeWithShared('clade data dist-map / dist-maps / inspect', [...DIST_FILES, ...INSPECT_FILES], () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'clade-cli-data-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('dist-map/dist-maps equal the official *_dist_orig.npy and skip up-to-date maps; inspect reports problems (exit 0, 2 with --strict)', async () => {
    // A COCO-Stuff tree of the three p2 labels.
    const coco = path.join(root, 'coco');
    for (const s of SAMPLES) {
      const [phase, id] = s.split('_') as [string, string];
      await mkdir(path.join(coco, `${phase}_label`), { recursive: true });
      await copyFile(sharedPath(P2, `${s}_label_orig.png`), path.join(coco, `${phase}_label`, `${id}.png`));
    }
    // A custom-layout folder (label/, image/): ok.png fine, cut.png truncated, bad.png holds id 20 (labelNc 13).
    const custom = path.join(root, 'custom');
    for (const d of ['label', 'image']) await mkdir(path.join(custom, d), { recursive: true });
    const png = (ids: number[]) => encodePng({ width: ids.length, height: 1, data: Uint8Array.from(ids), channels: 1, depth: 8 });
    const gray = encodePng({ width: 3, height: 1, data: new Uint8Array(9).fill(90), channels: 3, depth: 8 });
    await writeFile(path.join(custom, 'label', 'ok.png'), png([0, 1, 12]));
    const full = png(Array.from({ length: 4096 }, (_, i) => i % 13));
    await writeFile(path.join(custom, 'label', 'cut.png'), full.subarray(0, full.length >> 1));
    await writeFile(path.join(custom, 'label', 'bad.png'), png([20, 20, 1]));
    for (const n of ['ok', 'cut', 'bad']) await writeFile(path.join(custom, 'image', `${n}.png`), gray);

    const single = path.join(root, 'single.npy');
    const [map, maps, shared] = await runAll(
      [
        ['data', 'dist-map', '--label', sharedPath(P2, `${SAMPLES[0]}_label_orig.png`), '--out', single],
        ['data', 'dist-maps', coco, '--dataset', 'coco', '--json'],
        ['data', 'inspect', sharedPath('data/coco_stuff'), '--dataset', 'coco', '--json'],
      ],
      { limit: 3 },
    );
    // dist-map on the largest sample; dist-maps writes all three (the same map code).
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
    expect(shared!.code).toBe(0);
    const report = JSON.parse(shared!.out);
    expect(report).toMatchObject({ dataset: 'coco', phases: { train: 13, val: 8 }, pairs: 21, labelsRead: 21, problems: [] });
    expect(report.classes.find((c: { id: number }) => c.id === 255)).toMatchObject({ name: 'dontcare', images: 21 });

    // Round 2. A truncated label in the COCO tree: reported (exit 2); the other maps are up to date.
    await writeFile(path.join(coco, 'val_label', 'broken.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    const [again, listed, strict] = await runAll(
      [
        ['data', 'dist-maps', coco, '--dataset', 'coco'],
        ['data', 'inspect', custom, '--dataset', 'custom'],
        ['data', 'inspect', custom, '--dataset', 'custom', '--label-nc', '13', '--strict', '--json'],
      ],
      { limit: 3 },
    );
    expect(again!.code).toBe(2);
    expect(again!.out).toMatch(/coco at .*: 4 labels \(train 1, val 3\)\nwrote 0, up to date 3, failed 1 in/);
    expect(again!.err).toMatch(/^clade: '.*broken\.png' is a truncated PNG: its header ends at byte 4/);

    expect(listed!.code).toBe(0);
    expect(listed!.err).toBe('');
    expect(listed!.out).toMatch(/^custom at .*: 3 pairs \(all 3\), 2 labels read/);
    expect(listed!.out).toMatch(/\nproblems \(2: 1 id-out-of-range, 1 unreadable\):\n/);
    expect(listed!.out).toMatch(/ {2}id-out-of-range: '.*bad\.png' has raw values outside \[0, 12\] for labelNc 13: 20 \(2 px\)\.\n/);
    expect(listed!.out).toMatch(/ {2}unreadable: '.*cut\.png' is truncated or corrupt: it ends at byte \d+, inside its image data/);

    expect(strict!.code).toBe(2);
    expect(strict!.err).toBe('');
    const problems = JSON.parse(strict!.out).problems;
    expect(problems.map((p: { kind: string; id: string }) => [p.kind, p.id])).toEqual([['id-out-of-range', 'bad'], ['unreadable', 'cut']]);
    expect(problems[0].values).toEqual([{ id: 20, pixels: 2 }]);
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
