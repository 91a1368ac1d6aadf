import { createMask, type LabelMask } from './label-mask';
import { colorLookup, colorOf, MAX_ADE20K_ID, nearestColorId, rgbKey } from './palette';

/** How a loaded PNG stores classes: grey = raw ADE20K value; colour = the SPADE/ADE20K palette. */
export type MaskEncoding = 'raw' | 'color';
export const MASK_ENCODINGS = ['auto', 'raw', 'color'] as const;
export type MaskEncodingChoice = (typeof MASK_ENCODINGS)[number];

export interface DecodedMask {
  mask: LabelMask;
  encoding: MaskEncoding;
  /** Colour masks: pixels whose colour is not in the palette, given the nearest palette class. */
  approximated: number;
}

/**
 * Decoded RGBA pixels of a mask file → class ids. 'auto' takes an all-grey image whose values are
 * all ≤ 150 as raw ids (the dataset's own PNGs), anything else as a colour-coded mask.
 */
export function decodeMaskPixels(rgba: ArrayLike<number>, width: number, height: number, choice: MaskEncodingChoice = 'auto'): DecodedMask {
  if (rgba.length !== width * height * 4)
    throw new RangeError(`decodeMaskPixels: expected ${width}x${height}x4 = ${width * height * 4} RGBA values, got ${rgba.length}.`);
  let grey = true;
  let maxGrey = 0;
  for (let i = 0; i < rgba.length; i += 4) {
    const r = rgba[i]!;
    if (r !== rgba[i + 1] || r !== rgba[i + 2]) {
      grey = false;
      break;
    }
    if (r > maxGrey) maxGrey = r;
  }
  const encoding: MaskEncoding = choice === 'auto' ? (grey && maxGrey <= MAX_ADE20K_ID ? 'raw' : 'color') : choice;
  const mask = createMask(width, height);
  if (encoding === 'raw') {
    for (let p = 0, i = 0; p < mask.ids.length; p++, i += 4) {
      const v = rgba[i]!;
      if (rgba[i + 1] !== v || rgba[i + 2] !== v)
        throw new RangeError(
          `mask: a raw-id mask must be grey, got (${v},${rgba[i + 1]},${rgba[i + 2]}) ` +
            `at (${p % width},${Math.floor(p / width)}); load it as a colour mask.`,
        );
      if (v > MAX_ADE20K_ID)
        throw new RangeError(`mask: raw ids must be 0..${MAX_ADE20K_ID} (ADE20K), got ${v} at (${p % width},${Math.floor(p / width)}).`);
      mask.ids[p] = v;
    }
    return { mask, encoding, approximated: 0 };
  }
  const exact = colorLookup();
  const nearest = new Map<number, number>(); // anti-aliased edges repeat a few colours: look each up once
  let approximated = 0;
  for (let p = 0, i = 0; p < mask.ids.length; p++, i += 4) {
    const key = rgbKey(rgba[i]!, rgba[i + 1]!, rgba[i + 2]!);
    let id = exact.get(key);
    if (id === undefined) {
      approximated++;
      id = nearest.get(key);
      if (id === undefined) {
        id = nearestColorId(rgba[i]!, rgba[i + 1]!, rgba[i + 2]!);
        nearest.set(key, id);
      }
    }
    mask.ids[p] = id;
  }
  return { mask, encoding, approximated };
}

/** The mask drawn in the ADE20K/SPADE palette (opaque RGBA), for the painter and "download colour mask". */
export function maskToColorRgba(mask: LabelMask, out = new Uint8ClampedArray(mask.ids.length * 4)): Uint8ClampedArray {
  const lut = new Uint8Array(256 * 3);
  for (let id = 0; id <= MAX_ADE20K_ID; id++) lut.set(colorOf(id), 3 * id);
  for (let p = 0, i = 0; p < mask.ids.length; p++, i += 4) {
    const c = 3 * mask.ids[p]!;
    out[i] = lut[c]!;
    out[i + 1] = lut[c + 1]!;
    out[i + 2] = lut[c + 2]!;
    out[i + 3] = 255;
  }
  return out;
}

/** The mask as grey RGBA with value = raw id: saved as PNG it is a dataset-style label map. */
export function maskToRawRgba(mask: LabelMask): Uint8ClampedArray {
  const out = new Uint8ClampedArray(mask.ids.length * 4);
  for (let p = 0, i = 0; p < mask.ids.length; p++, i += 4) {
    const v = mask.ids[p]!;
    out[i] = v;
    out[i + 1] = v;
    out[i + 2] = v;
    out[i + 3] = 255;
  }
  return out;
}

/** 8-bit RGB (the runtime's quantised image) → opaque RGBA for a canvas. */
export function rgbToRgba(rgb: ArrayLike<number>, out = new Uint8ClampedArray((rgb.length / 3) * 4)): Uint8ClampedArray {
  for (let p = 0; p < rgb.length / 3; p++) {
    out[4 * p] = rgb[3 * p]!;
    out[4 * p + 1] = rgb[3 * p + 1]!;
    out[4 * p + 2] = rgb[3 * p + 2]!;
    out[4 * p + 3] = 255;
  }
  return out;
}
