import { assertPlane, type LabelMap } from '../planes';

/** 8-connected components of equal-valued pixels, with their integer moments. */
export interface Components {
  /** Component id per pixel (0..count−1), or −1 for skipped pixels. Ids follow raster order of first pixel. */
  ids: Int32Array;
  count: number;
  /** Raw label value of each component. */
  value: Float64Array;
  /** Pixel count, sum of rows and sum of columns of each component (exact integers in float64). */
  area: Float64Array;
  sumRow: Float64Array;
  sumCol: Float64Array;
}

function find(parent: Int32Array, i: number): number {
  let r = i;
  while (parent[r]! !== r) r = parent[r]!;
  while (parent[i]! !== r) {
    const next = parent[i]!;
    parent[i] = r;
    i = next;
  }
  return r;
}

/** Joins the sets of roots-or-members `a` and `b`; the smaller index stays root (= first pixel). */
function union(parent: Int32Array, a: number, b: number): void {
  const ra = find(parent, a);
  const rb = find(parent, b);
  if (ra < rb) parent[rb] = ra;
  else if (rb < ra) parent[ra] = rb;
}

/**
 * Labels the 8-connected components of every raw value except `skipValue` in one union-find
 * pass. A component of value L here is exactly a component of the mask `map == L` as OpenCV's
 * `connectedComponentsWithStats` (connectivity 8) finds it, since equal-valued neighbours are
 * the only ones joined. The scan visits only the neighbours that can join new sets (the
 * decision tree of Wu et al.: if the left or upper neighbour matches, its own 8-neighbours on
 * the previous row are already in its set), and a set's root is its first pixel in raster order.
 */
export function connectedComponents8(map: LabelMap, skipValue: number | null = null): Components {
  assertPlane(map, 1, 'connectedComponents8');
  const { width: w, height: h, data } = map;
  const n = w * h;
  const parent = new Int32Array(n);
  for (let y = 0, p = 0; y < h; y++) {
    for (let x = 0; x < w; x++, p++) {
      const v = data[p]!;
      parent[p] = p;
      if (v === skipValue) continue;
      const up = y > 0;
      const right = x + 1 < w;
      if (x > 0 && data[p - 1] === v) {
        parent[p] = find(parent, p - 1);
        if (up) {
          if (data[p - w] === v) union(parent, p, p - w); // up-left touches left, up-right touches up
          else if (right && data[p - w + 1] === v) union(parent, p, p - w + 1);
        }
      } else if (up) {
        if (data[p - w] === v) parent[p] = find(parent, p - w);
        else {
          if (x > 0 && data[p - w - 1] === v) parent[p] = find(parent, p - w - 1);
          if (right && data[p - w + 1] === v) union(parent, p, p - w + 1);
        }
      }
    }
  }
  // Roots are first pixels, so ids come out in raster order of first pixel in a single pass.
  const ids = new Int32Array(n).fill(-1);
  let count = 0;
  for (let p = 0; p < n; p++) {
    if (data[p] === skipValue) continue;
    const r = find(parent, p);
    ids[p] = r === p ? count++ : ids[r]!;
  }
  const value = new Float64Array(count);
  const area = new Float64Array(count);
  const sumRow = new Float64Array(count);
  const sumCol = new Float64Array(count);
  for (let y = 0, p = 0; y < h; y++) {
    for (let x = 0; x < w; x++, p++) {
      const c = ids[p]!;
      if (c < 0) continue;
      value[c] = data[p]!;
      area[c]! += 1;
      sumRow[c]! += y;
      sumCol[c]! += x;
    }
  }
  return { ids, count, value, area, sumRow, sumCol };
}
