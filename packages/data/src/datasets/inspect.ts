import { isUserError } from '@clade/core';
import { loadLabel } from '../decode/color-label';
import { loadImage } from '../decode/image';
import { loadLabelPng } from '../decode/label-png';
import { resolveMaxPixels } from '../decode/image-limits';
import type { ColorLabelOptions } from '../icpe/cache';
import { ADE20K_CLASS_NAMES } from '../labels/class-names';
import { UNKNOWN_RAW_VALUE, type LabelSpec } from '../labels/label-spec';
import { labelHistogram, outOfRangeValues } from '../labels/map-label-values';
import { CITYSCAPES_LABELS } from '../labels/palettes';
import type { SamplePair } from './pairs';
import { datasetInfo, type DatasetName } from './registry';
import { listDatasetSplits } from './splits';

export type DatasetProblemKind = 'missing-pair' | 'unreadable' | 'id-out-of-range' | 'size-mismatch';

/** One thing wrong with a dataset on disk, reported rather than thrown. */
export interface DatasetProblem {
  kind: DatasetProblemKind;
  /** Sample id (pairing key). */
  id: string;
  /** The file concerned, when there is one. */
  file?: string;
  /** One line, naming the file and what is wrong. */
  message: string;
  /** For 'id-out-of-range': the raw values and their pixel counts. */
  values?: Array<{ id: number; pixels: number }>;
}

export interface ClassShare {
  /** Raw label value as stored in the PNG. */
  id: number;
  /** Class name where known: ADE20K and Cityscapes, or the palette of colour labels; 255 = dontcare. */
  name?: string;
  pixels: number;
  /** pixels / all label pixels read. */
  share: number;
  /** Number of label maps containing it. */
  images: number;
}

export interface SizeCount {
  width: number;
  height: number;
  count: number;
}

export interface DatasetReport {
  dataset: DatasetName;
  root: string;
  /** Pairs per phase found on disk. */
  phases: Record<string, number>;
  /** Pairs listed (label + partner files). */
  pairs: number;
  /** Label maps that could be read. */
  labelsRead: number;
  labelSizes: SizeCount[];
  imageSizes: SizeCount[];
  /** Label pixels read (the denominator of `share`). */
  pixels: number;
  /** Per raw value present, ascending. */
  classes: ClassShare[];
  problems: DatasetProblem[];
}

export interface InspectDatasetOptions {
  /** Phases to inspect. Default: every phase present. */
  phases?: readonly string[];
  /** Label convention (e.g. the real labelNc of a custom dataset). Default: the dataset's. */
  label?: LabelSpec;
  /** Colour-coded labels. */
  colorLabels?: ColorLabelOptions;
  /** Largest width × height of each file; larger ones are 'unreadable' problems. Default `MAX_IMAGE_PIXELS`. */
  maxPixels?: number;
  /** Decode photos (finds truncated files; the slow part). Default true. */
  checkImages?: boolean;
  /** Labels need photos: false for label-only sets (no missing-pair problems for absent photos). Default true. */
  requireImages?: boolean;
  /** Check instance maps (readable, same size). Default: the dataset's convention. */
  useInstances?: boolean;
  /** Pairs read at once. Default 2. */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Class names by raw value where the package knows them. */
export function classNamesOf(dataset: DatasetName): ReadonlyMap<number, string> {
  const names = new Map<number, string>();
  if (dataset === 'ade20k') ADE20K_CLASS_NAMES.forEach((n, i) => names.set(i, n));
  if (dataset === 'cityscapes') for (const l of CITYSCAPES_LABELS) names.set(l.id, l.name);
  return names;
}

const sizeKey = (w: number, h: number) => `${w}x${h}`;
const ASPECT_TOLERANCE = 0.01; // as prepareSample

/**
 * Reads every pair of a dataset and reports counts, sizes, the class histogram (pixel share per raw
 * value, named where known) and problems: missing partners, unreadable or truncated files, raw ids
 * outside [0, K) for the label convention (file, id, pixel count), photos or instance maps whose
 * size differs from the label's. Problems are collected, never thrown; only a missing root or an
 * unknown dataset (or a bad `maxPixels`) throws.
 */
export async function inspectDataset(name: DatasetName, root: string, options: InspectDatasetOptions = {}): Promise<DatasetReport> {
  const info = datasetInfo(name);
  const spec = options.label ?? info.label;
  const useInstances = options.useInstances ?? info.useInstances;
  const { checkImages = true, concurrency = 2 } = options;
  const limits = { maxPixels: resolveMaxPixels(options) }; // a bad limit is one ConfigError, not a problem per file
  const splits = await listDatasetSplits(name, root, {
    ...(options.phases && { phases: options.phases }), skipMissing: true, useInstances,
    requireImages: options.requireImages ?? true,
  });
  const problems: Array<DatasetProblem & { order: number }> = [];
  // Report order: per phase, missing partners first, then per pair in listing order.
  const order = (phaseIndex: number, i: number, sub: number) => phaseIndex * 1e13 + 1e9 + i * 10 + sub;
  splits.forEach((s, k) =>
    s.skipped.forEach((m, i) =>
      problems.push({ kind: 'missing-pair', id: m.id, message: `${s.phase}: sample '${m.id}' has ${m.reason}.`, order: k * 1e13 + i }),
    ),
  );
  const jobs: Array<{ pair: SamplePair; at: number }> = [];
  splits.forEach((s, k) => s.pairs.forEach((pair, i) => jobs.push({ pair, at: order(k, i, 0) })));

  const pixelsOf = new Map<number, number>();
  const imagesOf = new Map<number, number>();
  const labelSizes = new Map<string, SizeCount>();
  const imageSizes = new Map<string, SizeCount>();
  const countSize = (m: Map<string, SizeCount>, w: number, h: number) => {
    const e = m.get(sizeKey(w, h)) ?? { width: w, height: h, count: 0 };
    e.count++;
    m.set(sizeKey(w, h), e);
  };
  let labelsRead = 0;
  let pixels = 0;
  const report = (p: DatasetProblem, at: number) => problems.push({ ...p, order: at });
  const attempt = async <T>(at: number, id: string, file: string, load: () => Promise<T>): Promise<T | null> => {
    try {
      return await load();
    } catch (e) {
      if (!isUserError(e)) throw e;
      report({ kind: 'unreadable', id, file, message: (e as Error).message }, at);
      return null;
    }
  };

  const inspectPair = async ({ pair, at }: { pair: SamplePair; at: number }) => {
    const [label, image, inst] = await Promise.all([
      attempt(at, pair.id, pair.label, () => loadLabel(pair.label, { ...options.colorLabels, ...limits })),
      checkImages && pair.image ? attempt(at + 1, pair.id, pair.image, () => loadImage(pair.image!, limits)) : null,
      useInstances && pair.instance ? attempt(at + 2, pair.id, pair.instance, () => loadLabelPng(pair.instance!, limits)) : null,
    ]);
    if (image) countSize(imageSizes, image.width, image.height);
    if (!label) return;
    labelsRead++;
    pixels += label.data.length;
    countSize(labelSizes, label.width, label.height);
    const hist = labelHistogram(label);
    for (const [v, n] of hist) {
      pixelsOf.set(v, (pixelsOf.get(v) ?? 0) + n);
      imagesOf.set(v, (imagesOf.get(v) ?? 0) + 1);
    }
    const bad = outOfRangeValues(label, spec, hist);
    if (bad.length > 0) {
      const k = spec.labelNc + (spec.containDontcare ? 1 : 0);
      const list = bad.map(([v, n]) => `${v} (${n} px)`).join(', ');
      report({
        kind: 'id-out-of-range', id: pair.id, file: pair.label, values: bad.map(([v, n]) => ({ id: v, pixels: n })),
        message: `'${pair.label}' has raw values outside [0, ${k - 1}] for labelNc ${spec.labelNc}: ${list}.`,
      }, at + 3);
    }
    const { width: w, height: h } = label;
    if (image && (image.width !== w || image.height !== h)) {
      const sameAspect = Math.abs(image.width / image.height - w / h) <= ASPECT_TOLERANCE * (w / h);
      // CelebAMask-HQ pairs 1024² photos with 512² masks by design; the loader resizes both.
      if (!(sameAspect && name === 'celebamask'))
        report({
          kind: 'size-mismatch', id: pair.id, file: pair.image,
          message: `image '${pair.image}' is ${image.width}x${image.height}, label '${pair.label}' is ${w}x${h}` +
            (sameAspect ? ' (same aspect ratio: the loader resizes both).' : ' (aspect ratios differ: the loader refuses it).'),
        }, at + 4);
    }
    if (inst && (inst.width !== w || inst.height !== h))
      report({
        kind: 'size-mismatch', id: pair.id, file: pair.instance,
        message: `instance map '${pair.instance}' is ${inst.width}x${inst.height}, label '${pair.label}' is ${w}x${h}.`,
      }, at + 5);
  };

  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      await inspectPair(job);
      options.onProgress?.(++done, jobs.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, jobs.length)) }, worker));

  // Names of the dataset, else of the palette colour labels were decoded with (ids follow the palette).
  let names = classNamesOf(name);
  const paletteName = options.colorLabels?.palette.name;
  if (names.size === 0 && (paletteName === 'ade20k' || paletteName === 'cityscapes')) names = classNamesOf(paletteName);
  const classes: ClassShare[] = [...pixelsOf.keys()].sort((a, b) => a - b).map((id) => {
    const label = id === UNKNOWN_RAW_VALUE && spec.containDontcare ? 'dontcare' : names.get(id);
    return { id, ...(label !== undefined && { name: label }), pixels: pixelsOf.get(id)!, share: pixelsOf.get(id)! / pixels, images: imagesOf.get(id)! };
  });
  const sizes = (m: Map<string, SizeCount>) => [...m.values()].sort((a, b) => b.count - a.count || a.width - b.width || a.height - b.height);
  return {
    dataset: name,
    root,
    phases: Object.fromEntries(splits.map((s) => [s.phase, s.pairs.length])),
    pairs: jobs.length,
    labelsRead,
    labelSizes: sizes(labelSizes),
    imageSizes: sizes(imageSizes),
    pixels,
    classes,
    problems: problems.sort((a, b) => a.order - b.order).map(({ order: _o, ...p }) => p),
  };
}
