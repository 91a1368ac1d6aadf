import { assertSize } from '../planes';

/**
 * Source index of every output pixel for PyTorch `F.interpolate(mode='nearest')` (REFERENCE §1):
 * `floor(j · scale)` clamped to `in − 1`, with `scale = in/out` rounded to float32 and the product
 * taken in float32, as ATen computes it. Identity when the sizes agree.
 */
export function floorNearestIndices(inSize: number, outSize: number): Int32Array {
  assertSize(inSize, outSize, 'floorNearestIndices');
  const out = new Int32Array(outSize);
  if (inSize === outSize) {
    for (let j = 0; j < outSize; j++) out[j] = j;
    return out;
  }
  const scale = Math.fround(inSize / outSize);
  for (let j = 0; j < outSize; j++) out[j] = Math.min(Math.floor(Math.fround(j * scale)), inSize - 1);
  return out;
}
