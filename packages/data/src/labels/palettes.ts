import { ConfigError } from '@clade/core';

/**
 * A colour-coded label convention: id i is drawn as `colors[3i..3i+3)` (RGB). Several ids may share
 * a colour (Cityscapes' void classes); decoding gives the lowest such id and counts the pixels.
 */
export interface ColorPalette {
  /** Short name used in messages and by the CLI (`--color-labels ade20k`). */
  readonly name: string;
  /** RGB triples by id, length 3·(number of ids). */
  readonly colors: Uint8Array;
}

/**
 * SPADE's `util.labelcolormap(N)` for N ≠ 35 (also pix2pixHD's, but SPADE starts at id + 1 so that
 * id 0 gets a colour): the bits of (i + 1) are dealt round-robin to R, G, B from the most significant
 * bit down. Distinct for every i < 2²¹ − 1, so the colours decode losslessly. This is how SPADE,
 * CLADE and SEAN draw ADE20K and COCO-Stuff label maps (COCO's N = 182 variant then recolours five
 * stuff classes, not done here).
 */
export function spadeLabelColormap(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 1 || n > 0x1fffff)
    throw new ConfigError(`spadeLabelColormap: n must be an integer in 1..2097151, got ${n}.`);
  const out = new Uint8Array(3 * n);
  for (let i = 0; i < n; i++) {
    let id = i + 1;
    let r = 0;
    let g = 0;
    let b = 0;
    for (let j = 0; j < 7; j++) {
      r |= (id & 1) << (7 - j);
      g |= ((id >> 1) & 1) << (7 - j);
      b |= ((id >> 2) & 1) << (7 - j);
      id >>= 3;
    }
    out[3 * i] = r;
    out[3 * i + 1] = g;
    out[3 * i + 2] = b;
  }
  return out;
}

/**
 * The ADE20K/SPADE 151-colour palette: raw ADE20K value v (0 = other, 1..150 classes; the one-hot
 * channel under the official quirk) → `spadeLabelColormap(151)[v]`: 0 (128,0,0), 1 wall (0,128,0),
 * 3 sky (0,0,128), … Checked against the SEAN paper's ADE label figures (every pixel a palette colour).
 */
export const ADE20K_PALETTE: ColorPalette = Object.freeze({ name: 'ade20k', colors: spadeLabelColormap(151) });

/** One row of the Cityscapes `labels` table (cityscapesScripts `helpers/labels.py`). */
export interface CityscapesLabel {
  name: string;
  /** The labelId stored in `*_gtFine_labelIds.png` (0..33). */
  id: number;
  /** The 19-class training id, 255 = ignored in evaluation. */
  trainId: number;
  category: string;
  color: readonly [number, number, number];
}

const L = (name: string, id: number, trainId: number, category: string, color: [number, number, number]): CityscapesLabel =>
  Object.freeze({ name, id, trainId, category, color: Object.freeze(color) });

/** The 34 Cityscapes labelIds 0..33 (the -1 'license plate' row has no labelId and is left out). */
export const CITYSCAPES_LABELS: readonly CityscapesLabel[] = Object.freeze([
  L('unlabeled', 0, 255, 'void', [0, 0, 0]),
  L('ego vehicle', 1, 255, 'void', [0, 0, 0]),
  L('rectification border', 2, 255, 'void', [0, 0, 0]),
  L('out of roi', 3, 255, 'void', [0, 0, 0]),
  L('static', 4, 255, 'void', [0, 0, 0]),
  L('dynamic', 5, 255, 'void', [111, 74, 0]),
  L('ground', 6, 255, 'void', [81, 0, 81]),
  L('road', 7, 0, 'flat', [128, 64, 128]),
  L('sidewalk', 8, 1, 'flat', [244, 35, 232]),
  L('parking', 9, 255, 'flat', [250, 170, 160]),
  L('rail track', 10, 255, 'flat', [230, 150, 140]),
  L('building', 11, 2, 'construction', [70, 70, 70]),
  L('wall', 12, 3, 'construction', [102, 102, 156]),
  L('fence', 13, 4, 'construction', [190, 153, 153]),
  L('guard rail', 14, 255, 'construction', [180, 165, 180]),
  L('bridge', 15, 255, 'construction', [150, 100, 100]),
  L('tunnel', 16, 255, 'construction', [150, 120, 90]),
  L('pole', 17, 5, 'object', [153, 153, 153]),
  L('polegroup', 18, 255, 'object', [153, 153, 153]),
  L('traffic light', 19, 6, 'object', [250, 170, 30]),
  L('traffic sign', 20, 7, 'object', [220, 220, 0]),
  L('vegetation', 21, 8, 'nature', [107, 142, 35]),
  L('terrain', 22, 9, 'nature', [152, 251, 152]),
  L('sky', 23, 10, 'sky', [70, 130, 180]),
  L('person', 24, 11, 'human', [220, 20, 60]),
  L('rider', 25, 12, 'human', [255, 0, 0]),
  L('car', 26, 13, 'vehicle', [0, 0, 142]),
  L('truck', 27, 14, 'vehicle', [0, 0, 70]),
  L('bus', 28, 15, 'vehicle', [0, 60, 100]),
  L('caravan', 29, 255, 'vehicle', [0, 0, 90]),
  L('trailer', 30, 255, 'vehicle', [0, 0, 110]),
  L('train', 31, 16, 'vehicle', [0, 80, 100]),
  L('motorcycle', 32, 17, 'vehicle', [0, 0, 230]),
  L('bicycle', 33, 18, 'vehicle', [119, 11, 32]),
]);

/**
 * The Cityscapes palette by labelId. Not injective: ids 0–4 are all black (decoded as 0, unlabeled)
 * and 17/18 share grey (decoded as 17, pole); `decodeColorLabel` counts such pixels as ambiguous.
 */
export const CITYSCAPES_PALETTE: ColorPalette = Object.freeze({
  name: 'cityscapes',
  colors: Uint8Array.from(CITYSCAPES_LABELS.flatMap((l) => [...l.color])),
});

export const COLOR_PALETTES: Readonly<Record<string, ColorPalette>> = Object.freeze({
  ade20k: ADE20K_PALETTE,
  cityscapes: CITYSCAPES_PALETTE,
});

/** A palette by name (`ade20k`, `cityscapes`); a ConfigError lists the names. */
export function colorPalette(name: string): ColorPalette {
  const p = COLOR_PALETTES[name];
  if (!p) throw new ConfigError(`colorPalette: palette must be one of ${Object.keys(COLOR_PALETTES).join(', ')}; got '${name}'.`);
  return p;
}
