import { IOError } from '../errors';
import type { NdArray } from './ndarray';

/** How many values of `data` are NaN or ±Infinity, and the flat index of the first. */
export function countNonFinite(data: Float32Array | Float64Array): { count: number; first: number } {
  let count = 0;
  let first = -1;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    // v - v is 0 for every finite v and NaN for NaN and ±Infinity: one subtraction, no call.
    if (v - v !== 0) {
      if (count === 0) first = i;
      count++;
    }
  }
  return { count, first };
}

/**
 * Throws an IOError naming `file` and the first float tensor that holds NaN or ±Infinity:
 * such weights load silently and the network then outputs NaN (an all-black image).
 * Integer and bool arrays are skipped.
 */
export function assertFiniteWeights(file: string, arrays: Iterable<readonly [string, NdArray]>): void {
  for (const [name, arr] of arrays) {
    if (arr.dtype !== 'float32' && arr.dtype !== 'float64') continue;
    const { count, first } = countNonFinite(arr.data);
    if (count === 0) continue;
    throw new IOError(
      `'${file}': tensor '${name}' holds ${count} non-finite value${count === 1 ? '' : 's'} ` +
      `(first ${String(arr.data[first])} at index ${first}); the file is damaged or the run diverged.`,
    );
  }
}
