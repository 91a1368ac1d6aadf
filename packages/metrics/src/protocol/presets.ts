import { ConfigError } from '@clade/core';
import { DEEPLABV3_MNV2_ADE20K, type SegmenterDescriptor } from '../seg/descriptor';

/**
 * Per-dataset evaluation conventions of the SPADE/CLADE papers (REFERENCE §14): the size the
 * generated images have, the split the real FID statistics come from, the segmenter the paper
 * used, and the one we can run (`segmenter`, when a converted model exists).
 */
export interface EvalPreset {
  dataset: string;
  /** Size of the generated images the papers scored (width × height). */
  imageWidth: number;
  imageHeight: number;
  /** Real images for FID: the papers compare generated *validation* images with real *training* images. */
  fidReferenceSplit: 'train' | 'val';
  /** Label-map split the generated images come from. */
  generatedSplit: 'val';
  /** The segmenter of the published mIoU (for the record; we may not have it). */
  paperSegmenter: string;
  /** Classes scored and the ignore convention of that segmenter. */
  labelConvention: string;
  /** A segmenter this package can run for the dataset, if any. */
  segmenter?: SegmenterDescriptor;
}

/** Cityscapes labelIds (0..33) → trainIds (0..18), everything else 255 (cityscapesScripts' table). */
export const CITYSCAPES_LABEL_TO_TRAIN_ID: number[] = (() => {
  const m = new Array<number>(256).fill(255);
  [7, 8, 11, 12, 13, 17, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 31, 32, 33].forEach((id, t) => (m[id] = t));
  return m;
})();

export const EVAL_PRESETS: Readonly<Record<string, EvalPreset>> = {
  ade20k: {
    dataset: 'ade20k', imageWidth: 256, imageHeight: 256, fidReferenceSplit: 'train', generatedSplit: 'val',
    paperSegmenter: 'UperNet101 (CSAILVision semantic-segmentation-pytorch)',
    labelConvention: '150 classes (raw PNG values 1..150); raw 0 ("other") ignored',
    segmenter: DEEPLABV3_MNV2_ADE20K,
  },
  'ade20k-outdoor': {
    dataset: 'ade20k-outdoor', imageWidth: 256, imageHeight: 256, fidReferenceSplit: 'train', generatedSplit: 'val',
    paperSegmenter: 'UperNet101 (CSAILVision semantic-segmentation-pytorch)',
    labelConvention: '150 classes (raw PNG values 1..150); raw 0 ("other") ignored',
    segmenter: DEEPLABV3_MNV2_ADE20K,
  },
  cityscapes: {
    dataset: 'cityscapes', imageWidth: 512, imageHeight: 256, fidReferenceSplit: 'train', generatedSplit: 'val',
    paperSegmenter: 'DRN-D-105 (fyu/drn)',
    labelConvention: '19 trainIds (labelIds mapped with cityscapesScripts\' table); 255 ignored',
  },
  'coco-stuff': {
    dataset: 'coco-stuff', imageWidth: 256, imageHeight: 256, fidReferenceSplit: 'train', generatedSplit: 'val',
    paperSegmenter: 'DeepLabv2 ResNet-101 MSC, cocostuff164k (kazuto1011 deeplab-pytorch)',
    labelConvention: '182 ids (0..181); 255 ignored',
  },
  'celebamask-hq': {
    dataset: 'celebamask-hq', imageWidth: 256, imageHeight: 256, fidReferenceSplit: 'train', generatedSplit: 'val',
    paperSegmenter: 'UNet (switchablenorms CelebAMask-HQ)',
    labelConvention: '19 classes, none ignored',
  },
  deepfashion: {
    dataset: 'deepfashion', imageWidth: 256, imageHeight: 256, fidReferenceSplit: 'train', generatedSplit: 'val',
    paperSegmenter: 'UNet trained by the CLADE authors (not released)',
    labelConvention: 'not published',
  },
};

export const EVAL_DATASETS = Object.keys(EVAL_PRESETS);

/** The preset of `dataset`, or a ConfigError listing the known ones. */
export function evalPreset(dataset: string): EvalPreset {
  const p = EVAL_PRESETS[dataset];
  if (!p) throw new ConfigError(`evalPreset: dataset must be one of ${EVAL_DATASETS.join(', ')}, got '${dataset}'.`);
  return p;
}
