import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { describeWithShared, sharedPath } from '@clade/test-utils';
import {
  DEEPLABV3_MNV2_ADE20K,
  MODEL_LOAD_TIMEOUT_MS,
  OnnxSegmenter,
  evaluateSegmentation,
  pairByStem,
} from '../../index';
import golden from './fixtures/ade20k_segmenter.json';

const MODEL = 'models/deeplabv3_mnv2_ade20k_513.onnx';
const ADE = 'data/ade20k_sceneparsing';

// MODELS.md §1c: "sceneparsing val 1–3, native size": stretch 0.7315 / 0.3187 (15) / 0.1406 (34),
// keep-aspect + pad 0.6736 / 0.3064 / 0.1352. Per-image predictions are also compared with the
// Python pipeline (scripts/goldens/ade20k_segmenter.py: PIL + onnxruntime 1.30).
const MODELS_MD = {
  stretch: { accuracy: 0.7315, miou: 0.3187, classesGt: 15, miouUnion: 0.1406, classesUnion: 34 },
  letterbox: { accuracy: 0.6736, miou: 0.3064, miouUnion: 0.1352 },
};

describe('OnnxSegmenter: missing model', () => {
  it('says what to download and where to put it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'metrics-'));
    try {
      const where = path.join(dir, 'deeplabv3_mnv2_ade20k_513.onnx');
      const escaped = where.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      await expect(OnnxSegmenter.load(DEEPLABV3_MNV2_ADE20K, where)).rejects.toThrow(
        new RegExp(`model file '${escaped}' does not exist\\. Download deeplabv3_mnv2_ade20k_513\\.onnx .*sha256 10c55d47.* and put it at '`),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeWithShared('ADE20K DeepLabV3+ MobileNetV2 on the shared sceneparsing samples', [MODEL, `${ADE}/images`], () => {
  let stretch: OnnxSegmenter;
  let letterbox: OnnxSegmenter;
  beforeAll(async () => {
    stretch = await OnnxSegmenter.load(DEEPLABV3_MNV2_ADE20K, sharedPath(MODEL), { threads: 2 });
    letterbox = await OnnxSegmenter.load({ ...DEEPLABV3_MNV2_ADE20K, resize: 'letterbox' }, sharedPath(MODEL), { threads: 2 });
  }, MODEL_LOAD_TIMEOUT_MS);
  afterAll(async () => {
    await stretch?.dispose();
    await letterbox?.dispose();
  });

  it('loads the file MODELS.md names', () => {
    expect(stretch.sha256).toBe(DEEPLABV3_MNV2_ADE20K.sha256);
  });

  it('gives the MODELS.md accuracy and both mIoUs (stretch to 513², PIL bilinear, nearest back)', async () => {
    const pairs = await pairByStem(sharedPath(`${ADE}/images`), sharedPath(`${ADE}/annotations`));
    expect(pairs.map((p) => p.name)).toEqual(golden.policies.stretch.perImage.map((p) => p.name));
    const hashes: string[] = [];
    const res = await evaluateSegmentation(stretch, pairs, {
      onImage: ({ prediction }) => hashes.push(createHash('sha256').update(Uint8Array.from(prediction.data)).digest('hex')),
    });
    const s = res.scores;
    expect(s.accuracy).toBeCloseTo(MODELS_MD.stretch.accuracy, 4);
    expect(s.miou).toBeCloseTo(MODELS_MD.stretch.miou, 4);
    expect(s.classesGt).toBe(MODELS_MD.stretch.classesGt);
    expect(s.miouUnion).toBeCloseTo(MODELS_MD.stretch.miouUnion, 4);
    expect(s.classesUnion).toBe(MODELS_MD.stretch.classesUnion);
    // exactly the Python pipeline's numbers
    expect(s.accuracy).toBeCloseTo(golden.policies.stretch.set.accuracy, 12);
    expect(s.miou).toBeCloseTo(golden.policies.stretch.set.miou, 12);
    expect(hashes).toEqual(golden.policies.stretch.perImage.map((p) => p.sha256));
  });

  it('pools the logits over the image area into a 151-d description that agrees with the labels', async () => {
    const { loadImage } = await import('@clade/data');
    const pairs = await pairByStem(sharedPath(`${ADE}/images`), sharedPath(`${ADE}/annotations`));
    const image = await loadImage(pairs[0]!.image);
    const pooled = await stretch.pooledScores(image, 'logits');
    expect(pooled).toHaveLength(151);
    expect(pooled.every(Number.isFinite)).toBe(true);
    // The strongest pooled class covers a good share of the predicted label map.
    const top = pooled.indexOf(Math.max(...pooled));
    const labels = (await stretch.predict(image)).data;
    const share = labels.filter((v) => v === top).length / labels.length;
    expect(share).toBeGreaterThan(0.1);
    // Both from one run of the network: the same numbers as the two calls.
    const both = await stretch.predictWithPooledScores(image, 'logits');
    expect(Array.from(both.pooled)).toEqual(Array.from(pooled));
    expect(Buffer.compare(Buffer.from(both.labels.data.buffer), Buffer.from(Int32Array.from(labels).buffer))).toBe(0);
    const noFeatures = /has no output 'features' \(it has 'logits', 'labels'\)|has no output 'features' \(it has 'labels', 'logits'\)/;
    await expect(stretch.pooledScores(image, 'features')).rejects.toThrow(noFeatures);
  });

  it('gives the MODELS.md keep-aspect + pad figures with letterbox', async () => {
    const pairs = await pairByStem(sharedPath(`${ADE}/images`), sharedPath(`${ADE}/annotations`));
    const s = (await evaluateSegmentation(letterbox, pairs)).scores;
    expect(s.accuracy).toBeCloseTo(MODELS_MD.letterbox.accuracy, 4);
    expect(s.miou).toBeCloseTo(MODELS_MD.letterbox.miou, 4);
    expect(s.miouUnion).toBeCloseTo(MODELS_MD.letterbox.miouUnion, 4);
  });
});
