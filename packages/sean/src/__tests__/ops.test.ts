import * as tf from '@tensorflow/tfjs-core';
import { maxAbsDiff } from '@clade/test-utils';
import { broadcastStyles, classStyles, convTranspose2d, regionAveragePool, regionMasks } from '../index';

/** PyTorch ConvTranspose2d by its definition: out[o·s − p + k] += x[i]·W[in,out,k] (NCHW-free, NHWC loops). */
function naiveConvTranspose(x: number[][][][], w: number[][][][], bias: number[], s: number, p: number, op: number) {
  const [n, h, wd, cin] = [x.length, x[0]!.length, x[0]![0]!.length, x[0]![0]![0]!.length];
  const k = w[0]!.length; // w as [in][k][k][out] for convenience
  const cout = w[0]![0]![0]!.length;
  const oh = (h - 1) * s - 2 * p + k + op;
  const ow = (wd - 1) * s - 2 * p + k + op;
  const out = Array.from({ length: n }, () => Array.from({ length: oh }, () => Array.from({ length: ow }, () => bias.slice())));
  for (let b = 0; b < n; b++)
    for (let i = 0; i < h; i++)
      for (let j = 0; j < wd; j++)
        for (let ki = 0; ki < k; ki++)
          for (let kj = 0; kj < k; kj++) {
            const oi = i * s - p + ki;
            const oj = j * s - p + kj;
            if (oi < 0 || oj < 0 || oi >= oh || oj >= ow) continue;
            for (let c = 0; c < cin; c++) for (let o = 0; o < cout; o++) out[b]![oi]![oj]![o]! += x[b]![i]![j]![c]! * w[c]![ki]![kj]![o]!;
          }
  return out;
}

describe('ops', () => {
  it('convTranspose2d equals PyTorch ConvTranspose2d(k3, s2, p1, output_padding 1) by definition', () => {
    const x = tf.randomNormal([2, 3, 4, 2], 0, 1, 'float32', 1) as tf.Tensor4D;
    const wIn = tf.randomNormal([2, 3, 3, 5], 0, 1, 'float32', 2); // [in,k,k,out]
    const bias = tf.randomNormal([5], 0, 1, 'float32', 3) as tf.Tensor1D;
    const filter = tf.transpose(wIn, [1, 2, 3, 0]) as tf.Tensor4D; // [k,k,out,in]
    const y = convTranspose2d(x, filter, bias, 2, 1, 1);
    expect(y.shape).toEqual([2, 6, 8, 5]);
    const ref = naiveConvTranspose(x.arraySync(), wIn.arraySync() as number[][][][], Array.from(bias.dataSync()), 2, 1, 1);
    expect(maxAbsDiff(y, tf.tensor(ref))).toBeLessThan(1e-5);
    // Other paddings too (output_padding > padding takes the other branch).
    const y2 = convTranspose2d(x, filter, null, 2, 0, 1);
    const ref2 = naiveConvTranspose(x.arraySync(), wIn.arraySync() as number[][][][], [0, 0, 0, 0, 0], 2, 0, 1);
    expect(y2.shape).toEqual([2, 8, 10, 5]);
    expect(maxAbsDiff(y2, tf.tensor(ref2))).toBeLessThan(1e-5);
    tf.dispose([x, wIn, bias, filter, y, y2]);
  });

  it('regionAveragePool: mean over each class region (floor-rule resize), zero for absent classes', () => {
    // 4×4 segmap, classes 0/1 (class 2 absent), features at 2×2 read pixels (0,0),(0,2),(2,0),(2,2).
    const ids = [0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
    const seg = tf.oneHot(tf.tensor2d(ids, [4, 4], 'int32'), 3).reshape([1, 4, 4, 3]) as tf.Tensor4D;
    const feats = tf.tensor4d([1, 10, 2, 20, 3, 30, 4, 40], [1, 2, 2, 2]);
    const codes = regionAveragePool(feats, seg);
    expect(Array.from(codes.dataSync())).toEqual([1, 10, 3, 30, 0, 0]); // class 0: (0,0); class 1: mean of 3 pixels
    tf.dispose([seg, feats, codes]);
  });

  it('regionMasks: overlapping memberships go to the last class (official masked_scatter_ order); no class → zeros', () => {
    const seg = tf.tensor4d([1, 1, 0, 0, 0, 0, 0.3, 0, 0.5], [1, 1, 3, 3]);
    expect(Array.from(regionMasks(seg, 1, 3).dataSync())).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 1]);
    seg.dispose();
  });

  it('classStyles + broadcastStyles: ReLU(W_j·code_j + b_j) placed on class j pixels', () => {
    const codes = tf.tensor3d([1, 2, -1, 1], [1, 2, 2]);
    const kernels = tf.tensor3d([1, 0, 0, 1, 2, 0, 0, -3], [2, 2, 2]); // class 0 identity, class 1 diag(2,-3)
    const biases = tf.tensor2d([0, 0, 1, 1], [2, 2]);
    const mu = classStyles(codes, kernels, biases);
    expect(Array.from(mu.dataSync())).toEqual([1, 2, 0, 0]); // class 1: relu(-2+1, -3+1)
    const masks = tf.tensor4d([1, 0, 0, 1, 0, 0], [1, 1, 3, 2]);
    expect(Array.from(broadcastStyles(masks, mu).dataSync())).toEqual([1, 2, 0, 0, 0, 0]);
    tf.dispose([codes, kernels, biases, mu, masks]);
  });
});
