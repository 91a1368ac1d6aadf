import * as tf from '@tensorflow/tfjs-core';

type Numeric = tf.Tensor | ArrayLike<number>;

function toArray(t: Numeric): Float64Array {
  if (t instanceof tf.Tensor) return Float64Array.from(t.dataSync() as ArrayLike<number>);
  return Float64Array.from(t);
}

/** Largest |a - b| over all elements; throws when the sizes differ. */
export function maxAbsDiff(actual: Numeric, expected: Numeric): number {
  const a = toArray(actual);
  const b = toArray(expected);
  if (a.length !== b.length) throw new Error(`maxAbsDiff: sizes differ, ${a.length} vs ${b.length}.`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= m)) m = d; // NaN propagates as NaN
  }
  return m;
}

/** Asserts equal shapes (when both are tensors) and max |Δ| ≤ atol. */
export function expectTensorsClose(actual: Numeric, expected: Numeric, atol = 1e-5): void {
  if (actual instanceof tf.Tensor && expected instanceof tf.Tensor) {
    expect(actual.shape).toEqual(expected.shape);
  }
  const d = maxAbsDiff(actual, expected);
  if (!(d <= atol)) throw new Error(`expectTensorsClose: max |Δ| = ${d} exceeds ${atol}.`);
}
