import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, formatShape, nearestResize } from '@clade/core';

/**
 * Region membership at (h, w), NHWC [N,h,w,K]: the segmap resized with the floor rule, then
 * "non-zero" as in the official `segmap.bool()`. Where a pixel is non-zero in several channels
 * (soft or overlapping maps) only the last such class keeps it: the official per-class
 * masked_scatter_ loop lets later classes overwrite earlier ones. For a one-hot map this is the
 * map itself; a pixel in no class stays all-zero.
 */
export function regionMasks(seg: tf.Tensor4D, height: number, width: number): tf.Tensor4D {
  return tf.tidy(() => {
    const k = seg.shape[3];
    const nonZero = tf.cast(tf.notEqual(nearestResize(seg, height, width), 0), 'float32');
    if (k === 1) return nonZero as tf.Tensor4D;
    // Owner = the largest index among the non-zero channels (argmax of index-weighted membership).
    const owner = tf.argMax(tf.mul(nonZero, tf.range(1, k + 1)), -1);
    const any = tf.max(nonZero, -1, true);
    // int32 one-hot then cast: tfjs-backend-wasm 4.22's oneHot writes int bits into float32 output.
    return tf.mul(tf.cast(tf.oneHot(owner, k), 'float32'), any) as tf.Tensor4D;
  });
}

/**
 * Per-region average of a feature map: codes[n,j] = mean of features[n,p] over the pixels p of
 * class j (segmap resized to the features with the floor rule, membership = non-zero), zero for
 * a class absent from sample n. features [N,h,w,C], seg [N,H,W,K] → [N,K,C].
 */
export function regionAveragePool(features: tf.Tensor4D, seg: tf.Tensor4D): tf.Tensor3D {
  const [n, h, w, c] = features.shape;
  if (seg.rank !== 4 || seg.shape[0] !== n)
    throw new ShapeError(`regionAveragePool: seg must be [${n},H,W,K] like features ${formatShape(features.shape)}, got ${formatShape(seg.shape)}.`);
  return tf.tidy(() => {
    const k = seg.shape[3];
    // Membership as the official loop counts it: every non-zero channel (no ownership here).
    const mask = tf.reshape(tf.cast(tf.notEqual(nearestResize(seg, h, w), 0), 'float32'), [n, h * w, k]);
    const sums = tf.matMul(mask, tf.reshape(features, [n, h * w, c]), true, false); // [N,K,C]
    const area = tf.sum(mask, 1).reshape([n, k, 1]);
    return tf.div(sums, tf.maximum(area, 1)) as tf.Tensor3D; // area 0 → sums 0 → code 0
  });
}

/**
 * The per-class style projections of ACE: mu[n,j] = ReLU(codes[n,j] · W_j + b_j), one Linear per
 * class. codes [N,K,S], kernels [K,S,S'] (tfjs [in,out] layout), biases [K,S'] → [N,K,S'].
 */
export function classStyles(codes: tf.Tensor3D, kernels: tf.Tensor3D, biases: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const perClass = tf.matMul(tf.transpose(codes, [1, 0, 2]), kernels); // [K,N,S']
    const mu = tf.relu(tf.add(perClass, tf.expandDims(biases, 1)));
    return tf.transpose(mu, [1, 0, 2]) as tf.Tensor3D;
  });
}

/**
 * The ACE style map: each pixel gets the projected style of its class, pixels of no class get
 * zero. masks [N,h,w,K] (regionMasks), mu [N,K,S] → [N,h,w,S]. With one-hot masks every output
 * value is exactly one mu entry (1·v plus exact zeros), so pixels whose class keeps its style
 * keep bit-identical values when another class's style changes.
 */
export function broadcastStyles(masks: tf.Tensor4D, mu: tf.Tensor3D): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, k] = masks.shape;
    const s = mu.shape[2];
    return tf.reshape(tf.matMul(tf.reshape(masks, [n, h * w, k]), mu), [n, h, w, s]) as tf.Tensor4D;
  });
}

/**
 * PyTorch ConvTranspose2d, NHWC: output size (H−1)·stride − 2·padding + k + outputPadding.
 * `filter` is [k,k,out,in], which is PyTorch's [in,out,k,k] weight under the usual conv
 * transform (transpose 2,3,1,0), so official weights load through the standard porting table.
 * It is the adjoint of a cross-correlation with the same padding (no kernel flip), computed as
 * tfjs' conv2dTranspose with explicit symmetric padding and the PyTorch output size.
 */
export function convTranspose2d(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  bias: tf.Tensor1D | null,
  stride: number,
  padding: number,
  outputPadding: number,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w] = x.shape;
    const k = filter.shape[0];
    const cout = filter.shape[2];
    const oh = (h - 1) * stride - 2 * padding + k + outputPadding;
    const ow = (w - 1) * stride - 2 * padding + k + outputPadding;
    // The forward conv this is the adjoint of maps [oh,ow] → [h,w] with `padding` on top/left;
    // the bottom/right pad only has to make that conv's output size h (padding − outputPadding,
    // or 0 when outputPadding is larger: PyTorch keeps outputPadding < stride, so floor() drops it).
    const b = Math.max(0, padding - outputPadding);
    const y = tf.conv2dTranspose(x, filter, [n, oh, ow, cout], stride, [[0, 0], [padding, b], [padding, b], [0, 0]]);
    return bias ? (tf.add(y, bias) as tf.Tensor4D) : y;
  });
}
