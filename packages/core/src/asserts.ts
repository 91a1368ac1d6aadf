import type * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from './errors';

/** A shape pattern: null matches any size. */
export type ShapePattern = Array<number | null>;

/** `[2,8,8,4]`; an unknown dim prints as `?`, a named one (an ONNX dim parameter such as 'N') as its name. */
export function formatShape(shape: ReadonlyArray<number | string | null | undefined>): string {
  return `[${shape.map((d) => (d == null ? '?' : d)).join(',')}]`;
}

/** Asserts `shape` matches `pattern` (rank and every non-null dim); names `what` in the error. */
export function assertShape(
  shape: ReadonlyArray<number | null | undefined>,
  pattern: ShapePattern,
  what: string,
): void {
  const ok =
    shape.length === pattern.length && pattern.every((p, i) => p == null || shape[i] == null || shape[i] === p);
  if (!ok) throw new ShapeError(`${what} must have shape ${formatShape(pattern)}, got ${formatShape(shape)}.`);
}

/** Asserts a tensor is rank 4 (NHWC) and returns its dims. */
export function assertNHWC(t: tf.Tensor, what: string): [number, number, number, number] {
  if (t.rank !== 4) throw new ShapeError(`${what} must be rank 4 [N,H,W,C] (NHWC), got ${formatShape(t.shape)}.`);
  return t.shape as [number, number, number, number];
}
