import type { Canvas } from './context';

/**
 * One depth layer of a scene, painted back to front. `cover` lets layers behind skip the pixels
 * this one will paint over completely.
 */
export interface Layer {
  /** Called once per canvas before anything is drawn. */
  prepare?(cv: Canvas): void;
  /** Sets mask[i] = 1 for every pixel this layer covers with full opacity. */
  cover?(cv: Canvas, mask: Uint8Array): void;
  /** Paints the layer; pixels with hidden[i] = 1 are covered by layers in front and may be skipped. */
  draw(cv: Canvas, hidden: Uint8Array): void;
  /** Class at (u, v) when this layer covers that point, else -1 (resolution-independent). */
  labelAt?(u: number, v: number): number;
}

/** Per-column top rows (pixel units, float) of an edge function v = top(u). */
export function edgeRows(cv: Canvas, top: (u: number) => number): Float64Array {
  const out = new Float64Array(cv.width);
  for (let px = 0; px < cv.width; px++) out[px] = top(cv.u(px)) * cv.height;
  return out;
}

/**
 * Coverage of pixel row py by a region below an edge at float rows `rows` (per column), with the
 * distance measured perpendicular to the edge (so slanted edges are anti-aliased too).
 */
export function edgeCoverage(rows: Float64Array, px: number, py: number): number {
  const W = rows.length;
  const y = rows[px]!;
  const l = rows[px > 0 ? px - 1 : 0]!;
  const r = rows[px < W - 1 ? px + 1 : W - 1]!;
  const s = (r - l) * 0.5;
  const d = (py + 0.5 - y) / Math.sqrt(1 + s * s);
  const a = d + 0.5;
  return a < 0 ? 0 : a > 1 ? 1 : a;
}

/**
 * Marks the pixels fully covered by a region below the edge `rows` (1 px margin for slanted
 * edges), down to row `bottom` (exclusive; default the image bottom).
 */
export function markBelow(cv: Canvas, rows: Float64Array, mask: Uint8Array, bottom = cv.height): void {
  const W = cv.width;
  const end = Math.min(cv.height, bottom);
  for (let px = 0; px < W; px++) {
    const y = rows[px]!;
    const l = rows[px > 0 ? px - 1 : 0]!;
    const r = rows[px < W - 1 ? px + 1 : W - 1]!;
    const m = Math.max(y, l, r);
    for (let py = Math.max(0, Math.ceil(m + 1)); py < end; py++) mask[py * W + px] = 1;
  }
}
