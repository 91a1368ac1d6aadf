import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { encode as encodePng } from 'fast-png';
import sharp from 'sharp';
import { ConfigError, IOError } from '@clade/core';
import { SYNTH_CLASS_NAMES } from './classes';
import { hash2 } from './noise';
import { SYNTH_VERSION, synthScene } from './scene';

export type SynthSplit = 'train' | 'val';

export interface WriteSynthDatasetOptions {
  /** Output root; created if missing. */
  out: string;
  /** Number of samples to write. */
  count: number;
  /** Square side in pixels, or width × height. */
  size: number | { width: number; height: number };
  /** Dataset seed (default 0): sample i of a split always gets the same scene. */
  seed?: number;
  /** Which split to write (default 'train'); the splits draw disjoint scenes. */
  split?: SynthSplit;
  /** JPEG quality of the photos, 1..100 (default 92). */
  quality?: number;
  /** Called after each sample is written. */
  onProgress?: (done: number, total: number) => void;
}

export interface SynthSampleInfo {
  id: string;
  seed: number;
  kind: string;
  lighting: string;
  classes: number[];
  image: string;
  label: string;
}

/** What `writeSynthDataset` wrote (also saved as `synth-<split>.json` in the output root). */
export interface SynthDatasetSummary {
  generator: '@clade/data synth';
  /** SYNTH_VERSION of the generator that wrote the files. */
  version: number;
  out: string;
  split: SynthSplit;
  seed: number;
  count: number;
  width: number;
  height: number;
  quality: number;
  /** Pixels per ADE20K class id over the whole split, with the class names. */
  classPixels: Record<string, number>;
  classNames: Record<string, string>;
  samples: SynthSampleInfo[];
  /** Wall time spent rendering (not encoding or writing), ms. */
  renderMs: number;
}

const SPLIT_DIRS: Record<SynthSplit, string> = { train: 'training', val: 'validation' };

/** The scene seed of sample `index` (0-based) of `split` in a dataset with seed `seed`. */
export function synthSampleSeed(seed: number, split: SynthSplit, index: number): number {
  return hash2(index, split === 'train' ? 0x7a11 : 0x7a12, seed) & 0x7fffffff;
}

/** File stem of sample `index` (0-based): `SYNTH_train_00000001`, as ADE20K names its files. */
export function synthSampleId(split: SynthSplit, index: number): string {
  return `SYNTH_${split}_${String(index + 1).padStart(8, '0')}`;
}

/** An 8-bit grayscale PNG of raw class ids (deterministic bytes: pure-JS encoder). */
export function encodeLabelPng(label: Uint8Array, width: number, height: number): Uint8Array {
  return encodePng({ width, height, data: label, channels: 1, depth: 8 });
}

/**
 * An 8-bit RGB PNG of interleaved bytes: the one encoder of every synthesized image the project
 * writes or serves, so the CLI, folder mode, showcase and `clade serve` give the same bytes.
 */
export function encodeRgbPng(image: { width: number; height: number; data: Uint8Array }): Uint8Array {
  return encodePng({ width: image.width, height: image.height, data: image.data, channels: 3, depth: 8 });
}

/**
 * Renders `count` synthetic scenes and writes them in the ADEChallengeData2016 layout, which
 * `listAde20k` reads: `images/<training|validation>/SYNTH_<split>_NNNNNNNN.jpg` (RGB photo) and
 * `annotations/<…>/SYNTH_<split>_NNNNNNNN.png` (8-bit raw ADE20K ids, 0 = other, 1..150), plus a
 * `synth-<split>.json` manifest. Label PNGs are byte-identical on every machine; the JPEGs are
 * too for a given libvips/libjpeg build.
 */
export async function writeSynthDataset(options: WriteSynthDatasetOptions): Promise<SynthDatasetSummary> {
  const what = 'writeSynthDataset';
  const { out, count, seed = 0, split = 'train', quality = 92, onProgress } = options;
  const { width, height } = typeof options.size === 'number' ? { width: options.size, height: options.size } : options.size;
  if (!Number.isInteger(count) || count < 0) throw new ConfigError(`${what}: count must be a non-negative integer, got ${count}.`);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new ConfigError(`${what}: size must be positive integers, got ${width}x${height}.`);
  if (!Number.isInteger(seed)) throw new ConfigError(`${what}: seed must be an integer, got ${seed}.`);
  if (split !== 'train' && split !== 'val') throw new ConfigError(`${what}: split must be one of train, val; got '${split}'.`);
  if (!Number.isInteger(quality) || quality < 1 || quality > 100)
    throw new ConfigError(`${what}: quality must be an integer in 1..100, got ${quality}.`);
  const imageDir = path.join(out, 'images', SPLIT_DIRS[split]);
  const labelDir = path.join(out, 'annotations', SPLIT_DIRS[split]);
  try {
    await mkdir(imageDir, { recursive: true });
    await mkdir(labelDir, { recursive: true });
  } catch (e) {
    throw new IOError(`${what}: could not create '${out}' (${(e as Error).message}).`, { cause: e });
  }
  const samples: SynthSampleInfo[] = [];
  const pixels = new Float64Array(256);
  let renderMs = 0;
  let pending: Promise<void> | null = null;
  for (let i = 0; i < count; i++) {
    const id = synthSampleId(split, i);
    const s = synthSampleSeed(seed, split, i);
    const t0 = performance.now();
    const scene = synthScene({ seed: s, width, height });
    renderMs += performance.now() - t0;
    for (let k = 0; k < scene.label.length; k++) pixels[scene.label[k]!] = pixels[scene.label[k]!]! + 1;
    const image = path.join(imageDir, `${id}.jpg`);
    const label = path.join(labelDir, `${id}.png`);
    samples.push({ id, seed: s, kind: scene.kind, lighting: scene.lighting, classes: scene.classes, image, label });
    // Encode and write this sample while the next one renders.
    const write = (async () => {
      const jpg = await sharp(scene.image, { raw: { width, height, channels: 3 } })
        .jpeg({ quality, chromaSubsampling: '4:2:0' })
        .toBuffer();
      try {
        await writeFile(image, jpg);
        await writeFile(label, encodeLabelPng(scene.label, width, height));
      } catch (e) {
        throw new IOError(`${what}: could not write '${id}' under '${out}' (${(e as Error).message}).`, { cause: e });
      }
    })();
    if (pending) await pending;
    pending = write;
    if (i > 0) onProgress?.(i, count);
  }
  if (pending) await pending;
  if (count > 0) onProgress?.(count, count);
  const classPixels: Record<string, number> = {};
  const classNames: Record<string, string> = {};
  for (let c = 0; c < 256; c++)
    if (pixels[c]! > 0) {
      classPixels[c] = pixels[c]!;
      classNames[c] = SYNTH_CLASS_NAMES[c] ?? (c === 0 ? 'other' : `class ${c}`);
    }
  const summary: SynthDatasetSummary = {
    generator: '@clade/data synth',
    version: SYNTH_VERSION,
    out,
    split,
    seed,
    count,
    width,
    height,
    quality,
    classPixels,
    classNames,
    samples,
    renderMs,
  };
  const rel = { ...summary, samples: samples.map((x) => ({ ...x, image: path.relative(out, x.image), label: path.relative(out, x.label) })) };
  try {
    await writeFile(path.join(out, `synth-${split}.json`), `${JSON.stringify(rel, null, 2)}\n`);
  } catch (e) {
    throw new IOError(`${what}: could not write the manifest in '${out}' (${(e as Error).message}).`, { cause: e });
  }
  return summary;
}
