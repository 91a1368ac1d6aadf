import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, loadNpyFile } from '@clade/core';
import { describeWithShared, sharedPath } from '@clade/test-utils';
import {
  DATASETS,
  collate,
  disposeBatch,
  iterateBatches,
  listCocoStuff,
  prepareSample,
  type PreprocessConfig,
  type SamplePair,
} from '../../index';
import bicubic from '../../resize/__tests__/fixtures/pil-bicubic.json';

const P2 = 'fixtures/p2_preprocessing';
const TEST64: PreprocessConfig = { mode: 'resize_and_crop', loadSize: 64, cropSize: 64 };
const coco = DATASETS.coco;

const pair139 = (): SamplePair => ({
  id: '000000000139',
  label: sharedPath(P2, 'val_000000000139_label_orig.png'),
  instance: sharedPath(P2, 'val_000000000139_inst_orig.png'),
  image: sharedPath('data/coco_stuff/val_img/000000000139.jpg'),
});

describeWithShared('prepareSample + collate (COCO val 000000000139 at 64x64)', [
  `${P2}/val_000000000139_label_64x64.npy`, 'data/coco_stuff/val_img/000000000139.jpg',
], () => {
  it('gives the official label, edges, positional map and the Pillow-resized photo', async () => {
    const s = await prepareSample(pair139(), { label: coco.label, preprocess: TEST64, positional: true });
    const label = (await loadNpyFile(sharedPath(P2, 'val_000000000139_label_64x64.npy'))).data as Int32Array;
    expect(Array.from(s.classes)).toEqual(Array.from(label, (v) => (v === 255 ? 182 : v)));
    const edge = (await loadNpyFile(sharedPath(P2, 'val_000000000139_edge_64x64.npy'))).data as Float32Array;
    expect(Array.from(s.edges!)).toEqual(Array.from(edge));
    const dist = (await loadNpyFile(sharedPath(P2, 'val_000000000139_dist_64x64.npy'))).data as Float32Array;
    const nhwc = new Float32Array(2 * 64 * 64);
    for (let i = 0; i < 64 * 64; i++) [nhwc[2 * i], nhwc[2 * i + 1]] = [dist[i]!, dist[4096 + i]!];
    expect(s.positional).toEqual(nhwc);
    // The photo: back to bytes, compared with Pillow's BICUBIC 64x64 (the float map is exact per byte).
    const bytes = Uint8Array.from(s.image!, (f) => Math.round((f + 1) * 127.5));
    const want = bicubic.real.find((r) => r.file.endsWith('000000000139.jpg') && r.width === 64)!;
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(want.sha256);
    expect(Math.min(...s.image!)).toBeGreaterThanOrEqual(-1);

    const before = tf.memory().numTensors;
    const b = collate([s, s], coco.label.labelNc + 1);
    expect(b.semantics.shape).toEqual([2, 64, 64, 184]);
    expect(b.image!.shape).toEqual([2, 64, 64, 3]);
    expect(b.positional!.shape).toEqual([2, 64, 64, 2]);
    const sem = b.semantics.dataSync();
    for (const p of [0, 1000, 4095]) {
      const row = sem.subarray(p * 184, (p + 1) * 184);
      expect(row[s.classes[p]!]).toBe(1);
      expect(Array.from(row.subarray(0, 183)).reduce((a, v) => a + v, 0)).toBe(1);
      expect(row[183]).toBe(s.edges![p]); // edge channel last
    }
    disposeBatch(b);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('flips label, edges and photo left-right; the map follows the official quirk unless flipFix', async () => {
    const cfg = { ...TEST64, flip: true };
    const base = await prepareSample(pair139(), { label: coco.label, preprocess: cfg, positional: true });
    const flip = { cropX: 0, cropY: 0, flip: true };
    const f = await prepareSample(pair139(), { label: coco.label, preprocess: cfg, positional: true, params: flip });
    const fixed = await prepareSample(pair139(), {
      label: coco.label, preprocess: cfg, positional: true, params: flip, positionalTransform: { flipFix: true },
    });
    const at = (y: number, x: number) => y * 64 + x;
    expect(f.classes[at(5, 0)]).toBe(base.classes[at(5, 63)]);
    expect(f.image![at(5, 0) * 3]).toBe(base.image![at(5, 63) * 3]);
    expect(f.positional![at(5, 0) * 2]).toBe(base.positional![at(58, 0) * 2]); // top-bottom, as officially
    expect(fixed.positional![at(5, 0) * 2 + 1]).toBe(-base.positional![at(5, 63) * 2 + 1]! || 0);
  });

  it('reports raw ids outside the label range with the file and pixel counts', async () => {
    await expect(
      prepareSample(pair139(), { label: { labelNc: 182, containDontcare: false }, preprocess: TEST64 }),
    ).rejects.toThrow(/'.*val_000000000139_label_orig.png' has raw values 255 \(\d+ px\)/);
    await expect(
      prepareSample({ ...pair139(), instance: undefined }, { label: coco.label, preprocess: TEST64, useInstances: true }),
    ).rejects.toThrow(ConfigError);
  });
});

describeWithShared('iterateBatches over the COCO-Stuff val samples', ['data/coco_stuff/val_label'], () => {
  const options = {
    label: coco.label, preprocess: { mode: 'resize_and_crop', loadSize: 40, cropSize: 32, flip: true } as PreprocessConfig,
    batchSize: 3, shuffle: true, randomize: true,
  };
  const run = async (seed: number, prefetch: number) => {
    const { pairs } = await listCocoStuff(sharedPath('data/coco_stuff'), { phase: 'val' });
    pairs.splice(5); // 5 samples keep the test quick: batches of 3 and 2
    const out: Array<{ ids: string[]; sum: number; shape: number[] }> = [];
    for await (const b of iterateBatches(pairs, { ...options, seed, prefetch })) {
      const sem = b.semantics.dataSync();
      let sum = 0;
      for (let i = 0; i < sem.length; i++) sum += sem[i]! * (i % 184);
      for (const v of b.image!.dataSync()) sum += v;
      out.push({ ids: b.ids, sum, shape: b.semantics.shape });
      disposeBatch(b);
    }
    return out;
  };

  it('is deterministic for a seed whatever the prefetch depth, and changes with the seed', async () => {
    const before = tf.memory().numTensors;
    const a = await run(1, 0);
    const b = await run(1, 3);
    const c = await run(2, 2);
    expect(a.map((x) => x.shape)).toEqual([[3, 32, 32, 184], [2, 32, 32, 184]]);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    expect(new Set(a.flatMap((x) => x.ids)).size).toBe(5);
    expect(a.flatMap((x) => x.ids)).not.toEqual([...a.flatMap((x) => x.ids)].sort()); // shuffled
    expect(tf.memory().numTensors).toBe(before);
  });
});
