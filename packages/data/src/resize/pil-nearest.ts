import { assertPlane, assertSize, allocLike, type LabelData, type LabelMap } from '../planes';

/**
 * Source index of every output pixel along one axis for PIL `Image.NEAREST` (REFERENCE §12.3):
 * `s = in/out`, `xo = s/2`, then `src[x] = min(trunc(xo), in − 1)` and `xo += s`. The running sum
 * is float64 and must stay a running sum: the closed form `trunc((x + 0.5)·s)` differs at exact
 * .5 boundaries (8 → 300: output 37 reads source 0).
 */
export function pilNearestIndices(inSize: number, outSize: number): Int32Array {
  assertSize(inSize, outSize, 'pilNearestIndices');
  const out = new Int32Array(outSize);
  const s = inSize / outSize;
  let xo = 0.5 * s;
  for (let x = 0; x < outSize; x++) {
    out[x] = Math.min(Math.trunc(xo), inSize - 1);
    xo += s;
  }
  return out;
}

/** Resizes a label or instance map to `width × height` like PIL NEAREST; keeps the sample type. */
export function resizeNearestPil<D extends LabelData>(map: LabelMap<D>, width: number, height: number): LabelMap<D> {
  assertPlane(map, 1, 'resizeNearestPil');
  assertSize(width, height, 'resizeNearestPil');
  return gatherRowsCols(map, pilNearestIndices(map.height, height), pilNearestIndices(map.width, width));
}

/** out[y][x] = map[rows[y]][cols[x]]. */
export function gatherRowsCols<D extends LabelData>(map: LabelMap<D>, rows: Int32Array, cols: Int32Array): LabelMap<D> {
  const width = cols.length;
  const height = rows.length;
  const data = allocLike(map.data, width * height);
  for (let y = 0; y < height; y++) {
    const src = rows[y]! * map.width;
    const dst = y * width;
    for (let x = 0; x < width; x++) data[dst + x] = map.data[src + cols[x]!]!;
  }
  return { width, height, data };
}
