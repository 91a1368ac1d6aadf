import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { evalPreset, evaluateMiou, sha256Hex, type SegmenterDescriptor } from '../../index';
import { png } from '../../__tests__/helpers/png';
import { paint, rgbSegmenter } from '../../__tests__/helpers/rgb-segmenter';

// Two 4×2 images and their label maps (255 ignored). The segmenter predicts each pixel's
// strongest channel, so the confusion matrix is known by hand:
//   class 0: GT 5, predicted 3, TP 3 → IoU 3/5
//   class 1: GT 5, predicted 7, TP 5 → IoU 5/7
//   class 2: GT 4, predicted 4, TP 3 → IoU 3/5
//   accuracy 11 of 14 scored pixels (a: 5 of 7, b: 6 of 7)
const SCENES = {
  a: { predicted: [0, 0, 1, 1, 2, 2, 0, 1], truth: [0, 0, 1, 2, 2, 255, 0, 0] },
  b: { predicted: [1, 1, 1, 1, 2, 2, 2, 2], truth: [1, 1, 1, 1, 2, 2, 0, 255] },
};

describe('evaluateMiou', () => {
  let dir: string;
  let descriptor: SegmenterDescriptor;
  let model: Uint8Array;
  const at = (...p: string[]) => path.join(dir, ...p);

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'metrics-miou-run-'));
    ({ descriptor, model } = rgbSegmenter(4, 2));
    writeFileSync(at(descriptor.fileName), model);
    mkdirSync(at('images'));
    mkdirSync(at('labels'));
    for (const [name, s] of Object.entries(SCENES)) {
      writeFileSync(at('images', `${name}.png`), png(4, 2, 3, paint(s.predicted)));
      writeFileSync(at('labels', `${name}.png`), png(4, 2, 1, Uint8Array.from(s.truth)));
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('scores the set over one confusion matrix and records the protocol', async () => {
    const calls: string[] = [];
    const r = await evaluateMiou({
      images: at('images'),
      labels: at('labels'),
      segmenter: descriptor,
      segmenterFile: at(descriptor.fileName),
      threads: 1,
      progress: (stage) => (done, total) => calls.push(`${stage} ${done}/${total}`),
    });
    expect(r.scores.perClass).toEqual([3 / 5, 5 / 7, 3 / 5].map((v) => expect.closeTo(v, 12)));
    expect(r.scores.miou).toBeCloseTo((3 / 5 + 5 / 7 + 3 / 5) / 3, 12);
    expect(r.scores.accuracy).toBeCloseTo(11 / 14, 12);
    expect(r.scores.classesGt).toBe(3);
    expect(r.perImage).toEqual([
      { name: 'a', accuracy: expect.closeTo(5 / 7, 12), pixels: 7 },
      { name: 'b', accuracy: expect.closeTo(6 / 7, 12), pixels: 7 },
    ]);
    expect(calls).toEqual(['segmenter 1/2', 'segmenter 2/2']);
    expect(r.protocol).toMatchObject({
      segmenter: 'rgb_argmax',
      file: at(descriptor.fileName),
      sha256: sha256Hex(model),
      inputSize: '4×2 NCHW RGB',
      numClasses: 3,
      ignoreIndex: 255,
      labelConvention: 'ids 0..2, 255 ignored',
      images: { path: at('images'), count: 2 },
      labels: at('labels'),
    });
  });

  it("finds the model in the models folder and records the preset's label convention", async () => {
    const saved = process.env.CLADE_MODELS;
    process.env.CLADE_MODELS = dir;
    try {
      const r = await evaluateMiou({ images: at('images'), labels: at('labels'), segmenter: descriptor, preset: evalPreset('cityscapes') });
      expect(r.protocol.file).toBe(at(descriptor.fileName));
      expect(r.protocol.labelConvention).toBe(evalPreset('cityscapes').labelConvention);
      expect(r.scores.accuracy).toBeCloseTo(11 / 14, 12);
    } finally {
      if (saved === undefined) delete process.env.CLADE_MODELS;
      else process.env.CLADE_MODELS = saved;
    }
  });

  it('names images that have no label map before loading the segmenter', async () => {
    mkdirSync(at('more'));
    writeFileSync(at('more', 'c.png'), png(4, 2, 3, paint(SCENES.a.predicted)));
    await expect(
      evaluateMiou({ images: at('more'), labels: at('labels'), segmenter: descriptor, segmenterFile: at('missing.onnx') }),
    ).rejects.toThrow(/1 of 1 images in '.*more' have no label map of the same name .*\(e\.g\. c\.png\)/);
  });
});
