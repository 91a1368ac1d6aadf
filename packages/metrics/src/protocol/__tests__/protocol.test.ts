import {
  CITYSCAPES_LABEL_TO_TRAIN_ID,
  DEEPLABV3_MNV2_ADE20K,
  EVAL_DATASETS,
  baseProtocol,
  describeSegmenter,
  evalPreset,
  formatProtocol,
} from '../../index';

describe('evaluation presets and protocol', () => {
  it('has the paper conventions per dataset', () => {
    expect(EVAL_DATASETS).toEqual(['ade20k', 'ade20k-outdoor', 'cityscapes', 'coco-stuff', 'celebamask-hq', 'deepfashion']);
    expect(evalPreset('cityscapes')).toMatchObject({ imageWidth: 512, imageHeight: 256, fidReferenceSplit: 'train' });
    expect(evalPreset('ade20k').segmenter).toBe(DEEPLABV3_MNV2_ADE20K);
    expect(() => evalPreset('ade')).toThrow(/dataset must be one of ade20k, .*got 'ade'/);
    expect(CITYSCAPES_LABEL_TO_TRAIN_ID[7]).toBe(0);
    expect(CITYSCAPES_LABEL_TO_TRAIN_ID[33]).toBe(18);
    expect(CITYSCAPES_LABEL_TO_TRAIN_ID[0]).toBe(255);
  });

  it('prints every part it holds', () => {
    const p = baseProtocol(evalPreset('ade20k'), { onnxruntime: '1.30.0' });
    p.segmentation = {
      ...describeSegmenter(DEEPLABV3_MNV2_ADE20K),
      file: 'm.onnx',
      sha256: DEEPLABV3_MNV2_ADE20K.sha256!,
      labelConvention: evalPreset('ade20k').labelConvention,
      images: { path: 'fake', count: 3 },
      labels: 'labels',
    };
    const text = formatProtocol(p);
    expect(text).toMatch(/dataset: ade20k, generated images 256×256/);
    expect(text).toMatch(/segmentation: deeplabv3_mnv2_ade20k_513 \(m\.onnx, sha256 10c55d47/);
    expect(text).toMatch(/pixel\/127\.5 − 1/);
    expect(text).toMatch(/software: @clade\/metrics 0\.0\.0, onnxruntime 1\.30\.0/);
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
  });
});
