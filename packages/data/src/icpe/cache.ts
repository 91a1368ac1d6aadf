import { mkdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { ConfigError, IOError, isUserError, loadNpyFile, saveNpyFile } from '@clade/core';
import type { SamplePair } from '../datasets/pairs';
import { datasetInfo, type DatasetName } from '../datasets/registry';
import { loadLabel } from '../decode/color-label';
import type { ColorPalette } from '../labels/palettes';
import type { LabelMap, PositionalMap } from '../planes';
import { positionalMap, type PositionalMapOptions } from './positional-map';

/** Reads a precomputed map saved as float32 [2,H,W] .npy (the official `*_dist` files). */
export async function loadPositionalMapNpy(file: string): Promise<PositionalMap> {
  const arr = await loadNpyFile(file);
  if (arr.dtype !== 'float32' || arr.shape.length !== 3 || arr.shape[0] !== 2)
    throw new IOError(`loadPositionalMapNpy: '${file}' must hold float32 [2,H,W], got ${arr.dtype} [${arr.shape.join(',')}].`);
  return { width: arr.shape[2]!, height: arr.shape[1]!, data: arr.data as Float32Array };
}

/** Writes a map as float32 [2,H,W] .npy (the official layout), atomically, creating the folder. */
export async function savePositionalMapNpy(file: string, map: PositionalMap): Promise<void> {
  if (map.data.length !== 2 * map.width * map.height)
    throw new IOError(`savePositionalMapNpy: map data must hold 2x${map.height}x${map.width} values, got ${map.data.length}.`);
  await mkdir(path.dirname(file), { recursive: true });
  await saveNpyFile(file, { dtype: 'float32', shape: [2, map.height, map.width], data: map.data });
}

/**
 * Where the map of `labelPath` lives (REFERENCE §5.1 "Files"), under `cacheRoot` (default `root`,
 * the official locations):
 * - ade20k: `distances/{training,validation}/<stem>.npy` (phase from `_train_`/`_val_` in the name);
 * - coco: `{phase}_dist/<stem>.npy` for labels in `{phase}_label/` (portraits: `{phase}_dist_portrait/`);
 * - cityscapes: the label's path relative to root with `labelIds.png` replaced by `distance.npy`
 *   (`gtFine/<phase>/<city>/<stem>_gtFine_distance.npy`, next to the label);
 * - other datasets (no official cache): `dist/<label path relative to root>.npy`.
 */
export function positionalMapPath(dataset: DatasetName, root: string, labelPath: string, cacheRoot = root): string {
  datasetInfo(dataset);
  const what = 'positionalMapPath';
  const name = path.basename(labelPath);
  const stemName = name.slice(0, name.length - path.extname(name).length);
  const rel = path.relative(root, labelPath);
  const outside = rel.startsWith('..') || path.isAbsolute(rel);
  switch (dataset) {
    case 'ade20k': {
      const phase = name.includes('_train_') ? 'training' : name.includes('_val_') ? 'validation' : null;
      if (!phase) throw new ConfigError(`${what}: ADE20K label '${labelPath}' has neither _train_ nor _val_ in its name.`);
      return path.join(cacheRoot, 'distances', phase, `${stemName}.npy`);
    }
    case 'coco': {
      const m = /^(.+)_label(_portrait)?$/.exec(path.basename(path.dirname(labelPath)));
      if (!m) throw new ConfigError(`${what}: COCO-Stuff label '${labelPath}' is not in a {phase}_label folder.`);
      return path.join(cacheRoot, `${m[1]}_dist${m[2] ?? ''}`, `${stemName}.npy`);
    }
    case 'cityscapes': {
      if (!name.endsWith('labelIds.png')) throw new ConfigError(`${what}: Cityscapes label '${labelPath}' must end in labelIds.png.`);
      if (outside) throw new ConfigError(`${what}: label '${labelPath}' is not under the dataset root '${root}'.`);
      return path.join(cacheRoot, rel.slice(0, rel.length - 'labelIds.png'.length) + 'distance.npy');
    }
    default: {
      if (outside) throw new ConfigError(`${what}: label '${labelPath}' is not under the dataset root '${root}'.`);
      return path.join(cacheRoot, 'dist', rel.slice(0, rel.length - path.extname(rel).length) + '.npy');
    }
  }
}

/** Colour-coded labels: the palette and tolerance they are decoded with. */
export interface ColorLabelOptions {
  palette: ColorPalette;
  tolerance?: number;
}

export interface PositionalCacheOptions {
  /** Root of the cache tree. Default: the dataset root (the official locations). */
  cacheRoot?: string;
  /**
   * A map that is not on disk: 'error' (default; names the file and `clade data dist-maps`),
   * 'compute' it from the label (not stored) or 'write' it (computed and stored atomically).
   */
  onMissing?: 'error' | 'compute' | 'write';
  /** Options of computed maps. Default: the official ones (skip raw 0, every component, normalized). */
  positionalMap?: PositionalMapOptions;
  /** Decode colour-coded labels when a map must be computed without the loader's label. */
  colorLabels?: ColorLabelOptions;
  /** Largest width × height of a label read here. Default `MAX_IMAGE_PIXELS`. */
  maxPixels?: number;
}

const isMissing = (e: unknown) => ((e as { cause?: NodeJS.ErrnoException })?.cause?.code ?? '') === 'ENOENT';

/**
 * A `prepareSample({ positional })` hook reading precomputed maps from the official locations
 * (`positionalMapPath`), e.g. written by `clade data dist-maps` or the official `cal_dist_masks.py`.
 * Maps are not checked against their label's mtime here (copies reorder mtimes); the loader checks
 * their size, and `writePositionalMaps` refreshes stale files.
 */
export function cachedPositionalMaps(
  root: string,
  dataset: DatasetName,
  options: PositionalCacheOptions = {},
): (pair: SamplePair, raw?: LabelMap) => Promise<PositionalMap> {
  const { cacheRoot = root, onMissing = 'error' } = options;
  if (!['error', 'compute', 'write'].includes(onMissing))
    throw new ConfigError(`cachedPositionalMaps: onMissing must be one of error, compute, write; got '${onMissing}'.`);
  return async (pair, raw) => {
    const file = positionalMapPath(dataset, root, pair.label, cacheRoot);
    try {
      return await loadPositionalMapNpy(file);
    } catch (e) {
      if (!isMissing(e)) throw e;
      if (onMissing === 'error')
        throw new IOError(
          `cachedPositionalMaps: no positional map '${file}' for label '${pair.label}'; run ` +
            `\`clade data dist-maps ${root} --dataset ${dataset}\` or compute maps on the fly.`,
          { cause: e },
        );
    }
    const label = raw ?? (await loadLabel(pair.label, { ...options.colorLabels, maxPixels: options.maxPixels }));
    const map = positionalMap(label, options.positionalMap);
    if (onMissing === 'write') await savePositionalMapNpy(file, map);
    return map;
  };
}

/** True when `file` exists and is at least as new as `label`. */
export async function isUpToDate(file: string, label: string): Promise<boolean> {
  try {
    const [f, l] = await Promise.all([stat(file), stat(label)]);
    return f.isFile() && f.mtimeMs >= l.mtimeMs;
  } catch {
    return false;
  }
}

export type PositionalMapStatus = 'written' | 'up-to-date' | 'failed';

export interface WritePositionalMapsOptions {
  /** Root of the cache tree. Default: the dataset root. */
  cacheRoot?: string;
  /** Rewrite maps that are up to date (e.g. after changing `positionalMap`). Default false. */
  force?: boolean;
  /** Map options. Default: the official ones. */
  positionalMap?: PositionalMapOptions;
  colorLabels?: ColorLabelOptions;
  /** Largest width × height of a label. Default `MAX_IMAGE_PIXELS`. */
  maxPixels?: number;
  /** Called after each label, in completion order. */
  onProgress?: (done: number, total: number, pair: SamplePair, status: PositionalMapStatus) => void;
  /** Labels processed at once (I/O overlaps the computation). Default 2. */
  concurrency?: number;
}

export interface PositionalMapsSummary {
  total: number;
  written: number;
  upToDate: number;
  /** Labels that could not be read or maps that could not be written; the others are still done. */
  failed: Array<{ id: string; label: string; message: string }>;
}

/**
 * Precomputes the positional map of every pair's label at its own resolution into the official
 * locations (`positionalMapPath`), skipping maps at least as new as their label (unless `force`).
 * Writes are atomic, so an interrupted run leaves whole files only and can simply be rerun.
 */
export async function writePositionalMaps(
  dataset: DatasetName,
  root: string,
  pairs: readonly SamplePair[],
  options: WritePositionalMapsOptions = {},
): Promise<PositionalMapsSummary> {
  const { cacheRoot = root, force = false, concurrency = 2 } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new ConfigError(`writePositionalMaps: concurrency must be a positive integer, got ${concurrency}.`);
  const files = pairs.map((p) => positionalMapPath(dataset, root, p.label, cacheRoot)); // layout errors first
  const summary: PositionalMapsSummary = { total: pairs.length, written: 0, upToDate: 0, failed: [] };
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < pairs.length) {
      const i = next++;
      const pair = pairs[i]!;
      let status: PositionalMapStatus;
      try {
        if (!force && (await isUpToDate(files[i]!, pair.label))) status = 'up-to-date';
        else {
          const label = await loadLabel(pair.label, { ...options.colorLabels, maxPixels: options.maxPixels });
          await savePositionalMapNpy(files[i]!, positionalMap(label, options.positionalMap));
          status = 'written';
        }
      } catch (e) {
        if (!isUserError(e)) throw e; // a bug, not a bad file
        summary.failed.push({ id: pair.id, label: pair.label, message: (e as Error).message });
        status = 'failed';
      }
      if (status === 'written') summary.written++;
      else if (status === 'up-to-date') summary.upToDate++;
      options.onProgress?.(++done, pairs.length, pair, status);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, pairs.length)) }, worker));
  summary.failed.sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  return summary;
}
