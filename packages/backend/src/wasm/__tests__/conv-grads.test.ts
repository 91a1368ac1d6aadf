// Conv2DBackpropInput / Conv2DBackpropFilter / depthwise backprops on wasm vs the cpu backend,
// through the real gradient path (tf.grads), plus exact finite differences on wasm.
import * as tf from '@tensorflow/tfjs-core';
import { expectClose, rand, setUpWasm, valuesOn } from '../../__tests__/helpers';
import { wasmKernelLimits } from '../kernel-utils';

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
type ConvCase = {
  name: string;
  x: [number, number, number, number];
  f: [number, number, number, number];
  s: number | [number, number];
  pad: Pad;
};

const CONV_CASES: ConvCase[] = [
  { name: 'stride 1 same, batch 2, non-square', x: [2, 7, 9, 3], f: [3, 3, 3, 4], s: 1, pad: 'same' },
  { name: 'stride 1 valid', x: [2, 7, 9, 3], f: [3, 3, 3, 4], s: 1, pad: 'valid' },
  { name: 'stride 2 same', x: [1, 8, 8, 4], f: [3, 3, 4, 5], s: 2, pad: 'same' },
  { name: 'stride 2 same, even kernel, odd sizes', x: [2, 9, 7, 5], f: [4, 4, 5, 3], s: 2, pad: 'same' },
  { name: 'stride 2 valid, even kernel', x: [1, 9, 8, 2], f: [4, 4, 2, 3], s: 2, pad: 'valid' },
  { name: 'strides [2,1] explicit', x: [1, 6, 5, 2], f: [2, 3, 2, 3], s: [2, 1], pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { name: 'explicit pad > k-1 (col2im path)', x: [1, 5, 5, 3], f: [3, 3, 3, 2], s: 1, pad: [[0, 0], [3, 3], [3, 0], [0, 0]] },
  { name: 'stride 3 valid, 5x5', x: [1, 10, 11, 4], f: [5, 5, 4, 4], s: 3, pad: 'valid' },
  { name: 'numeric pad 1', x: [2, 6, 6, 3], f: [3, 3, 3, 2], s: 1, pad: 1 },
  { name: 'Cin 32 (run copies)', x: [1, 12, 10, 32], f: [3, 3, 32, 16], s: 1, pad: 'same' },
  { name: '1x1', x: [1, 5, 6, 3], f: [1, 1, 3, 4], s: 1, pad: 'valid' },
];

function convGrads(c: ConvCase): () => tf.Tensor[] {
  const xv = rand(c.x, 1);
  const fv = rand(c.f, 2);
  return () => {
    const x = tf.tensor4d(xv, c.x);
    const f = tf.tensor4d(fv, c.f);
    const y = tf.conv2d(x, f, c.s, c.pad);
    const dy = tf.tensor(rand(y.shape, 3), y.shape);
    const loss = (a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad), dy));
    const [gx, gf] = tf.grads(loss)([x, f]);
    return [y, gx!, gf!];
  };
}

beforeAll(async () => {
  await setUpWasm();
});

describe('conv2d gradients on wasm match cpu', () => {
  it.each(CONV_CASES)('$name', async (c) => {
    const [cy, cgx, cgf] = await valuesOn('cpu', convGrads(c));
    const [wy, wgx, wgf] = await valuesOn('wasm', convGrads(c));
    expectClose(wy!, cy!, 1e-4, 'y');
    expectClose(wgx!, cgx!, 1e-4, 'dx');
    expectClose(wgf!, cgf!, 1e-4, 'dW');
  });

  describe('in small chunks (chunked im2col / col2im)', () => {
    const saved = wasmKernelLimits.chunkFloats;
    beforeAll(() => {
      wasmKernelLimits.chunkFloats = 97; // a few output rows per chunk, not a divisor
    });
    afterAll(() => {
      wasmKernelLimits.chunkFloats = saved;
    });
    it.each([CONV_CASES[0]!, CONV_CASES[3]!, CONV_CASES[6]!])('$name', async (c) => {
      const [, cgx, cgf] = await valuesOn('cpu', convGrads(c));
      const [, wgx, wgf] = await valuesOn('wasm', convGrads(c));
      expectClose(wgx!, cgx!, 1e-4, 'dx');
      expectClose(wgf!, cgf!, 1e-4, 'dW');
    });
  });

  it('dx and dW equal central differences of a bilinear loss (exact for any step)', async () => {
    await tf.setBackend('wasm');
    try {
      for (const c of [CONV_CASES[0]!, CONV_CASES[3]!]) {
        tf.tidy(() => {
          const x = tf.tensor4d(rand(c.x, 4), c.x);
          const f = tf.tensor4d(rand(c.f, 5), c.f);
          const dy = tf.tensor(rand(tf.conv2d(x, f, c.s, c.pad).shape, 6));
          const loss = (a: tf.Tensor4D, b: tf.Tensor4D) =>
            tf.sum(tf.mul(tf.reshape(tf.conv2d(a, b, c.s, c.pad), [-1]), dy));
          const [gx, gf] = tf.grads((a, b) => loss(a as tf.Tensor4D, b as tf.Tensor4D))([x, f]);
          const probe = (t: tf.Tensor4D, g: tf.Tensor, which: 0 | 1) => {
            const v = t.dataSync();
            const gv = g.dataSync();
            for (const i of [0, 7, Math.floor(v.length / 2), v.length - 1]) {
              const plus = Float32Array.from(v);
              const minus = Float32Array.from(v);
              plus[i]! += 0.5;
              minus[i]! -= 0.5;
              const tp = tf.tensor4d(plus, t.shape);
              const tm = tf.tensor4d(minus, t.shape);
              const lp = (which === 0 ? loss(tp, f) : loss(x, tp)).dataSync()[0]!;
              const lm = (which === 0 ? loss(tm, f) : loss(x, tm)).dataSync()[0]!;
              expect(Math.abs((lp - lm) - gv[i]!)).toBeLessThan(1e-4 * (1 + Math.abs(lp)));
            }
          };
          probe(x, gx!, 0);
          probe(f, gf!, 1);
        });
      }
    } finally {
      await tf.setBackend('cpu');
    }
  });
});

type DwCase = { name: string; x: [number, number, number, number]; f: [number, number, number, number]; s: number | [number, number]; pad: Pad };

const DW_CASES: DwCase[] = [
  { name: 'stride 1 same, multiplier 2, batch 2', x: [2, 7, 8, 3], f: [3, 3, 3, 2], s: 1, pad: 'same' },
  { name: 'stride 2 valid', x: [1, 9, 9, 4], f: [3, 3, 4, 1], s: 2, pad: 'valid' },
  { name: 'strides [1,2] same, even kernel', x: [2, 6, 5, 2], f: [2, 2, 2, 3], s: [1, 2], pad: 'same' },
];

describe('depthwise conv gradients on wasm match cpu', () => {
  it.each(DW_CASES)('$name', async (c) => {
    const run = () => {
      const x = tf.tensor4d(rand(c.x, 1), c.x);
      const f = tf.tensor4d(rand(c.f, 2), c.f);
      const y = tf.depthwiseConv2d(x, f, c.s, c.pad);
      const dy = tf.tensor(rand(y.shape, 3), y.shape);
      const loss = (a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad), dy));
      return tf.grads(loss)([x, f]);
    };
    const [cgx, cgf] = await valuesOn('cpu', run);
    const [wgx, wgf] = await valuesOn('wasm', run);
    expectClose(wgx!, cgx!, 1e-4, 'dx');
    expectClose(wgf!, cgf!, 1e-4, 'dW');
  });

  it('supports dilations at kernel level (adjoint of the dilated forward; cpu ignores dilations here)', async () => {
    // L = <dwconv(x, f), dy> is bilinear, so L = <x, dL/dx> = <f, dL/df> exactly.
    const xShape: [number, number, number, number] = [1, 9, 8, 2];
    const fShape: [number, number, number, number] = [3, 3, 2, 2];
    const [l, lx, lf] = await valuesOn('wasm', () => {
      const x = tf.tensor4d(rand(xShape, 1), xShape);
      const f = tf.tensor4d(rand(fShape, 2), fShape);
      const y = tf.depthwiseConv2d(x, f, 1, 'same', 'NHWC', 2);
      const dy = tf.tensor(rand(y.shape, 3), y.shape) as tf.Tensor4D;
      const attrs = { strides: 1, dilations: 2, pad: 'same' };
      const dx = tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: f }, { ...attrs, inputShape: xShape });
      const dw = tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...attrs, filterShape: fShape });
      return [tf.sum(tf.mul(y, dy)), tf.sum(tf.mul(x, dx as tf.Tensor)), tf.sum(tf.mul(f, dw as tf.Tensor))];
    });
    // Terms are O(1) and ~300 of them cancel: compare absolutely.
    expect(Math.abs(lx![0]! - l![0]!)).toBeLessThan(1e-4);
    expect(Math.abs(lf![0]! - l![0]!)).toBeLessThan(1e-4);
  });
});

describe('conv2dTranspose (a forward use of Conv2DBackpropInput) on wasm matches cpu', () => {
  it.each([
    { s: 2, pad: 'same' as const, k: 4 },
    { s: 2, pad: 'valid' as const, k: 3 },
    { s: 1, pad: 'same' as const, k: 3 },
  ])('stride $s, $pad, k $k', async ({ s, pad, k }) => {
    const xShape: [number, number, number, number] = [2, 5, 4, 6];
    const fShape: [number, number, number, number] = [k, k, 3, 6]; // [kh, kw, outC, inC]
    const oh = pad === 'same' ? 5 * s : (5 - 1) * s + k;
    const ow = pad === 'same' ? 4 * s : (4 - 1) * s + k;
    const outShape: [number, number, number, number] = [2, oh, ow, 3];
    const run = () => {
      const x = tf.tensor4d(rand(xShape, 1), xShape);
      const f = tf.tensor4d(rand(fShape, 2), fShape);
      const up = (a: tf.Tensor, b: tf.Tensor) => tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, outShape, s, pad);
      const dy = tf.tensor(rand(outShape, 3), outShape);
      const [gx, gf] = tf.grads((a, b) => tf.sum(tf.mul(up(a, b), dy)))([x, f]);
      return [up(x, f), gx!, gf!];
    };
    const cpu = await valuesOn('cpu', run);
    const wasm = await valuesOn('wasm', run);
    cpu.forEach((c, i) => expectClose(wasm[i]!, c, 1e-4, ['y', 'dx', 'dW'][i]!));
  });
});

describe('wasm heap hygiene', () => {
  it('our kernels release every intermediate (backend data ids stay constant)', async () => {
    await tf.setBackend('wasm');
    try {
      const backend = tf.backend();
      const step = () =>
        tf.tidy(() => {
          const x = tf.tensor4d(rand([2, 9, 7, 5], 1), [2, 9, 7, 5]);
          const f = tf.tensor4d(rand([4, 4, 5, 3], 2), [4, 4, 5, 3]);
          const t = tf.tensor2d(rand([6, 3], 3), [6, 3]);
          const idx = tf.tensor1d([0, 5, 2, 2], 'int32');
          const [gx, gf] = tf.grads((a, b) =>
            tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')))([x, f]);
          const [g1] = tf.grads((a) => tf.sum(tf.conv2d(a as tf.Tensor4D, f, 1, 'same')))([x]);
          const gt = tf.grad((a) => tf.sum(tf.matMul(tf.gather(a, idx), t, false, true)))(t);
          const gr = tf.grad((a) => tf.sum(tf.image.resizeNearestNeighbor(a as tf.Tensor4D, [18, 14])))(x);
          [gx, gf, g1, gt, gr].forEach((g) => g!.dataSync());
        });
      step();
      const before = backend.numDataIds();
      step();
      step();
      expect(backend.numDataIds()).toBe(before);
    } finally {
      await tf.setBackend('cpu');
    }
  });
});
