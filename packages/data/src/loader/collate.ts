import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError } from '@clade/core';
import type { PreparedSample } from './prepare-sample';

/** What G (and D) take for a batch, NHWC. */
export interface Batch {
  ids: string[];
  /** [N,H,W,S]: one-hot over K class channels (classes, then dontcare), then the edge channel last if any. */
  semantics: tf.Tensor4D;
  /** [N,H,W,3] in [−1, 1], when the samples have photos. */
  image: tf.Tensor4D | null;
  /** [N,H,W,2] CLADE-ICPE positional map, when computed. */
  positional: tf.Tensor4D | null;
}

/** Disposes every tensor of a batch. */
export function disposeBatch(b: Batch): void {
  b.semantics.dispose();
  b.image?.dispose();
  b.positional?.dispose();
}

/**
 * Stacks prepared samples into tensors. `numClasses` is K (labelNc + dontcare). Every sample must
 * have the same size and the same optional parts.
 */
export function collate(samples: readonly PreparedSample[], numClasses: number): Batch {
  if (samples.length === 0) throw new ConfigError('collate: need at least one sample.');
  if (!Number.isInteger(numClasses) || numClasses < 1)
    throw new ConfigError(`collate: numClasses must be a positive integer, got ${numClasses}.`);
  const first = samples[0]!;
  const { width: w, height: h } = first;
  for (const s of samples)
    if (s.width !== w || s.height !== h || !s.edges !== !first.edges || !s.image !== !first.image || !s.positional !== !first.positional)
      throw new ShapeError(`collate: samples must agree in size and parts; '${s.id}' (${s.width}x${s.height}) differs from '${first.id}' (${w}x${h}).`);
  const n = samples.length;
  const hw = w * h;
  const withEdges = first.edges !== null;
  const s = numClasses + (withEdges ? 1 : 0);
  const sem = new Float32Array(n * hw * s);
  samples.forEach((smp, b) => {
    const base = b * hw * s;
    for (let p = 0; p < hw; p++) {
      const c = smp.classes[p]!;
      if (c < 0 || c >= numClasses)
        throw new ShapeError(`collate: sample '${smp.id}' has class ${c} at pixel ${p}, outside [0, ${numClasses - 1}].`);
      sem[base + p * s + c] = 1;
      if (withEdges) sem[base + p * s + numClasses] = smp.edges![p]!;
    }
  });
  const stack = (get: (x: PreparedSample) => Float32Array, c: number): tf.Tensor4D => {
    const data = new Float32Array(n * hw * c);
    samples.forEach((x, b) => data.set(get(x), b * hw * c));
    return tf.tensor4d(data, [n, h, w, c], 'float32');
  };
  return {
    ids: samples.map((x) => x.id),
    semantics: tf.tensor4d(sem, [n, h, w, s], 'float32'),
    image: first.image ? stack((x) => x.image!, 3) : null,
    positional: first.positional ? stack((x) => x.positional!, 2) : null,
  };
}
