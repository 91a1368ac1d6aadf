// The native kernels (@clade/ort-native: onnxruntime's sgemm behind im2col/col2im) under tfjs'
// wasm backend: equal to the wasm kernels they replace, in every conv geometry the models use,
// chunked or not, at 1 and 2 threads; fallbacks; the binding's argument checks; no leaks.
import * as tf from '@tensorflow/tfjs-core';
import { hasCCompiler } from '@clade/test-utils';
import { initBackend, nativeKernelsActive, registerNativeKernels, unregisterNativeKernels } from '../../index';
import { loadNativeKernels, type NativeTensorKernels } from '../binding';
import { nativeKernelLimits } from '../kernels';

let binding: NativeTensorKernels | null = null;

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  try {
    binding = await loadNativeKernels();
  } catch (e) {
    if (hasCCompiler()) throw e; // the install hook builds it wherever a compiler exists
    // eslint-disable-next-line no-console
    console.warn(`SKIPPED native kernel tests: no C compiler here (${(e as Error).message})`);
  }
});
afterAll(() => unregisterNativeKernels());

const itNative = (name: string, fn: () => void | Promise<void>) =>
  it(name, async () => {
    if (!binding) return;
    await fn();
  });

interface Case {
  n: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  k: number;
  s: number;
  pad: 'same' | 'valid' | number;
  /** x is a one-hot label map over its first ci − dense channels (some pixels all zero), then `dense` random channels. */
  oneHot?: { dense: number };
}

/** The official nets' geometries: G's 3×3 same convs and 1×1 shortcuts, D's 4×4 stride-2/1 pad-2 convs. */
const CASES: Case[] = [
  { n: 1, h: 16, w: 12, ci: 5, co: 7, k: 3, s: 1, pad: 'same' },
  { n: 2, h: 9, w: 9, ci: 6, co: 3, k: 1, s: 1, pad: 'valid' },
  { n: 2, h: 17, w: 15, ci: 8, co: 4, k: 4, s: 2, pad: 2 },
  { n: 1, h: 10, w: 11, ci: 4, co: 6, k: 4, s: 1, pad: 2 },
  { n: 1, h: 12, w: 12, ci: 3, co: 5, k: 4, s: 2, pad: 'valid' },
  { n: 1, h: 4, w: 4, ci: 16, co: 16, k: 3, s: 1, pad: 'same' },
  // Sparse inputs (the binding's gather path): SPADE's shared MLP on labels, D's first conv on labels + image.
  { n: 2, h: 9, w: 8, ci: 40, co: 12, k: 3, s: 1, pad: 'same', oneHot: { dense: 0 } },
  { n: 1, h: 11, w: 10, ci: 67, co: 8, k: 4, s: 2, pad: 2, oneHot: { dense: 3 } },
];

/** A one-hot label map [n, h, w, classes] with every 7th pixel unlabelled (all zero), as don't-care pixels are. */
function oneHotLabels(n: number, h: number, w: number, classes: number, seed: number): tf.Tensor4D {
  const ids = tf.randomUniform([n, h, w], 0, classes, 'int32', seed);
  const dropped = tf.where(tf.equal(tf.mod(tf.range(0, n * h * w, 1, 'int32').reshape([n, h, w]), 7), 0), tf.fill([n, h, w], -1, 'int32'), ids);
  return tf.oneHot(dropped, classes).toFloat() as tf.Tensor4D;
}

/** y, the fused conv (bias + leaky ReLU), dx and dW of one case, as plain arrays. */
function run(c: Case, seed: number): Float32Array[] {
  return tf.tidy(() => {
    const x = c.oneHot
      ? (tf.concat(
          [
            oneHotLabels(c.n, c.h, c.w, c.ci - c.oneHot.dense, seed),
            tf.randomNormal([c.n, c.h, c.w, c.oneHot.dense], 0, 1, 'float32', seed),
          ],
          3,
        ) as tf.Tensor4D)
      : (tf.randomNormal([c.n, c.h, c.w, c.ci], 0, 1, 'float32', seed) as tf.Tensor4D);
    const w = tf.randomNormal([c.k, c.k, c.ci, c.co], 0, 1, 'float32', seed + 1) as tf.Tensor4D;
    const bias = tf.randomNormal([c.co], 0, 1, 'float32', seed + 2) as tf.Tensor1D;
    const y = tf.conv2d(x, w, c.s, c.pad);
    const fused = tf.fused.conv2d({ x, filter: w, strides: c.s, pad: c.pad, bias, activation: 'leakyrelu', leakyreluAlpha: 0.2 });
    const r = tf.randomNormal(y.shape, 0, 1, 'float32', seed + 3);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad), r)))([x, w]);
    return [y, fused, dx!, dw!].map((t) => Float32Array.from(t.dataSync() as Float32Array));
  });
}

/** max |a − b| / max |a| (the scale of a conv's output grows with its fan-in). */
function relDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(a[i]!));
  }
  return Number.isFinite(d) ? d / Math.max(m, 1e-30) : NaN;
}

describe('native conv kernels on the wasm heap', () => {
  itNative('equal the wasm kernels (y, fused bias + leaky ReLU, dx, dW) within float rounding, chunked or not, 1 and 2 threads', () => {
    CASES.forEach((c, i) => {
      unregisterNativeKernels();
      const want = run(c, 10 + i);
      for (const [threads, chunkFloats] of [[1, 0], [2, 0], [1, 37]] as const) {
        registerNativeKernels(binding!, threads);
        nativeKernelLimits.chunkFloats = chunkFloats; // 37 floats: one output pixel per chunk
        try {
          const got = run(c, 10 + i);
          const diffs = want.map((w, j) => relDiff(w, got[j]!));
          expect({ c, threads, chunkFloats, worst: Math.max(...diffs) < 1e-5 ? 'ok' : diffs }).toEqual({ c, threads, chunkFloats, worst: 'ok' });
        } finally {
          nativeKernelLimits.chunkFloats = 0;
        }
      }
    });
  });

  itNative('take the sparse path for a one-hot x: only its nonzeros are read (a dense product would turn 0 × ∞ into NaN)', () => {
    const [h, w, classes, co] = [6, 5, 32, 4];
    const ids = Array.from({ length: h * w }, (_, i) => i % 3); // classes 0–2 only
    const x = new Float32Array(h * w * classes);
    ids.forEach((c, i) => (x[i * classes + c] = 1));
    const filter = new Float32Array(9 * classes * co).map((_, i) => (Math.floor(i / co) % classes === 31 ? Infinity : (i % 5) - 2));
    const y = new Float32Array(h * w * co);
    const dy = new Float32Array(h * w * co).fill(1);
    const dw = new Float32Array(9 * classes * co).fill(NaN);
    const geom = new Int32Array([1, h, w, classes, 3, 3, co, h, w, 1, 1, 1, 1, 1, 0]);
    binding!.conv2d(0, x, filter, y, geom);
    binding!.conv2d(2, x, dy, dw, geom);
    expect(y.every(Number.isFinite)).toBe(true);
    // The filter gradient of an absent class is exactly zero; of a present one, its pixel count per tap.
    const row = (tap: number, c: number) => Array.from(dw.subarray((tap * classes + c) * co, (tap * classes + c + 1) * co));
    expect(row(4, 31)).toEqual([0, 0, 0, 0]);
    expect(row(4, 0)).toEqual(Array(co).fill(ids.filter((c) => c === 0).length));
  });

  itNative('fall back to the kernels they replaced for dilated convs, and free every tensor', () => {
    registerNativeKernels(binding!, 1);
    const before = tf.memory().numTensors;
    const x = tf.randomNormal([1, 9, 9, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 3, 2], 0, 1, 'float32', 2) as tf.Tensor4D;
    const dilated = () => tf.tidy(() => tf.conv2d(x, w, 1, 'same', 'NHWC', 2).dataSync().slice() as Float32Array);
    const native = dilated();
    unregisterNativeKernels();
    const stock = dilated();
    expect(relDiff(stock, native)).toBe(0);
    registerNativeKernels(binding!, 1);
    run(CASES[2]!, 5);
    tf.dispose([x, w]);
    expect(tf.memory().numTensors).toBe(before);
  });

  itNative('report their state and thread count, and come off cleanly', () => {
    registerNativeKernels(binding!, 2);
    expect(nativeKernelsActive()).toEqual({ threads: 2, onnxruntime: binding!.version });
    registerNativeKernels(binding!, 1); // a second call only sets the thread count
    expect(nativeKernelsActive()?.threads).toBe(1);
    expect(() => registerNativeKernels(binding!, 0)).toThrow(/threads must be an integer in \[1, 64\], got 0/);
    unregisterNativeKernels();
    expect(nativeKernelsActive()).toBeNull();
  });
});

describe('native reductions over pixels', () => {
  itNative('Sum and Mean over leading axes equal the wasm kernels (float rounding), keepDims or not; other reductions fall back', () => {
    const x = tf.randomNormal([2, 7, 5, 3], 1, 2, 'float32', 4);
    const cases: Array<[number[], boolean]> = [
      [[0, 1, 2], true], [[1, 2], true], [[1, 2], false], [[0], false], [[2], true], [[3], false], [[0, 2], true],
      [[-1], true],
    ];
    const run = () =>
      tf.tidy(() =>
        cases.flatMap(([axes, keep]) =>
          [tf.mean(x, axes, keep), tf.sum(x, axes, keep)].map((t) => ({ shape: t.shape, v: t.dataSync().slice() as Float32Array })),
        ),
      );
    unregisterNativeKernels();
    const want = run();
    registerNativeKernels(binding!, 1);
    const before = tf.memory().numTensors;
    const got = run();
    expect(tf.memory().numTensors).toBe(before);
    got.forEach((g, i) => {
      expect(g.shape).toEqual(want[i]!.shape);
      expect(relDiff(want[i]!.v, g.v)).toBeLessThan(1e-6);
    });
    x.dispose();
  });
});

describe('the binding checks its arguments', () => {
  itNative('gemm: c = op(a) · op(b) for every transpose pair', () => {
    const a = Float32Array.from([1, 2, 3, 4, 5, 6]); // [2,3]
    const b = Float32Array.from([1, 0, 2, 1, 0, 1]); // [3,2]
    const c = new Float32Array(4);
    binding!.gemm(a, b, c, Int32Array.from([2, 3, 2, 0, 0, 1]));
    expect(Array.from(c)).toEqual([5, 5, 14, 11]);
    // aᵀ as [3,2] with transA: the same product.
    binding!.gemm(Float32Array.from([1, 4, 2, 5, 3, 6]), b, c, Int32Array.from([2, 3, 2, 1, 0, 1]));
    expect(Array.from(c)).toEqual([5, 5, 14, 11]);
    binding!.gemm(a, Float32Array.from([1, 2, 0, 0, 1, 1]), c, Int32Array.from([2, 3, 2, 0, 1, 2]));
    expect(Array.from(c)).toEqual([5, 5, 14, 11]);
  });

  itNative('rejects wrong types, short buffers and bad geometry with a message naming the argument', () => {
    const f = new Float32Array(64);
    expect(() => binding!.gemm(new Float64Array(4) as never, f, f, Int32Array.from([2, 2, 2, 0, 0, 1]))).toThrow(/gemm's a must be a Float32Array/);
    expect(() => binding!.gemm(f, f, new Float32Array(3), Int32Array.from([2, 2, 2, 0, 0, 1]))).toThrow(/gemm's c holds 3 floats, fewer than the 4/);
    expect(() => binding!.gemm(f, f, f, Int32Array.from([2, 2]))).toThrow(/gemm dims must be an Int32Array of 6/);
    expect(() => binding!.gemm(f, f, f, Int32Array.from([2, -1, 2, 0, 0, 1]))).toThrow(/gemm dims\[1\] must be >= 0, got -1/);
    const geom = Int32Array.from([1, 4, 4, 2, 3, 3, 2, 4, 4, 1, 1, 1, 1, 1, 0]);
    expect(() => binding!.conv2d(3 as never, f, f, f, geom)).toThrow(/kind must be 0, 1 or 2/);
    expect(() => binding!.conv2d(0, new Float32Array(8), f, f, geom)).toThrow(/x holds 8 floats, fewer than the 32/);
    expect(() => binding!.conv2d(2, f, f, new Float32Array(8), geom)).toThrow(/dfilter holds 8 floats, fewer than the 36/);
    const zeroStride = geom.slice();
    zeroStride[9] = 0;
    expect(() => binding!.conv2d(0, f, f, f, zeroStride)).toThrow(/strides must be >= 1/);
  });
});
