import { ConfigError, IOError } from '@clade/core';
import type { ColorPalette } from '../labels/palettes';
import { assertPlane, type LabelMap, type RgbImage } from '../planes';
import { decodeImage } from './image';
import type { ImageLimitOptions } from './image-limits';
import { decodeLabelPng } from './label-png';
import { readBytes } from './read-bytes';

/** How the colours of a decoded colour label matched the palette. */
export interface ColorMatch {
  /** Pixels whose colour is exactly a palette colour. */
  exact: number;
  /** Pixels mapped to the nearest palette colour (only with a tolerance). */
  nearest: number;
  /** Largest Euclidean RGB distance of a pixel to the colour it was mapped to (0 when all exact). */
  maxDistance: number;
  /** Pixels whose colour several ids share (given the lowest id), e.g. Cityscapes' black void ids 0–4. */
  ambiguous: number;
}

/** A label map decoded from colours, with the match report. */
export interface ColorLabelMap extends LabelMap<Uint8Array> {
  match: ColorMatch;
}

export interface DecodeColorLabelOptions {
  /**
   * Largest Euclidean RGB distance at which a colour that is not in the palette is mapped to the
   * nearest palette colour. Default 0: every pixel must be exactly a palette colour (PNG figures).
   * Lossy (JPEG) label images need a tolerance; the distance reached is reported in `match`.
   */
  tolerance?: number;
  /** Names the file in errors. */
  source?: string;
}

interface PaletteIndex {
  /** packed RGB → lowest id with that colour */
  exact: Map<number, number>;
  /** packed RGB of colours that several ids share */
  shared: Set<number>;
}

const indexCache = new WeakMap<Uint8Array, PaletteIndex>();

function paletteIndex(palette: ColorPalette): PaletteIndex {
  let idx = indexCache.get(palette.colors);
  if (idx) return idx;
  const { colors } = palette;
  if (colors.length === 0 || colors.length % 3 !== 0 || colors.length / 3 > 256)
    throw new ConfigError(`decodeColorLabel: palette '${palette.name}' must hold 1..256 RGB triples, got ${colors.length} values.`);
  idx = { exact: new Map(), shared: new Set() };
  for (let id = 0; id < colors.length / 3; id++) {
    const key = (colors[3 * id]! << 16) | (colors[3 * id + 1]! << 8) | colors[3 * id + 2]!;
    if (idx.exact.has(key)) idx.shared.add(key);
    else idx.exact.set(key, id);
  }
  indexCache.set(palette.colors, idx);
  return idx;
}

const rgbOf = (key: number) => `(${key >> 16},${(key >> 8) & 255},${key & 255})`;

/**
 * Colour-coded label image → ids: each pixel's RGB looked up in `palette` (id = index of the
 * colour). Exact by default; colours that are not palette colours are an IOError listing them with
 * pixel counts, unless within `tolerance` of one (nearest colour, Euclidean RGB). Shared colours
 * decode to their lowest id (counted in `match.ambiguous`).
 */
export function decodeColorLabel(rgb: RgbImage, palette: ColorPalette, options: DecodeColorLabelOptions = {}): ColorLabelMap {
  assertPlane(rgb, 3, 'decodeColorLabel');
  const { tolerance = 0, source = '<memory>' } = options;
  if (!(tolerance >= 0)) throw new ConfigError(`decodeColorLabel: tolerance must be ≥ 0, got ${tolerance}.`);
  const idx = paletteIndex(palette);
  const { colors } = palette;
  const n = rgb.width * rgb.height;
  const out = new Uint8Array(n);
  // Per distinct colour: id (or -1 when unmatched) and distance; label images have few colours.
  const seen = new Map<number, { id: number; dist: number; count: number }>();
  const src = rgb.data;
  let lastKey = -1;
  let last = { id: 0, dist: 0, count: 0 };
  for (let p = 0; p < n; p++) {
    const key = (src[3 * p]! << 16) | (src[3 * p + 1]! << 8) | src[3 * p + 2]!;
    if (key !== lastKey) {
      let e = seen.get(key);
      if (!e) {
        const id = idx.exact.get(key);
        if (id !== undefined) e = { id, dist: 0, count: 0 };
        else {
          let best = -1;
          let bestD = Infinity;
          const r = key >> 16;
          const g = (key >> 8) & 255;
          const b = key & 255;
          for (let i = 0; i < colors.length / 3; i++) {
            const dr = r - colors[3 * i]!;
            const dg = g - colors[3 * i + 1]!;
            const db = b - colors[3 * i + 2]!;
            const d = dr * dr + dg * dg + db * db;
            if (d < bestD) [best, bestD] = [i, d];
          }
          const dist = Math.sqrt(bestD);
          e = { id: dist <= tolerance ? best : -1, dist, count: 0 };
        }
        seen.set(key, e);
      }
      lastKey = key;
      last = e;
    }
    last.count++;
    out[p] = last.id;
  }
  const bad = [...seen].filter(([, e]) => e.id < 0).sort((a, b) => b[1].count - a[1].count);
  if (bad.length > 0) {
    const px = bad.reduce((s, [, e]) => s + e.count, 0);
    const list = bad.slice(0, 6).map(([k, e]) => `${rgbOf(k)} ${e.count} px`).join(', ');
    const worst = Math.max(...bad.map(([, e]) => e.dist));
    throw new IOError(
      `decodeColorLabel: '${source}' has ${px} pixels in ${bad.length} colours that are not in the ${palette.name} palette` +
        ` (${list}${bad.length > 6 ? ', …' : ''}; up to ${worst.toFixed(1)} away, tolerance ${tolerance}).` +
        (tolerance === 0 ? ' Pass a tolerance for lossy (JPEG) label images.' : ''),
    );
  }
  const match: ColorMatch = { exact: 0, nearest: 0, maxDistance: 0, ambiguous: 0 };
  for (const e of seen.values()) {
    if (e.dist === 0) match.exact += e.count;
    else match.nearest += e.count;
    match.maxDistance = Math.max(match.maxDistance, e.dist);
    const k = (colors[3 * e.id]! << 16) | (colors[3 * e.id + 1]! << 8) | colors[3 * e.id + 2]!;
    if (idx.shared.has(k)) match.ambiguous += e.count;
  }
  return { width: rgb.width, height: rgb.height, data: out, match };
}

/** ids → colours: the inverse of `decodeColorLabel` (ids outside the palette are an error). */
export function encodeColorLabel(label: LabelMap, palette: ColorPalette): RgbImage {
  assertPlane(label, 1, 'encodeColorLabel');
  const k = palette.colors.length / 3;
  const out = new Uint8Array(3 * label.data.length);
  for (let p = 0; p < label.data.length; p++) {
    const id = label.data[p]!;
    if (id >= k || id < 0) throw new ConfigError(`encodeColorLabel: id ${id} at pixel ${p} is outside the ${palette.name} palette (0..${k - 1}).`);
    out.set(palette.colors.subarray(3 * id, 3 * id + 3), 3 * p);
  }
  return { width: label.width, height: label.height, data: out };
}

/** `decodeColorLabel`'s options (the file names itself) plus the decode limits. */
export interface LoadColorLabelOptions extends Omit<DecodeColorLabelOptions, 'source'>, ImageLimitOptions {}

/** Reads a colour label image (PNG or JPEG) and decodes it with `palette`; see `decodeColorLabel`. */
export async function loadColorLabel(path: string, palette: ColorPalette, options: LoadColorLabelOptions = {}): Promise<ColorLabelMap> {
  const { maxPixels, ...match } = options;
  const rgb = await decodeImage(await readBytes(path, 'loadColorLabel'), path, { maxPixels });
  return decodeColorLabel(rgb, palette, { ...match, source: path });
}

export interface LoadLabelOptions extends ImageLimitOptions {
  /** Decode colour-coded labels with this palette instead of reading ids. */
  palette?: ColorPalette;
  /** Colour tolerance (see `decodeColorLabel`). Default 0. */
  tolerance?: number;
}

/**
 * Reads a label map: raw ids from a gray/palette PNG (`loadLabelPng`), or, with `palette`, ids
 * decoded from a colour-coded image (`loadColorLabel`).
 */
export async function loadLabel(path: string, options: LoadLabelOptions = {}): Promise<LabelMap<Uint8Array | Uint16Array>> {
  const bytes = await readBytes(path, 'loadLabel');
  const limits = { maxPixels: options.maxPixels };
  if (!options.palette) return decodeLabelPng(bytes, path, limits);
  const rgb = await decodeImage(bytes, path, limits);
  const { width, height, data } = decodeColorLabel(rgb, options.palette, { tolerance: options.tolerance ?? 0, source: path });
  return { width, height, data };
}
