import { loadNpyFile, type NdArray } from '@clade/core';
import { describeWithShared, sharedPath } from '@clade/test-utils';
import {
  instanceEdges,
  loadLabelPng,
  planTransform,
  positionalMap,
  resizeNearestPil,
  transformLabelMap,
  transformPositionalMap,
  type LabelMap,
  type PreprocessConfig,
} from '../index';

// Official outputs (CLADE@1ffd19d, Pillow 12.3, OpenCV 5.0) for three COCO-Stuff samples; see
// ../shared/fixtures/p2_preprocessing/manifest.json.
const DIR = 'fixtures/p2_preprocessing';
const SAMPLES = ['val_000000000139', 'val_000000001503', 'train_000000350505'];
const GEOMETRIES: Array<{ tag: string; cfg: PreprocessConfig }> = [
  { tag: '64x64', cfg: { mode: 'resize_and_crop', loadSize: 64, cropSize: 64 } },
  { tag: '100x75', cfg: { mode: 'fixed', loadSize: 100, cropSize: 100, aspectRatio: 4 / 3 } },
];
const files = SAMPLES.flatMap((s) => [
  `${DIR}/${s}_label_orig.png`, `${DIR}/${s}_inst_orig.png`, `${DIR}/${s}_dist_orig.npy`,
  ...GEOMETRIES.flatMap(({ tag }) => ['label', 'inst', 'edge', 'dist'].map((k) => `${DIR}/${s}_${k}_${tag}.npy`)),
]);

const npy = (name: string): Promise<NdArray> => loadNpyFile(sharedPath(DIR, name));
const png = (name: string): Promise<LabelMap> => loadLabelPng(sharedPath(DIR, name));

function countMismatches(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describeWithShared('p2 preprocessing parity (official CLADE loader)', files, () => {
  describe.each(SAMPLES)('%s', (sample) => {
    it('positional map at the original resolution is within 1e-5 of cal_dist_masks', async () => {
      const label = await png(`${sample}_label_orig.png`);
      const want = await npy(`${sample}_dist_orig.npy`);
      const got = positionalMap(label);
      expect(want.shape).toEqual([2, label.height, label.width]);
      const d = maxAbsDiff(got.data, want.data as Float32Array);
      expect(d).toBeLessThanOrEqual(1e-5);
      expect(d).toBe(0); // measured bit-exact on all three samples; the contract above is 1e-5
    });

    it.each(GEOMETRIES)('$tag: PIL-NEAREST label and instance resizes and edges are exact', async ({ tag, cfg }) => {
      const label = await png(`${sample}_label_orig.png`);
      const inst = await png(`${sample}_inst_orig.png`);
      const steps = planTransform(cfg, label.width, label.height);
      const [wantLabel, wantInst, wantEdge] = await Promise.all(
        ['label', 'inst', 'edge'].map((k) => npy(`${sample}_${k}_${tag}.npy`)),
      );
      const gotLabel = transformLabelMap(label, steps);
      const gotInst = transformLabelMap(inst, steps);
      expect([gotLabel.height, gotLabel.width]).toEqual(wantLabel!.shape);
      expect(countMismatches(gotLabel.data, wantLabel!.data as Int32Array)).toBe(0);
      expect(countMismatches(gotInst.data, wantInst!.data as Int32Array)).toBe(0);
      expect(countMismatches(instanceEdges(gotInst), wantEdge!.data as Float32Array)).toBe(0);
      // The same through the bare resize.
      const direct = resizeNearestPil(label, gotLabel.width, gotLabel.height);
      expect(countMismatches(direct.data, gotLabel.data)).toBe(0);
    });

    it.each(GEOMETRIES)('$tag: transformed positional map matches transform_offset exactly', async ({ tag, cfg }) => {
      const label = await png(`${sample}_label_orig.png`);
      const orig = await npy(`${sample}_dist_orig.npy`);
      const want = await npy(`${sample}_dist_${tag}.npy`);
      const steps = planTransform(cfg, label.width, label.height);
      const got = transformPositionalMap(
        { width: label.width, height: label.height, data: orig.data as Float32Array }, steps,
      );
      expect([1, 2, got.height, got.width]).toEqual(want.shape);
      expect(countMismatches(got.data, want.data as Float32Array)).toBe(0);
      // From our own map (not the official one) it is within the map tolerance.
      const ours = transformPositionalMap(positionalMap(label), steps);
      expect(maxAbsDiff(ours.data, want.data as Float32Array)).toBeLessThanOrEqual(1e-5);
    });
  });
});
