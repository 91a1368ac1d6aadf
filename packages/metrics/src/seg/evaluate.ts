import { loadImage, loadLabelPng, resizeNearestPil, type LabelMap } from '@clade/data';
import type { ImageLabelPair } from '../files';
import { ConfusionMatrix, type SegmentationScores } from './confusion';
import type { SegmenterDescriptor } from './descriptor';
import type { OnnxSegmenter } from './segmenter';

export interface PerImageScore {
  name: string;
  accuracy: number;
  pixels: number;
}

export interface SegmentationEvaluation {
  scores: SegmentationScores;
  perImage: PerImageScore[];
  matrix: ConfusionMatrix;
}

/** GT raw values → evaluation ids through `gtMap` (unmapped → ignoreIndex); identity without one. */
export function mapGroundTruth(data: ArrayLike<number>, d: SegmenterDescriptor): ArrayLike<number> {
  if (!d.gtMap) return data;
  const m = d.gtMap;
  const out = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = m[data[i]!] ?? d.ignoreIndex;
  return out;
}

export interface EvaluateSegmentationOptions {
  /** Called after each image with its prediction (evaluation ids, label-map size). */
  onImage?: (info: { done: number; total: number; name: string; prediction: LabelMap<Int32Array> }) => void;
}

/**
 * Segments every image of `pairs`, scores it against its label map, and accumulates one
 * confusion matrix over the whole set (MODELS.md convention).
 */
export async function evaluateSegmentation(
  segmenter: OnnxSegmenter,
  pairs: ImageLabelPair[],
  options: EvaluateSegmentationOptions = {},
): Promise<SegmentationEvaluation> {
  const d = segmenter.descriptor;
  const matrix = new ConfusionMatrix(d.numClasses, d.ignoreIndex);
  const perImage: PerImageScore[] = [];
  for (const [i, pair] of pairs.entries()) {
    const [image, label] = await Promise.all([loadImage(pair.image), loadLabelPng(pair.label)]);
    // A generated image of another size than its label map: segment it as it is, then
    // nearest-resize the prediction to the label size (one resampling of labels, none of pixels).
    let pred = await segmenter.predict(image);
    if (pred.width !== label.width || pred.height !== label.height) pred = resizeNearestPil(pred, label.width, label.height);
    const gt = { width: label.width, height: label.height, data: mapGroundTruth(label.data, d) };
    const one = new ConfusionMatrix(d.numClasses, d.ignoreIndex).add(gt, pred);
    matrix.merge(one);
    const s = one.scores();
    perImage.push({ name: pair.name, accuracy: s.accuracy, pixels: s.pixels });
    options.onImage?.({ done: i + 1, total: pairs.length, name: pair.name, prediction: pred });
  }
  return { scores: matrix.scores(), perImage, matrix };
}
