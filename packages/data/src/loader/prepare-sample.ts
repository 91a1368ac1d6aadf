import { ConfigError, ShapeError } from '@clade/core';
import type { SamplePair } from '../datasets/pairs';
import { loadImage } from '../decode/image';
import { loadLabel } from '../decode/color-label';
import { loadLabelPng } from '../decode/label-png';
import type { ColorPalette } from '../labels/palettes';
import { instanceEdges } from '../edges';
import { EVAL_PARAMS, plannedSize, planTransform, type PreprocessConfig, type TransformParams } from '../geometry';
import { positionalMap, type PositionalMapOptions } from '../icpe/positional-map';
import { transformPositionalMap, type TransformPositionalMapOptions } from '../icpe/transform-map';
import { checkLabelValues, mapLabelValues } from '../labels/map-label-values';
import type { LabelSpec } from '../labels/label-spec';
import type { LabelMap, PositionalMap, RgbImage } from '../planes';
import { transformImage, transformLabelMap } from '../transform';
import { imageToFloat } from './image-to-float';

export interface PrepareSampleOptions {
  /** Raw value → class index rules of the dataset. */
  label: LabelSpec;
  /** Geometry (mode, sizes, whether flips may happen). */
  preprocess: PreprocessConfig;
  /**
   * This sample's random draws, or a function of the label's size returning them. Default: crop
   * at (0, 0), no flip (evaluation).
   */
  params?: TransformParams | ((width: number, height: number) => TransformParams);
  /** Compute the instance-edge channel from `pair.instance`. Default: true when the pair has one. */
  useInstances?: boolean;
  /** Load and transform the photo. Default: true when the pair has one. */
  withImage?: boolean;
  /**
   * CLADE-ICPE positional map: false (default) for none; true to compute it from the raw label at
   * its own resolution (§5.1); or a function returning a precomputed map, given the pair and its
   * decoded raw label (e.g. `cachedPositionalMaps`, which reads the official .npy files).
   */
  positional?: boolean | ((pair: SamplePair, raw: LabelMap) => Promise<PositionalMap>);
  /** Options of the on-the-fly map (skip value, components). */
  positionalMap?: PositionalMapOptions;
  /** How the map follows the geometry (resize rule, flip quirk). */
  positionalTransform?: TransformPositionalMapOptions;
  /**
   * Labels are colour-coded images (e.g. the SEAN figures): decode them to ids with this palette,
   * nearest colour within `tolerance` (default 0: exact). Instance maps are always read as ids.
   */
  colorLabels?: { palette: ColorPalette; tolerance?: number };
  /** Largest width × height of each file, checked from its header before decoding. Default `MAX_IMAGE_PIXELS`. */
  maxPixels?: number;
}

/** One preprocessed sample on plain typed arrays, NHWC-ready. */
export interface PreparedSample {
  id: string;
  width: number;
  height: number;
  /** Class index per pixel, int32 [H,W], in [0, K). */
  classes: Int32Array;
  /** Instance edges, 0/1 bytes [H,W], when instances are used. */
  edges: Uint8Array | null;
  /** Photo as float32 [H,W,3] in [−1, 1]. */
  image: Float32Array | null;
  /** Positional map as float32 [H,W,2] (channel 0 vertical, 1 horizontal). */
  positional: Float32Array | null;
}

/** An official planar [2,H,W] positional map as the generator's [H,W,2] input. */
export function interleavePositionalMap(m: PositionalMap): Float32Array {
  const n = m.width * m.height;
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    out[2 * i] = m.data[i]!;
    out[2 * i + 1] = m.data[n + i]!;
  }
  return out;
}

const ASPECT_TOLERANCE = 0.01;

/** A sample already decoded: raw label values, instance ids and the photo as the files hold them. */
export interface DecodedSample {
  id: string;
  label: LabelMap;
  instance?: LabelMap | null;
  photo?: RgbImage | null;
  /** The CLADE-ICPE positional map at the label's own size (computed from the label when absent and asked for). */
  positional?: PositionalMap | null;
  /** Names of the files, for messages (default: the id). */
  files?: { label?: string; instance?: string; image?: string };
}

/** What `prepareDecoded` takes of `PrepareSampleOptions` (no files are read). */
export type PrepareDecodedOptions = Omit<PrepareSampleOptions, 'colorLabels' | 'maxPixels' | 'positional' | 'useInstances' | 'withImage'> & {
  /** Compute the positional map from the label when the sample brings none. */
  positional?: boolean;
};

/**
 * The official preprocessing (REFERENCE §12) of a decoded sample: label and instances by PIL
 * NEAREST, photo by PIL BICUBIC then to [−1, 1], the same crop and flip for all, edges from the
 * transformed instance map, and the positional map computed at the label's original resolution
 * then transformed (§5.2). Out-of-range label ids, instance maps of another size and photos of
 * another aspect ratio than the label are errors naming the files. Pure: the one home of the
 * label → generator-input steps for training, evaluation and synthesis.
 */
export function prepareDecoded(sample: DecodedSample, options: PrepareDecodedOptions): PreparedSample {
  const { label: spec, preprocess } = options;
  const { label: raw, instance: inst = null, photo = null } = sample;
  const files = { label: sample.files?.label ?? sample.id, instance: sample.files?.instance ?? sample.id, image: sample.files?.image ?? sample.id };
  checkLabelValues(raw, spec, files.label);
  if (inst && (inst.width !== raw.width || inst.height !== raw.height))
    throw new ShapeError(
      `prepareSample: instance map '${files.instance}' is ${inst.width}x${inst.height}, label '${files.label}' is ${raw.width}x${raw.height}.`,
    );
  if (photo && Math.abs(photo.width / photo.height - raw.width / raw.height) > ASPECT_TOLERANCE * (raw.width / raw.height))
    throw new ShapeError(
      `prepareSample: image '${files.image}' is ${photo.width}x${photo.height}, label '${files.label}' is ${raw.width}x${raw.height} (aspect ratios differ).`,
    );

  const drawn = options.params ?? EVAL_PARAMS;
  const params = typeof drawn === 'function' ? drawn(raw.width, raw.height) : drawn;
  const steps = planTransform(preprocess, raw.width, raw.height, params);
  const [width, height] = plannedSize(steps, raw.width, raw.height);
  const classes = mapLabelValues(transformLabelMap(raw, steps), spec, files.label).data;
  const edges = inst ? instanceEdges(transformLabelMap(inst, steps)) : null;
  let image: Float32Array | null = null;
  if (photo) {
    const sameSize = photo.width === raw.width && photo.height === raw.height;
    if (!sameSize && preprocess.mode !== 'resize_and_crop' && preprocess.mode !== 'fixed')
      throw new ShapeError(
        `prepareSample: image '${files.image}' is ${photo.width}x${photo.height}, label ` +
          `'${files.label}' is ${raw.width}x${raw.height}; mode '${preprocess.mode}' needs equal sizes.`,
      );
    const photoSteps = sameSize ? steps : planTransform(preprocess, photo.width, photo.height, params);
    const [pw, ph] = plannedSize(photoSteps, photo.width, photo.height);
    if (pw !== width || ph !== height)
      throw new ShapeError(`prepareSample: image '${files.image}' becomes ${pw}x${ph} but its label becomes ${width}x${height}.`);
    image = imageToFloat(transformImage(photo, photoSteps));
  }
  let positional: Float32Array | null = null;
  if (sample.positional || options.positional) {
    const map = sample.positional ?? positionalMap(raw, options.positionalMap);
    if (map.width !== raw.width || map.height !== raw.height)
      throw new ShapeError(
        `prepareSample: positional map of '${sample.id}' is ${map.width}x${map.height}, its label is ${raw.width}x${raw.height}.`,
      );
    positional = interleavePositionalMap(transformPositionalMap(map, steps, options.positionalTransform));
  }
  return { id: sample.id, width, height, classes, edges, image, positional };
}

/** Loads one pair from its files and prepares it (`prepareDecoded`). */
export async function prepareSample(pair: SamplePair, options: PrepareSampleOptions): Promise<PreparedSample> {
  const useInstances = options.useInstances ?? pair.instance !== undefined;
  const withImage = options.withImage ?? pair.image !== undefined;
  if (useInstances && !pair.instance)
    throw new ConfigError(`prepareSample: sample '${pair.id}' has no instance map but useInstances is set.`);
  if (withImage && !pair.image) throw new ConfigError(`prepareSample: sample '${pair.id}' has no image but withImage is set.`);

  // One file after the other: a bad pair is reported by its first bad file, the same on every run.
  const label = await loadLabel(pair.label, { ...options.colorLabels, maxPixels: options.maxPixels });
  const instance = useInstances ? await loadLabelPng(pair.instance!, { maxPixels: options.maxPixels }) : null;
  const photo = withImage ? await loadImage(pair.image!, { maxPixels: options.maxPixels }) : null;
  let positional: PositionalMap | null = null;
  if (typeof options.positional === 'function') {
    checkLabelValues(label, options.label, pair.label); // a bad label is named before a map is read for it
    positional = await options.positional(pair, label);
  }
  return prepareDecoded(
    { id: pair.id, label, instance, photo, positional, files: { label: pair.label, instance: pair.instance, image: pair.image } },
    { ...options, positional: options.positional === true },
  );
}
