// Test helpers shared by this package's suites (not exported from the package).
import * as tf from '@tensorflow/tfjs-core';
import { registerResizeNearestGradFix } from '../fixes/resize-nearest-grad';
import { registerWasmKernels } from '../wasm/register';

/** Deterministic uniform values in [-1, 1) (an LCG), so failures reproduce. */
export function rand(shape: number[], seed = 1): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  let s = (seed * 2654435761) >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Imports tfjs-backend-wasm, registers our kernels and fixes, initialises wasm, returns to cpu. */
export async function setUpWasm(): Promise<void> {
  await import('@tensorflow/tfjs-backend-wasm');
  registerWasmKernels();
  await tf.setBackend('wasm');
  await tf.ready();
  registerResizeNearestGradFix();
  await tf.setBackend('cpu');
}

/** Runs `fn` inside tidy on `backend` and returns its outputs' values (all tensors disposed). */
export async function valuesOn(backend: string, fn: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  const previous = tf.getBackend();
  await tf.setBackend(backend);
  try {
    return tf.tidy(() => {
      const out = fn();
      return (Array.isArray(out) ? out : [out]).map((t) => Float32Array.from(t.dataSync() as Float32Array));
    });
  } finally {
    await tf.setBackend(previous);
  }
}

/** |a - e| ≤ rtol · max|e| + atol elementwise; the message names the worst element. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-4, label = ''): void {
  expect(actual.length).toBe(expected.length);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  const tol = rtol * scale + 1e-6;
  let worst = -1;
  let worstDiff = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    if (!(d <= worstDiff)) {
      worstDiff = d;
      worst = i;
    }
  }
  if (!(worstDiff <= tol)) {
    throw new Error(
      `${label}: max |Δ| = ${worstDiff} at ${worst} (got ${actual[worst]}, want ${expected[worst]}) exceeds ${tol}.`,
    );
  }
}
