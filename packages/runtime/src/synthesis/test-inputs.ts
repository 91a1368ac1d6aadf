import { ConfigError, ShapeError } from '@clade/core';
import { EVAL_PARAMS, imageToFloat, planTransform, prepareDecoded, transformImage, type LabelMap, type RgbImage } from '@clade/data';
import { modelInputSize, testPreprocess } from './test-geometry';

/** What the label and photo steps read of a SEAN / GroupDNet config (raw id = class channel, no shift). */
export interface ClassMapGeometry {
  labelNc: number;
  containDontcare: boolean;
  cropSize: number;
  aspectRatio: number;
}

/** Class channels K: the label's classes plus the dontcare channel. */
const classCount = (c: ClassMapGeometry): number => c.labelNc + (c.containDontcare ? 1 : 0);

/**
 * A map of raw ids as class indices int32 [H,W] at the model's size, and with an instance map of the
 * same size, its edges (0/1 [H,W]) after the same resize. Ids ≥ K are refused first, naming the map
 * as the caller does (e.g. "--label 'mask.png'"), so raw 255 is never taken for dontcare here; then
 * the label steps of the official test transform (`prepareDecoded`: PIL NEAREST by the test
 * geometry, a map already at the model's size is not resampled).
 */
export function labelInputsOf(
  label: LabelMap,
  instance: LabelMap | null,
  c: ClassMapGeometry,
  name: string,
): { classes: Int32Array; edges: Uint8Array | null } {
  const k = classCount(c);
  let bad = -1;
  for (const v of label.data) if (v >= k) bad = Math.max(bad, v);
  if (bad >= 0) throw new ConfigError(`${name} holds class id ${bad}; this model has ids 0..${k - 1}.`);
  const sample = prepareDecoded(
    { id: name, label, instance },
    { label: { labelNc: c.labelNc, containDontcare: c.containDontcare }, preprocess: testPreprocess(null, c) },
  );
  const { width, height } = modelInputSize(null, c);
  if (sample.width !== width || sample.height !== height)
    throw new ShapeError(`${name} became ${sample.width}x${sample.height}; the model takes ${width}x${height}.`);
  return { classes: sample.classes, edges: sample.edges };
}

/** The class indices of `labelInputsOf` for models without the edge channel. */
export function classMapOf(label: LabelMap, c: ClassMapGeometry, name: string): Int32Array {
  return labelInputsOf(label, null, c, name).classes;
}

/**
 * A style photo as float32 [H,W,3] in [−1, 1] at the model's size: the test geometry from the
 * photo's own size with PIL BICUBIC (its aspect ratio need not match its mask's), then torchvision's
 * ToTensor + Normalize(0.5, 0.5).
 */
export function photoValuesOf(photo: RgbImage, c: ClassMapGeometry): Float32Array {
  const img = transformImage(photo, planTransform(testPreprocess(null, c), photo.width, photo.height, EVAL_PARAMS));
  const { width, height } = modelInputSize(null, c);
  if (img.width !== width || img.height !== height)
    throw new ShapeError(`a style photo became ${img.width}x${img.height}; the model takes ${width}x${height}.`);
  return imageToFloat(img);
}

/** Seeds of the seeded draws (noise, latents) are integers; anything else would draw a different stream silently. */
export function checkSeed(seed: number, what: string): number {
  if (!Number.isInteger(seed)) throw new ConfigError(`${what} must be an integer, got ${seed}.`);
  return seed;
}
