import * as tf from '@tensorflow/tfjs-core';

/**
 * `f()` as a constant of every gradient tape, as torch's `no_grad`: ops that run inside a
 * customGrad's forward function are not recorded, and the customGrad node itself has no inputs,
 * so no backward pass ever reaches it (it does no work, not even zeros).
 */
export function untaped<T extends tf.Tensor>(f: () => T): T {
  return tf.customGrad(() => ({ value: f(), gradFunc: () => [] }))() as T;
}
