import { assertPlane, type LabelMap } from './planes';

/**
 * Instance edge map (official `get_edges`, REFERENCE §12.4.5): a pixel is 1 when it differs from
 * any of its 4 neighbours; both pixels of every differing horizontal or vertical pair are marked.
 * Returns 0/1 bytes, row-major [H,W].
 */
export function instanceEdges(map: LabelMap): Uint8Array {
  assertPlane(map, 1, 'instanceEdges');
  const { width: w, height: h, data: t } = map;
  const e = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const p = row + x;
      if (x + 1 < w && t[p] !== t[p + 1]) e[p] = e[p + 1] = 1;
      if (y + 1 < h && t[p] !== t[p + w]) e[p] = e[p + w] = 1;
    }
  }
  return e;
}
