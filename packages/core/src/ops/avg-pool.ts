import * as tf from '@tensorflow/tfjs-core';

/**
 * PyTorch `AvgPool2d(poolSize, strides, padding, count_include_pad=False)`, NHWC: zero-pad
 * `padding` on each side, average over each window, and divide by the number of window cells
 * that fall inside the unpadded input (not poolSize²). Computed as avgPool(pad(x)) /
 * avgPool(pad(ones)), so it is differentiable with stock kernels (AvgPool, AvgPoolGrad) on
 * every backend. `ceil_mode` is False, as in the official discriminator.
 */
export function avgPoolExcludePad<T extends tf.Tensor4D>(x: T, poolSize: number, strides: number, padding: number): T {
  return tf.tidy(() => {
    if (padding === 0) return tf.avgPool(x, poolSize, strides, 'valid') as T;
    const [, h, w] = x.shape;
    const p: Array<[number, number]> = [[0, 0], [padding, padding], [padding, padding], [0, 0]];
    const sums = tf.avgPool(tf.pad(x, p), poolSize, strides, 'valid');
    // Fraction of each window inside the image: [1, H', W', 1], broadcast over N and C.
    const counts = tf.avgPool(tf.pad(tf.ones([1, h, w, 1]), p) as tf.Tensor4D, poolSize, strides, 'valid');
    return tf.div(sums, counts) as T;
  });
}
