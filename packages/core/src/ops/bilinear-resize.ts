import * as tf from '@tensorflow/tfjs-core';

/**
 * Interpolation weights [out, in] of PyTorch's bilinear rule with align_corners=False (no
 * antialias): output j reads source s = max(0, (j + 0.5)·in/out − 0.5) from floor(s) and
 * floor(s) + 1 (clamped to in − 1) with weights 1 − λ and λ, λ = s − floor(s).
 */
export function bilinearWeights(out: number, inp: number): Float32Array {
  const m = new Float32Array(out * inp);
  const scale = inp / out;
  for (let j = 0; j < out; j++) {
    const s = Math.max(0, (j + 0.5) * scale - 0.5);
    const i0 = Math.min(Math.floor(s), inp - 1);
    const i1 = Math.min(i0 + 1, inp - 1);
    const l = s - i0;
    m[j * inp + i0]! += 1 - l;
    m[j * inp + i1]! += l;
  }
  return m;
}

/** dx [N,H,W,C] = Ryᵀ · dy · Rx per sample and channel, with 2-D matMuls only. */
function bilinearResizeGrad(dy: tf.Tensor4D, h: number, w: number): tf.Tensor4D {
  const [n, oh, ow, c] = dy.shape;
  const rx = tf.tensor2d(bilinearWeights(ow, w), [ow, w]);
  const ry = tf.tensor2d(bilinearWeights(oh, h), [oh, h]);
  const t = tf.reshape(tf.transpose(dy, [0, 3, 1, 2]), [n * c * oh, ow]); // [N·C·oh, ow]
  const cols = tf.reshape(tf.matMul(t, rx), [n * c, oh, w]); // [N·C, oh, W]
  const rows = tf.matMul(tf.reshape(tf.transpose(cols, [0, 2, 1]), [n * c * w, oh]), ry); // [N·C·W, H]
  return tf.transpose(tf.reshape(rows, [n, c, w, h]), [0, 3, 2, 1]) as tf.Tensor4D;
}

/**
 * PyTorch `F.interpolate(x, size, mode='bilinear', align_corners=False)`, NHWC. The forward is
 * tfjs' resizeBilinear(alignCorners=false, halfPixelCenters=true), which samples the same
 * points; the gradient is the exact adjoint, computed here because tfjs 4.22's
 * ResizeBilinearGrad ignores halfPixelCenters (and the cpu kernel swaps H and W of dx).
 * An input already at the target size is returned as a copy.
 */
export function bilinearResize(x: tf.Tensor4D, height: number, width: number): tf.Tensor4D {
  if (x.shape[1] === height && x.shape[2] === width) return tf.clone(x);
  const [, h, w] = x.shape;
  // The gradient needs only the shapes, so nothing is saved for the backward pass.
  const f = tf.customGrad((input) => {
    const value = tf.image.resizeBilinear(input as tf.Tensor4D, [height, width], false, true);
    return { value, gradFunc: (dy: tf.Tensor) => bilinearResizeGrad(dy as tf.Tensor4D, h, w) };
  });
  return f(x) as tf.Tensor4D;
}
