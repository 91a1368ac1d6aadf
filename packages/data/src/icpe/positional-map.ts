import { ConfigError } from '@clade/core';
import { assertPlane, type LabelMap, type PositionalMap } from '../planes';
import { connectedComponents8, type Components } from './connected-components';

export interface PositionalMapOptions {
  /**
   * Raw value whose pixels get no offsets. Default 0, as the official script does for every dataset
   * (REFERENCE §5.1; for COCO-Stuff raw 0 is "person"). `null` processes every value.
   */
  skipValue?: number | null;
  /**
   * Which components of each raw value get offsets. Default 'all' (the official code: every
   * 8-connected component, each with its own centroid); 'largest' is the paper's text (ties:
   * the component whose first pixel comes first in raster order).
   */
  components?: 'all' | 'largest';
  /** Divide each component's offsets by (max |offset| + 1e-5) per axis. Default true (`--norm norm`). */
  normalize?: boolean;
}

const NORM_EPS = 1e-5;
// Local aliases: inside a vm context (jest) every `Math.x` in a hot loop is a slow global lookup.
const { abs, max } = Math;

/** For 'largest': keep[c] = 1 when c is the largest component of its raw value. */
function largestPerValue(cc: Components): Uint8Array {
  const best = new Map<number, number>();
  for (let c = 0; c < cc.count; c++) {
    const b = best.get(cc.value[c]!);
    if (b === undefined || cc.area[c]! > cc.area[b]!) best.set(cc.value[c]!, c);
  }
  const keep = new Uint8Array(cc.count);
  for (const c of best.values()) keep[c] = 1;
  return keep;
}

/**
 * CLADE-ICPE positional map of a raw label map at its own resolution (REFERENCE §5.1): for each
 * 8-connected component of each raw value ≠ `skipValue`, the row and column offsets from the
 * component's centroid, each divided by its largest absolute value + 1e-5. Computed in float64,
 * returned as float32 [2,H,W] (channel 0 vertical, channel 1 horizontal). Values lie in (−1, 1).
 */
export function positionalMap(label: LabelMap, options: PositionalMapOptions = {}): PositionalMap {
  assertPlane(label, 1, 'positionalMap');
  const { skipValue = 0, components = 'all', normalize = true } = options;
  if (components !== 'all' && components !== 'largest')
    throw new ConfigError(`positionalMap: components must be one of all, largest; got '${String(components)}'.`);
  const { width: w, height: h } = label;
  const cc = connectedComponents8(label, skipValue);
  const keep = components === 'largest' ? largestPerValue(cc) : null;
  const cy = new Float64Array(cc.count);
  const cx = new Float64Array(cc.count);
  for (let c = 0; c < cc.count; c++) {
    cy[c] = cc.sumRow[c]! / cc.area[c]!;
    cx[c] = cc.sumCol[c]! / cc.area[c]!;
  }
  const maxV = new Float64Array(cc.count);
  const maxH = new Float64Array(cc.count);
  for (let y = 0, p = 0; y < h; y++) {
    for (let x = 0; x < w; x++, p++) {
      const c = cc.ids[p]!;
      if (c < 0) continue;
      maxV[c] = max(maxV[c]!, abs(y - cy[c]!));
      maxH[c] = max(maxH[c]!, abs(x - cx[c]!));
    }
  }
  const n = w * h;
  const data = new Float32Array(2 * n);
  for (let y = 0, p = 0; y < h; y++) {
    for (let x = 0; x < w; x++, p++) {
      const c = cc.ids[p]!;
      if (c < 0 || (keep && !keep[c])) continue;
      const dv = y - cy[c]!;
      const dh = x - cx[c]!;
      data[p] = normalize ? dv / (maxV[c]! + NORM_EPS) : dv;
      data[n + p] = normalize ? dh / (maxH[c]! + NORM_EPS) : dh;
    }
  }
  return { width: w, height: h, data };
}
