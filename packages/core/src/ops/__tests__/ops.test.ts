import * as tf from '@tensorflow/tfjs-core';
import { expectTensorsClose } from '@clade/test-utils';
import {
  cladeModulate,
  instanceNorm,
  labelsToSegmap,
  nearestResize,
  paramFreeNorm,
  withClassIndexCache,
} from '../../index';
import {
  batchNormTrain,
  classIndexMap,
  powerIteration,
  spectralSigma,
  spectralWeightMatrix,
} from '../../internal';

describe('param-free norms (PyTorch semantics)', () => {
  const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 9], [2, 2, 1, 2]); // N=2, H=2, W=1, C=2

  it('instance norm: per sample and channel, biased variance, eps 1e-5', () => {
    // sample 0, channel 0: [1, 3] → mean 2, var 1 → [-1, 1]/sqrt(1+1e-5)
    const y = instanceNorm(x);
    const s = 1 / Math.sqrt(1 + 1e-5);
    expectTensorsClose(y, tf.tensor4d([-s, -s, s, s, -s, -s, s, s], [2, 2, 1, 2]), 1e-5);
  });

  it('batch norm in training: batch stats over N·H·W, unbiased variance for the running update', () => {
    const { y, mean, unbiasedVariance } = batchNormTrain(x);
    // channel 0: [1,3,5,7] mean 4, biased var 5, unbiased 20/3
    expectTensorsClose(mean, [4, 5.25], 1e-6);
    const var1 = [2, 4, 6, 9].reduce((a, v) => a + (v - 5.25) ** 2, 0);
    expectTensorsClose(unbiasedVariance, [20 / 3, var1 / 3], 1e-5);
    expectTensorsClose(tf.slice(y, [0, 0, 0, 0], [1, 1, 1, 1]), [(1 - 4) / Math.sqrt(5 + 1e-5)], 1e-6);
    const running = { mean: tf.tensor1d([1, 1]), variance: tf.tensor1d([2, 2]) };
    const { updated } = paramFreeNorm(x, { norm: 'batch', training: true, running });
    expectTensorsClose(updated!.mean, [0.9 + 0.4, 0.9 + 0.525], 1e-6);
    expectTensorsClose(updated!.variance, [1.8 + 2 / 3, 1.8 + var1 / 30], 1e-5);
  });

  it('instance and batch norm: the written-out gradient equals autodiff of the composed form, and frees its tensors', () => {
    const composed = (v: tf.Tensor4D, axes: number[]) => {
      const { mean, variance } = tf.moments(v, axes, true);
      return tf.div(tf.sub(v, mean), tf.sqrt(tf.add(variance, 1e-5)));
    };
    const xs = tf.randomNormal([2, 5, 4, 3], 1, 2, 'float32', 7) as tf.Tensor4D;
    const w = tf.randomNormal([2, 5, 4, 3], 0, 1, 'float32', 8);
    const before = tf.memory().numTensors;
    for (const [norm, axes] of [[(v: tf.Tensor4D) => instanceNorm(v), [1, 2]], [(v: tf.Tensor4D) => batchNormTrain(v).y, [0, 1, 2]]] as const) {
      const ours = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(norm(v as tf.Tensor4D), w)))(xs);
      const ref = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(composed(v as tf.Tensor4D, [...axes]), w)))(xs);
      expectTensorsClose(ours, ref, 1e-5);
      tf.dispose([ours, ref]);
    }
    const { y, mean, unbiasedVariance } = batchNormTrain(xs);
    tf.dispose([y, mean, unbiasedVariance]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('batch norm in eval uses the running statistics', () => {
    const running = { mean: tf.tensor1d([1, 2]), variance: tf.tensor1d([4, 1]) };
    const { y, updated } = paramFreeNorm(x, { norm: 'syncBatch', training: false, running });
    expect(updated).toBeUndefined();
    expectTensorsClose(tf.slice(y, [0, 0, 0, 0], [1, 1, 1, 2]), [0, 0], 1e-6);
  });
});

describe('nearest resize and class index maps', () => {
  it('reads input floor(j·in/out) (16→6 reads 0,2,5,8,10,13)', () => {
    const ramp = tf.tensor4d(Array.from({ length: 16 }, (_, i) => i), [1, 1, 16, 1]);
    expect(Array.from(nearestResize(ramp, 1, 6).dataSync())).toEqual([0, 2, 5, 8, 10, 13]);
  });

  it('argmax over class channels only, ignoring the trailing edge channel', () => {
    const seg = tf.tensor4d([0, 1, 0, 1, /* */ 1, 0, 0, 1], [1, 1, 2, 4]);
    expect(Array.from(classIndexMap(seg, 3, 1, 2).dataSync())).toEqual([1, 0]);
  });

  it('a pass with shared index maps modulates exactly as per-layer arg-maxes, and frees its maps at the end', () => {
    // 5 classes + edge at 12×10, modulating features at 12×10, 6×5 and 3×2 (odd floor-rule sizes).
    const labels = tf.tensor3d(Array.from({ length: 120 }, (_, i) => (i * 7 + (i >> 3)) % 5), [1, 12, 10], 'int32');
    const seg = labelsToSegmap(labels, 5, tf.cast(tf.greater(tf.randomUniform([1, 12, 10]), 0.7), 'float32') as tf.Tensor3D);
    const weights = { gamma: tf.randomNormal([5, 3], 0, 1, 'float32', 1) as tf.Tensor2D, beta: tf.randomNormal([5, 3], 0, 1, 'float32', 2) as tf.Tensor2D };
    const xs = [[12, 10], [6, 5], [3, 2], [6, 5]].map(([h, w], i) => tf.randomNormal([1, h!, w!, 3], 0, 1, 'float32', 10 + i) as tf.Tensor4D);
    const plain = xs.map((x) => cladeModulate(x, seg, weights));
    const before = tf.memory().numTensors;
    const shared = withClassIndexCache(() => xs.map((x) => cladeModulate(x, seg, weights)));
    expect(tf.memory().numTensors).toBe(before + shared.length); // only the outputs survive the pass
    shared.forEach((y, i) => expect(Array.from(y.dataSync())).toEqual(Array.from(plain[i]!.dataSync())));
    // Nested passes reuse the outer cache and free nothing early.
    const nested = withClassIndexCache(() => [cladeModulate(xs[1]!, seg, weights), withClassIndexCache(() => cladeModulate(xs[2]!, seg, weights))]);
    expect(Array.from(nested[1]!.dataSync())).toEqual(Array.from(plain[2]!.dataSync()));
    tf.dispose([labels, seg, weights.gamma, weights.beta, ...xs, ...plain, ...shared, ...nested]);
  });
});

describe('labelsToSegmap', () => {
  it('one-hot with the edge channel last', () => {
    const seg = labelsToSegmap(tf.tensor3d([0, 2], [1, 1, 2], 'int32'), 3, tf.tensor3d([1, 0], [1, 1, 2]));
    expect(Array.from(seg.dataSync())).toEqual([1, 0, 0, 1, 0, 0, 1, 0]);
  });

  it('rejects ids ≥ K, naming the id and its pixel count', () => {
    expect(() => labelsToSegmap(tf.tensor3d([0, 7, 7], [1, 1, 3], 'int32'), 3)).toThrow(
      /label ids must be in \[0, 2\], got 7 \(2 px\)/,
    );
  });
});

describe('spectral norm (PyTorch layout, no kernel transpose on the hot path)', () => {
  // Reference: W_mat = torch weight [O,I,kh,kw] flattened; σ = uᵀ W_mat v; one power iteration.
  const kernel = tf.randomNormal([3, 3, 4, 5], 0, 1, 'float32', 21) as tf.Tensor4D;
  const u = tf.randomNormal([5], 0, 1, 'float32', 22) as tf.Tensor1D;
  const v = tf.randomNormal([36], 0, 1, 'float32', 23) as tf.Tensor1D;
  const wMat = spectralWeightMatrix(kernel);

  it('σ equals uᵀ W_mat v', () => {
    const ref = tf.sum(tf.mul(u, tf.reshape(tf.matMul(wMat, tf.reshape(v, [-1, 1])), [-1])));
    expectTensorsClose(spectralSigma(kernel, u, v), ref, 1e-4);
  });

  it('one power iteration equals the W_mat formulation and converges to the top singular value', () => {
    const norm = (t: tf.Tensor) => tf.div(t, tf.norm(t));
    const vRef = norm(tf.reshape(tf.matMul(tf.reshape(u, [1, -1]), wMat), [-1]));
    const uRef = norm(tf.reshape(tf.matMul(wMat, tf.reshape(vRef, [-1, 1])), [-1]));
    const it1 = powerIteration(kernel, u);
    expectTensorsClose(it1.v, vRef, 1e-5);
    expectTensorsClose(it1.u, uRef, 1e-5);
    let cur = it1;
    for (let i = 0; i < 200; i++) cur = powerIteration(kernel, cur.u);
    // tfjs has no SVD: compare with √λmax of W_matᵀW_mat, found by iterating on that matrix.
    const wtw = tf.matMul(wMat, wMat, true, false);
    let x = tf.ones([36, 1]);
    for (let i = 0; i < 500; i++) x = norm(tf.matMul(wtw, x));
    const lambda = tf.sum(tf.mul(x, tf.matMul(wtw, x))).dataSync()[0]!;
    expect(spectralSigma(kernel, cur.u, cur.v).dataSync()[0]).toBeCloseTo(Math.sqrt(lambda), 3);
  });
});
