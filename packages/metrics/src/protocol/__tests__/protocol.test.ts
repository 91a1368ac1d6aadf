import tfjsCorePackage from '@tensorflow/tfjs-core/package.json';
import ortPackage from 'onnxruntime-node/package.json';
import metricsPackage from '../../../package.json';
import {
  CITYSCAPES_LABEL_TO_TRAIN_ID,
  DEEPLABV3_MNV2_ADE20K,
  EVAL_DATASETS,
  baseProtocol,
  describeLabelConvention,
  describeReferenceSplit,
  describeSegmenter,
  evalPreset,
  formatProtocol,
  softwareVersions,
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

  it('records the versions of what is installed, read from package data', () => {
    // Nothing hard-coded: a bumped dependency or package version shows up here without an edit.
    expect(softwareVersions('wasm')).toEqual({
      '@clade/metrics': metricsPackage.version,
      'onnxruntime-node': ortPackage.version,
      '@tensorflow/tfjs-core': tfjsCorePackage.version,
      tfjsBackend: 'wasm',
    });
    expect(softwareVersions()).not.toHaveProperty('tfjsBackend');
  });

  it('states the conventions a preset brings, or what the descriptor alone says', () => {
    expect(describeReferenceSplit(evalPreset('cityscapes'))).toBe("train (the cityscapes preset's convention; not checked)");
    expect(describeReferenceSplit(null)).toBeNull();
    expect(describeLabelConvention(DEEPLABV3_MNV2_ADE20K, null)).toBe('ids 0..150, 0 ignored');
    expect(describeLabelConvention(DEEPLABV3_MNV2_ADE20K, evalPreset('ade20k'))).toBe(evalPreset('ade20k').labelConvention);
  });
});
