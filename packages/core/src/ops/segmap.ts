import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError } from '../errors';
import { formatShape } from '../asserts';

/**
 * One-hot semantic map from integer labels: [N,H,W] ids in [0, numClasses) → [N,H,W,K]
 * float32, with the instance-edge map [N,H,W] appended as the last channel when given
 * (the official channel order: classes, dontcare, edge). An id outside the range is an error
 * naming the id and how many pixels carry it — never a silent all-zero row.
 */
export function labelsToSegmap(labels: tf.Tensor, numClasses: number, edges?: tf.Tensor): tf.Tensor4D {
  if (!Number.isInteger(numClasses) || numClasses < 1)
    throw new ConfigError(`labelsToSegmap: numClasses must be a positive integer, got ${numClasses}.`);
  if (labels.rank !== 3) throw new ShapeError(`labelsToSegmap: labels must be [N,H,W], got ${formatShape(labels.shape)}.`);
  if (edges && (edges.rank !== 3 || edges.shape.some((d, i) => d !== labels.shape[i])))
    throw new ShapeError(`labelsToSegmap: edges must match labels ${formatShape(labels.shape)}, got ${formatShape(edges.shape)}.`);
  const ids = labels.dataSync();
  const bad = new Map<number, number>();
  for (const v of ids) if (!(v >= 0 && v < numClasses && Number.isInteger(v))) bad.set(v, (bad.get(v) ?? 0) + 1);
  if (bad.size > 0) {
    const list = [...bad].slice(0, 5).map(([id, n]) => `${id} (${n} px)`).join(', ');
    throw new ConfigError(`labelsToSegmap: label ids must be in [0, ${numClasses - 1}], got ${list}.`);
  }
  return tf.tidy(() => {
    // int32 one-hot, then a cast: tfjs-backend-wasm 4.22's OneHot ignores dtype 'float32' (writes int32 bits).
    const oneHot = tf.cast(tf.oneHot(tf.cast(labels, 'int32') as tf.Tensor3D, numClasses), 'float32');
    if (!edges) return oneHot as tf.Tensor4D;
    return tf.concat([oneHot, tf.expandDims(tf.cast(edges, 'float32'), -1)], 3) as tf.Tensor4D;
  });
}
