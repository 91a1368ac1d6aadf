import { ConfusionMatrix, checkDescriptor, DEEPLABV3_MNV2_ADE20K } from '../../index';

const plane = (w: number, h: number, v: number[]) => ({ width: w, height: h, data: v });

describe('ConfusionMatrix', () => {
  it('scores IoU, both mIoU conventions and accuracy with ignored GT and predicted non-classes', () => {
    // K = 4, ignore 0: GT 0 skipped; a predicted 0 is a miss; 3 is only predicted (union > 0, not in GT).
    const gt = plane(4, 2, [1, 1, 2, 2, 0, 0, 1, 2]);
    const pred = plane(4, 2, [1, 0, 2, 3, 3, 1, 1, 2]);
    const s = new ConfusionMatrix(4, 0).add(gt, pred).scores();
    // class 1: TP 2, GT 3, Pred 2 → 2/3; class 2: TP 2, GT 3, Pred 2 → 2/3; class 3: TP 0, GT 0, Pred 1 → 0.
    expect(s.perClass).toEqual([null, 2 / 3, 2 / 3, 0]);
    expect(s.miou).toBeCloseTo(2 / 3, 15);
    expect(s.classesGt).toBe(2);
    expect(s.miouUnion).toBeCloseTo(4 / 9, 15);
    expect(s.classesUnion).toBe(3);
    expect(s.accuracy).toBeCloseTo(4 / 6, 15);
    expect(s.pixels).toBe(6);
  });

  it('skips GT outside 0..K−1 (255) and treats out-of-range predictions as misses; merges', () => {
    const a = new ConfusionMatrix(2, 255).add(plane(3, 1, [0, 255, 1]), plane(3, 1, [0, 1, 7]));
    const b = new ConfusionMatrix(2, 255).add(plane(1, 1, [1]), plane(1, 1, [1]));
    const s = a.merge(b).scores();
    expect(s.pixels).toBe(3);
    expect(s.accuracy).toBeCloseTo(2 / 3, 15);
    expect(s.perClass).toEqual([1, 0.5]);
    expect(() => a.add(plane(1, 1, [0]), plane(2, 1, [0, 0]))).toThrow(/1x1 but the prediction is 2x1/);
  });

  it('validates descriptors', () => {
    expect(checkDescriptor(DEEPLABV3_MNV2_ADE20K)).toBe(DEEPLABV3_MNV2_ADE20K);
    expect(() => checkDescriptor({ ...DEEPLABV3_MNV2_ADE20K, layout: 'CHW' as never })).toThrow(/layout must be 'NCHW' or 'NHWC', got "CHW"/);
    expect(() => checkDescriptor({ ...DEEPLABV3_MNV2_ADE20K, std: [1, 0, 1] })).toThrow(/non-zero/);
  });
});
