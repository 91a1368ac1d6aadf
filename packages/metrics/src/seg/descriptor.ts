import { ConfigError } from '@clade/core';
import { assertPositiveInt } from '@clade/core/internal';

/**
 * Everything needed to run a segmentation network as a metric: how images become its input
 * tensor, which output holds the classes, and how its ids map to the evaluation label space.
 * JSON values only, so a user can describe any ONNX segmenter in a file.
 */
export interface SegmenterDescriptor {
  /** Stable id, printed in the protocol. */
  name: string;
  /** File name of the model (looked up in the models folder when no path is given). */
  fileName: string;
  /** Expected sha256 of the file; when set, a different file is refused. */
  sha256?: string;
  /** What to download and from where, for the missing-file error. */
  obtain?: string;
  /** Input tensor name. */
  inputName: string;
  /** Output tensor name. */
  outputName: string;
  /** 'labels': integer ids [N,H,W]; 'logits': scores [N,C,H,W] (NCHW) or [N,H,W,C] (NHWC), argmax taken here. */
  outputKind: 'labels' | 'logits';
  /** Input layout. */
  layout: 'NCHW' | 'NHWC';
  /** Network input size in pixels. */
  inputWidth: number;
  inputHeight: number;
  /**
   * 'stretch': PIL-bilinear resize of the whole image to the input size (aspect not kept).
   * 'letterbox': PIL-bilinear resize keeping the aspect so the longer side fits, placed at the
   * top-left and padded with `padValue` (DeepLab's pad_to_bounding_box(0, 0)); the prediction is
   * cropped back to the image area.
   */
  resize: 'stretch' | 'letterbox';
  /** Pixel value (0..255 scale, before normalisation) of letterbox padding. */
  padValue: number;
  /** Input = (pixel − mean[c]) / std[c], pixel in 0..255, channels in `channelOrder`. */
  mean: [number, number, number];
  std: [number, number, number];
  channelOrder: 'RGB' | 'BGR';
  /**
   * How the prediction returns to the label-map size: 'nearest-pil' (PIL NEAREST, as MODELS.md's
   * figures were computed).
   */
  outputResize: 'nearest-pil';
  /** Size K of the evaluation label space: ids 0..K−1. */
  numClasses: number;
  /** GT value that is skipped; a prediction of it is "not a class" and counts as a miss. */
  ignoreIndex: number;
  /** Optional raw GT value → evaluation id table (e.g. Cityscapes labelIds → trainIds; unmapped → ignoreIndex). */
  gtMap?: number[];
  /** Optional predicted id → evaluation id table. */
  predMap?: number[];
  /** Optional class names, index = evaluation id. */
  classNames?: string[];
}

/** MODELS.md §1: DeepLabV3+ MobileNetV2, ADE20K-150, TF DeepLab converted to ONNX. */
export const DEEPLABV3_MNV2_ADE20K: SegmenterDescriptor = {
  name: 'deeplabv3_mnv2_ade20k_513',
  fileName: 'deeplabv3_mnv2_ade20k_513.onnx',
  sha256: '10c55d47c6ac9f448a50aa1102dab39b77af570cb0e2a9c50b3435ad890710f0',
  obtain:
    'deeplabv3_mnv2_ade20k_513.onnx (9.2 MB; the ONNX conversion of TF Hub sayakpaul/lite-model/deeplabv3-mobilenetv2-ade20k/1/default/1 ' +
    'described in shared/models/MODELS.md; copy it from the project\'s shared/models folder)',
  inputName: 'input',
  outputName: 'labels',
  outputKind: 'labels',
  layout: 'NCHW',
  inputWidth: 513,
  inputHeight: 513,
  resize: 'stretch',
  padValue: 127.5,
  mean: [127.5, 127.5, 127.5],
  std: [127.5, 127.5, 127.5],
  channelOrder: 'RGB',
  outputResize: 'nearest-pil',
  numClasses: 151,
  ignoreIndex: 0,
};

/** Segmenter presets by name. */
export const SEGMENTERS: Readonly<Record<string, SegmenterDescriptor>> = {
  [DEEPLABV3_MNV2_ADE20K.name]: DEEPLABV3_MNV2_ADE20K,
};

/** Validates a (possibly user-written) descriptor; returns it. */
export function checkDescriptor(d: SegmenterDescriptor): SegmenterDescriptor {
  const fail = (what: string, got: unknown) => {
    throw new ConfigError(`segmenter '${d?.name}': ${what}, got ${JSON.stringify(got)}.`);
  };
  if (typeof d !== 'object' || d === null) throw new ConfigError(`segmenter descriptor must be an object, got ${JSON.stringify(d)}.`);
  for (const k of ['name', 'fileName', 'inputName', 'outputName'] as const)
    if (typeof d[k] !== 'string' || d[k].length === 0) fail(`${k} must be a non-empty string`, d[k]);
  if (!['labels', 'logits'].includes(d.outputKind)) fail("outputKind must be 'labels' or 'logits'", d.outputKind);
  if (!['NCHW', 'NHWC'].includes(d.layout)) fail("layout must be 'NCHW' or 'NHWC'", d.layout);
  if (!['stretch', 'letterbox'].includes(d.resize)) fail("resize must be 'stretch' or 'letterbox'", d.resize);
  if (!['RGB', 'BGR'].includes(d.channelOrder)) fail("channelOrder must be 'RGB' or 'BGR'", d.channelOrder);
  if (d.outputResize !== 'nearest-pil') fail("outputResize must be 'nearest-pil'", d.outputResize);
  for (const k of ['inputWidth', 'inputHeight', 'numClasses'] as const) assertPositiveInt(d[k], `segmenter '${d?.name}'`, k, JSON.stringify);
  if (!Number.isInteger(d.ignoreIndex)) fail('ignoreIndex must be an integer', d.ignoreIndex);
  for (const k of ['mean', 'std'] as const)
    if (!Array.isArray(d[k]) || d[k].length !== 3 || !d[k].every((v) => Number.isFinite(v))) fail(`${k} must be 3 numbers`, d[k]);
  if (d.std.some((v) => v === 0)) fail('std must be non-zero', d.std);
  for (const k of ['gtMap', 'predMap'] as const)
    if (d[k] !== undefined && (!Array.isArray(d[k]) || !d[k]!.every((v) => Number.isInteger(v)))) fail(`${k} must be an array of integers`, d[k]);
  if (d.sha256 !== undefined && !/^[0-9a-f]{64}$/.test(d.sha256)) fail('sha256 must be 64 lowercase hex digits', d.sha256);
  return d;
}
