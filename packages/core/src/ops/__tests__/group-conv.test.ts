import * as tf from '@tensorflow/tfjs-core';
import { describeLayerContract, expectNoLeaks, expectTensorsClose, maxAbsDiff } from '@clade/test-utils';
import {
  ConfigError,
  GroupConv2D,
  ShapeError,
  groupConv2d,
  torchToTfjs,
  type GroupConvMethod,
} from '../../index';
import { blockDiagonalKernel, groupConv2dReference, groupConvMethod } from '../../internal';

const METHODS: Array<Exclude<GroupConvMethod, 'auto'>> = ['split', 'blockDiagonal', 'depthwise'];

/** [label, cin, cout, groups, kernel, strides, padding] — GroupDNet's shapes in miniature. */
const CASES: Array<[string, number, number, number, number, number, number]> = [
  ['3×3, 4 groups of 3→2', 12, 8, 4, 3, 1, 1],
  ['3×3 mlp_shared-like, 2 in per group', 10, 15, 5, 3, 1, 1],
  ['1×1 shortcut, no padding', 8, 4, 2, 1, 1, 0],
  ['3×3 stride 2 pad 1 (encoder)', 6, 6, 3, 3, 2, 1],
  ['1 group = plain conv', 4, 5, 1, 3, 1, 1],
];

describe('groupConv2d', () => {
  for (const [label, cin, cout, g, k, s, p] of CASES) {
    it(`${label}: every method equals split-and-concatenate and the block-diagonal dense conv`, () => {
      tf.tidy(() => {
        const x = tf.randomNormal([2, 7, 6, cin], 0, 1, 'float32', 1) as tf.Tensor4D;
        const kernel = tf.randomNormal([k, k, cin / g, cout], 0, 1, 'float32', 2) as tf.Tensor4D;
        const bias = tf.randomNormal([cout], 0, 1, 'float32', 3) as tf.Tensor1D;
        const ref = groupConv2dReference(x, kernel, g, { strides: s, padding: p, bias });
        // The dense conv with a block-diagonal weight, padded PyTorch-style.
        const xp = tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]]);
        const dense = tf.add(tf.conv2d(xp, blockDiagonalKernel(kernel, g), s, 'valid'), bias);
        expectTensorsClose(ref, dense, 1e-4);
        for (const method of [...METHODS, 'auto'] as const) {
          const y = groupConv2d(x, kernel, g, { strides: s, padding: p, bias, method });
          expect(y.shape).toEqual(ref.shape);
          expect({ method, diff: maxAbsDiff(y, ref) < 1e-4 }).toEqual({ method, diff: true });
        }
      });
    });
  }

  it('follows PyTorch Conv2d(groups) on a torch-layout weight [O, I/g, kh, kw] (naive loops, NCHW)', () => {
    const [n, cin, h, w, cout, g, k, s, p] = [1, 6, 5, 4, 4, 2, 3, 2, 1];
    const ig = cin / g;
    const og = cout / g;
    const rnd = (len: number, seed: number) => Array.from({ length: len }, (_, i) => Math.sin(seed * 97.3 + i * 12.9898) * 0.5);
    const xs = rnd(n * cin * h * w, 1); // NCHW
    const ws = rnd(cout * ig * k * k, 2); // [O, I/g, kh, kw]
    const bs = rnd(cout, 3);
    const ho = Math.floor((h + 2 * p - k) / s) + 1;
    const wo = Math.floor((w + 2 * p - k) / s) + 1;
    const expected: number[] = []; // NHWC order, for comparison
    for (let y = 0; y < ho; y++)
      for (let xo = 0; xo < wo; xo++)
        for (let o = 0; o < cout; o++) {
          const grp = Math.floor(o / og);
          let acc = bs[o]!;
          for (let i = 0; i < ig; i++)
            for (let a = 0; a < k; a++)
              for (let b = 0; b < k; b++) {
                const r = y * s - p + a;
                const c = xo * s - p + b;
                if (r < 0 || r >= h || c < 0 || c >= w) continue;
                acc += ws[((o * ig + i) * k + a) * k + b]! * xs[((grp * ig + i) * h + r) * w + c]!;
              }
          expected.push(acc);
        }
    tf.tidy(() => {
      const x = tf.transpose(tf.tensor4d(xs, [n, cin, h, w]), [0, 2, 3, 1]) as tf.Tensor4D;
      const kernel = torchToTfjs({ dtype: 'float32', shape: [cout, ig, k, k], data: Float32Array.from(ws) }, 'conv') as tf.Tensor4D;
      for (const method of METHODS) {
        const y = groupConv2d(x, kernel, g, { strides: s, padding: p, bias: tf.tensor1d(bs), method });
        expect(y.shape).toEqual([n, ho, wo, cout]);
        expect({ method, close: maxAbsDiff(y, expected) < 1e-5 }).toEqual({ method, close: true });
      }
    });
  });

  it('a group sees only its own input channels', () => {
    tf.tidy(() => {
      const kernel = tf.ones([3, 3, 2, 4]) as tf.Tensor4D; // 2 groups of 2 → 2
      const x = tf.concat([tf.zeros([1, 4, 4, 2]), tf.ones([1, 4, 4, 2])], 3) as tf.Tensor4D;
      for (const method of METHODS) {
        const y = groupConv2d(x, kernel, 2, { method });
        expect(tf.max(tf.abs(tf.slice(y, [0, 0, 0, 0], [-1, -1, -1, 2]))).dataSync()[0]).toBe(0);
        expect(tf.min(tf.slice(y, [0, 0, 0, 2], [-1, -1, -1, 2])).dataSync()[0]).toBeGreaterThan(0);
      }
    });
  });

  it('gradients (x, kernel, bias) equal those of the dense block-diagonal conv, for every method', () => {
    tf.tidy(() => {
      const [cin, cout, g] = [6, 9, 3];
      const x = tf.randomNormal([2, 5, 5, cin], 0, 1, 'float32', 4) as tf.Tensor4D;
      const kernel = tf.randomNormal([3, 3, cin / g, cout], 0, 1, 'float32', 5) as tf.Tensor4D;
      const bias = tf.randomNormal([cout], 0, 1, 'float32', 6) as tf.Tensor1D;
      const probe = tf.randomNormal([2, 5, 5, cout], 0, 1, 'float32', 7);
      const loss = (f: (a: tf.Tensor4D, b: tf.Tensor4D, c: tf.Tensor1D) => tf.Tensor) => (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        tf.sum(tf.mul(f(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor1D), probe)) as tf.Scalar;
      const dense = tf.grads(loss((a, b, c) => tf.add(tf.conv2d(a, blockDiagonalKernel(b, g), 1, 'same'), c)))([x, kernel, bias]);
      for (const method of METHODS) {
        const got = tf.grads(loss((a, b, c) => groupConv2d(a, b, g, { bias: c, method })))([x, kernel, bias]);
        got.forEach((t, i) => expect({ method, i, close: maxAbsDiff(t, dense[i]!) < 1e-3 }).toEqual({ method, i, close: true }));
      }
    });
  });

  it('auto picks a plain conv for 1 group, depthwise for ≤ 4 inputs per group, split for many groups', () => {
    expect(groupConvMethod(8, 8, 1)).toBe('blockDiagonal');
    expect(groupConvMethod(70, 140, 35)).toBe('depthwise');
    expect(groupConvMethod(140, 280, 35)).toBe('depthwise');
    expect(groupConvMethod(128, 64, 2)).toBe('split');
    expect(groupConvMethod(2560, 2560, 8)).toBe('split');
  });

  it('leaks nothing', async () => {
    const x = tf.randomNormal([1, 4, 4, 6]) as tf.Tensor4D;
    const k = tf.randomNormal([3, 3, 2, 6]) as tf.Tensor4D;
    for (const method of METHODS) await expectNoLeaks(() => groupConv2d(x, k, 3, { method }));
    tf.dispose([x, k]);
  });

  it('rejects channels that do not divide into groups, naming the values', () => {
    tf.tidy(() => {
      const x = tf.zeros([1, 4, 4, 6]) as tf.Tensor4D;
      expect(() => groupConv2d(x, tf.zeros([3, 3, 2, 6]) as tf.Tensor4D, 2)).toThrow(ShapeError);
      expect(() => groupConv2d(x, tf.zeros([3, 3, 2, 5]) as tf.Tensor4D, 3)).toThrow(/output channels \(5\).*divisible by groups, got groups 3/);
      expect(() => groupConv2d(x, tf.zeros([3, 3, 2, 6]) as tf.Tensor4D, 3, { method: 'fast' as never })).toThrow(ConfigError);
    });
    expect(() => new GroupConv2D({ filters: 5, kernelSize: 3, groups: 2 })).toThrow(/filters must be divisible by groups, got filters 5 and groups 2/);
  });
});

describe('GroupConv2D', () => {
  const x = () => tf.randomNormal([2, 5, 5, 6], 0, 1, 'float32', 8);

  describeLayerContract('GroupConv2D (spectral, 3 groups)', {
    make: () => new GroupConv2D({ filters: 9, kernelSize: 3, groups: 3, spectral: true, initSeed: 1, name: 'conv_0' }),
    inputs: () => [x()],
    outputShape: [2, 5, 5, 9],
    weightNames: ['bias', 'weight_orig', 'weight_u', 'weight_v'],
    trainable: 2,
  });

  describeLayerContract('GroupConv2D (1×1, no bias, 2 groups)', {
    make: () => new GroupConv2D({ filters: 4, kernelSize: 1, groups: 2, useBias: false, name: 'conv_s' }),
    inputs: () => [x()],
    outputShape: [2, 5, 5, 4],
    weightNames: ['weight'],
    trainable: 1,
  });

  it('keeps the official layouts: weight [k,k,I/g,O], weight_v [(I/g)·k·k], and equals the reference', () => {
    const layer = new GroupConv2D({ filters: 9, kernelSize: 3, groups: 3, spectral: true, initSeed: 2, name: 'conv_1' });
    const xs = x();
    const y = layer.apply(xs) as tf.Tensor4D;
    expect(layer.weights.map((w) => w.shape)).toEqual([[9], [3, 3, 2, 9], [9], [18]]);
    const ref = tf.tidy(() => groupConv2dReference(xs as tf.Tensor4D, layer.effectiveKernel(false), 3, { bias: layer.weights[0]!.read() as tf.Tensor1D }));
    expectTensorsClose(y, ref, 1e-5);
    tf.dispose([xs, y, ref]);
    layer.dispose();
  });
});
