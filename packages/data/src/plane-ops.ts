import { ConfigError } from '@clade/core';
import type { Rect } from './planes';

type Samples = Uint8Array | Uint16Array | Int32Array | Float32Array;

function alloc<T extends Samples>(like: T, n: number): T {
  return new (like.constructor as new (n: number) => T)(n);
}

/**
 * Crops `rect` out of an interleaved [H,W,ch] plane; pixels outside the source read 0, as PIL's
 * `Image.crop` pads.
 */
export function cropPlane<T extends Samples>(data: T, w: number, h: number, ch: number, rect: Rect): T {
  const { x: x0, y: y0, width: cw, height: chh } = rect;
  if (![x0, y0, cw, chh].every(Number.isInteger) || cw < 1 || chh < 1)
    throw new ConfigError(`cropPlane: rect must be integers with positive size, got ${JSON.stringify(rect)}.`);
  const out = alloc(data, cw * chh * ch);
  const xa = Math.max(0, x0);
  const xb = Math.min(w, x0 + cw);
  if (xb <= xa) return out;
  for (let y = 0; y < chh; y++) {
    const sy = y + y0;
    if (sy < 0 || sy >= h) continue;
    const src = (sy * w + xa) * ch;
    out.set(data.subarray(src, src + (xb - xa) * ch), (y * cw + (xa - x0)) * ch);
  }
  return out;
}

/** Mirrors an interleaved [H,W,ch] plane left-right. */
export function flipPlaneLR<T extends Samples>(data: T, w: number, h: number, ch: number): T {
  const out = alloc(data, data.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const s = (y * w + x) * ch;
      const d = (y * w + (w - 1 - x)) * ch;
      for (let c = 0; c < ch; c++) out[d + c] = data[s + c]!;
    }
  return out;
}

/** Mirrors a [H,W] (or planar [C,H,W]: pass h = C·H per channel yourself) plane top-bottom. */
export function flipPlaneUD<T extends Samples>(data: T, w: number, h: number): T {
  const out = alloc(data, data.length);
  for (let y = 0; y < h; y++) out.set(data.subarray(y * w, (y + 1) * w), (h - 1 - y) * w);
  return out;
}
