// Slice, SplitV, Concat, LeakyRelu and Transpose on wasm: our kernels against
// the stock tfjs-backend-wasm kernels they replace (same values bit for bit, -0 and NaN included,
// on random shapes, dtypes and slices), against the cpu backend through the ops, and for leaks.
import * as tf from '@tensorflow/tfjs-core';
import type { DataType, KernelBackend, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { expectClose, rand, setUpWasm, valuesOn } from '../../__tests__/helpers';
import { isPatched, stockKernel } from '../../patch';
import { heapCopyLimits } from '../heap-copy';
import { WASM_KERNEL_NAMES } from '../register';
import { collapseTranspose } from '../transpose';

const KERNELS = ['Slice', 'SplitV', 'Concat', 'LeakyRelu', 'Transpose'];
const DTYPES: DataType[] = ['float32', 'int32', 'bool'];
const SPECIALS = [0, -0, NaN, Infinity, -Infinity, 1e-45, -1e-45, -1e-40, 3.4e38, -3.4e38];

let backend: KernelBackend;

beforeAll(async () => {
  await setUpWasm();
  backend = tf.findBackend('wasm')!;
});

beforeEach(async () => {
  await tf.setBackend('wasm');
});

afterAll(async () => {
  await tf.setBackend('cpu');
});

/** Deterministic integers in [0, n) (an LCG). */
function rng(seed: number): (n: number) => number {
  let s = (seed * 2654435761) >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.floor((s / 2 ** 32) * n);
  };
}

/** A wasm tensor of `dtype` with varied values (floats include -0, NaN, ±Inf and subnormals). */
function makeTensor(shape: number[], dtype: DataType, seed: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const r = rng(seed);
  if (dtype === 'bool') return tf.tensor(Uint8Array.from({ length: n }, () => r(2)), shape, 'bool');
  if (dtype === 'int32') return tf.tensor(Int32Array.from({ length: n }, () => r(2001) - 1000), shape, 'int32');
  const v = rand([n], seed);
  for (let i = 0; i < n; i += 7) v[i] = SPECIALS[r(SPECIALS.length)]!;
  return tf.tensor(v, shape, 'float32');
}

/** Values of a kernel output, read straight from the backend. */
function read(info: TensorInfo): ArrayLike<number> {
  return backend.readSync(info.dataId) as ArrayLike<number>;
}

/** A number as a label: -0 shows its sign. */
const fmt = (v: number): string => (Object.is(v, -0) ? '-0' : String(v));

/** Same length and, per element, the same value (Object.is, so -0 ≠ 0; NaN = NaN). */
function expectSameValues(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e)))) {
      throw new Error(`${label}: element ${i} is ${fmt(a)}, stock gives ${fmt(e)}.`);
    }
  }
}

/** Runs our kernel and the stock one on the same inputs; compares every output; leaves no data behind. */
function expectMatchesStock(
  kernelName: string,
  inputs: NamedTensorInfoMap | TensorInfo[],
  attrs: NamedAttrMap,
  label: string,
): void {
  const ours = tf.getKernel(kernelName, 'wasm')!;
  const stock = stockKernel(kernelName, 'wasm')!;
  expect(ours).not.toBe(stock);
  const ids = backend.numDataIds();
  const args = { inputs: inputs as NamedTensorInfoMap, backend };
  // Fresh attrs per call (the stock SplitV resolves a -1 split size in place); keeps -0 and NaN.
  const copy = () => structuredClone(attrs);
  const got = [ours.kernelFunc({ ...args, attrs: copy() })].flat();
  const want = [stock.kernelFunc({ ...args, attrs: copy() })].flat();
  try {
    expect(got.map((t) => [t.shape, t.dtype])).toEqual(want.map((t) => [t.shape, t.dtype]));
    got.forEach((t, i) => expectSameValues(read(t), read(want[i]!), `${label} output ${i}`));
  } finally {
    for (const t of [...got, ...want]) backend.disposeData(t.dataId);
  }
  expect(backend.numDataIds()).toBe(ids);
}

function randomShape(r: (n: number) => number, rank: number, minDim = 0): number[] {
  return Array.from({ length: rank }, () => minDim + r(5 - minDim + (r(8) === 0 ? 0 : 1)));
}

describe('registration', () => {
  it('replaces the six kernels (stock kept for delegation)', () => {
    for (const name of KERNELS) {
      expect(WASM_KERNEL_NAMES).toContain(name);
      expect(isPatched(name, 'wasm')).toBe(true);
      expect(stockKernel(name, 'wasm')).toBeDefined();
    }
  });
});

describe('Slice on wasm matches the stock kernel', () => {
  it('random shapes, ranks 1-6, dtypes, offsets, size -1 and empty boxes', () => {
    const r = rng(11);
    for (let c = 0; c < 150; c++) {
      const rank = 1 + (c % 6);
      const dtype = DTYPES[c % 3]!;
      const shape = randomShape(r, rank);
      // Mostly non-empty boxes; now and then an empty one or a begin at the end.
      const begin = shape.map((d) => (r(10) === 0 ? d : r(Math.max(d, 1))));
      const size = shape.map((d, i) => {
        const left = Math.max(d - begin[i]!, 0);
        return r(5) === 0 ? -1 : r(12) === 0 ? 0 : left > 0 ? 1 + r(left) : 0;
      });
      const x = makeTensor(shape, dtype, c);
      expectMatchesStock('Slice', { x }, { begin, size }, `slice ${dtype} [${shape}] begin [${begin}] size [${size}]`);
      x.dispose();
    }
  });

  it('a scalar slices to itself (the stock kernel returns uninitialised memory there)', () => {
    for (const dtype of DTYPES) {
      const x = makeTensor([], dtype, 7);
      const slice = tf.getKernel('Slice', 'wasm')!;
      const y = slice.kernelFunc({ inputs: { x }, backend, attrs: { begin: [], size: [] } }) as TensorInfo;
      expect(y.shape).toEqual([]);
      expectSameValues(read(y), read(x), `scalar ${dtype}`);
      backend.disposeData(y.dataId);
      x.dispose();
    }
  });

  it('both copy paths (index loop and copyWithin) give the same boxes', () => {
    const x = makeTensor([3, 4, 5, 40], 'float32', 3);
    const saved = heapCopyLimits.minCopyWithin;
    try {
      for (const limit of [1, 1e9]) {
        heapCopyLimits.minCopyWithin = limit;
        expectMatchesStock('Slice', { x }, { begin: [1, 0, 2, 3], size: [2, -1, 2, 30] }, `limit ${limit}`);
        expectMatchesStock('Slice', { x }, { begin: [0, 1, 0, 37], size: [-1, 2, -1, 3] }, `limit ${limit}`);
      }
    } finally {
      heapCopyLimits.minCopyWithin = saved;
      x.dispose();
    }
  });

  it('short begin/size arrays and a number begin are padded like tfjs', () => {
    const x = makeTensor([4, 3, 5], 'int32', 4);
    expectMatchesStock('Slice', { x }, { begin: [1], size: [2] }, 'short arrays');
    expectMatchesStock('Slice', { x }, { begin: 2, size: 1 }, 'numbers');
    x.dispose();
  });

  it('tf.slice and tf.stridedSlice equal the cpu backend', async () => {
    const run = () => {
      const x = tf.tensor(rand([2, 6, 5, 7], 5), [2, 6, 5, 7]);
      return [
        tf.slice(x, [0, 1, 2, 4], [-1, 4, 2, 3]),
        tf.slice(x, [1, 0, 0, 0], [1, -1, -1, -1]),
        tf.stridedSlice(x, [0, 0, 0, 1], [2, 6, 5, 7], [1, 2, 1, 2]),
      ];
    };
    const cpu = await valuesOn('cpu', run);
    const wasm = await valuesOn('wasm', run);
    wasm.forEach((v, i) => expectSameValues(v, cpu[i]!, `slice op ${i}`));
  });

  it('a box past the end is a clear error and allocates nothing', () => {
    const x = tf.ones([3, 4]);
    const ids = backend.numDataIds();
    const kernel = tf.getKernel('Slice', 'wasm')!;
    expect(() => kernel.kernelFunc({ inputs: { x }, backend, attrs: { begin: [1, 2], size: [2, 3] } })).toThrow(
      /would overflow input.shape\[1\]/,
    );
    expect(backend.numDataIds()).toBe(ids);
    x.dispose();
  });
});

describe('SplitV on wasm matches the stock kernel', () => {
  it('random shapes, axes, dtypes, sizes with 0 and -1, and equal splits', () => {
    const r = rng(21);
    for (let c = 0; c < 80; c++) {
      const rank = 1 + (c % 5);
      const dtype = DTYPES[c % 3]!;
      const shape = randomShape(r, rank);
      const axis = r(rank);
      const dim = shape[axis]!;
      const sizes: number[] = [];
      for (let left = dim; left > 0; ) {
        const s = r(left + 1);
        sizes.push(s);
        left -= s;
      }
      if (sizes.length === 0 || r(3) === 0) sizes.push(dim - sizes.reduce((a, b) => a + b, 0));
      // -1 = the rest. Not first: tfjs' prepareSplitSize then counts the -1 itself (stock throws too).
      if (sizes.length > 1 && r(3) === 0) sizes[1 + r(sizes.length - 1)] = -1;
      const splits = c % 10 === 0 && dim > 0 ? 1 : sizes;
      const x = makeTensor(shape, dtype, 100 + c);
      const negAxis = r(2) === 0 ? axis - rank : axis;
      const label = `split ${dtype} [${shape}] [${sizes}] axis ${negAxis}`;
      expectMatchesStock('SplitV', { x }, { numOrSizeSplits: splits, axis: negAxis }, label);
      x.dispose();
    }
  });

  it('tf.split and the gradient of tf.concat (SplitV) equal the cpu backend', async () => {
    const run = () => {
      const a = tf.tensor(rand([2, 4, 3, 6], 7), [2, 4, 3, 6]);
      const b = tf.tensor(rand([2, 4, 3, 2], 8), [2, 4, 3, 2]);
      const w = tf.tensor(rand([2, 4, 3, 8], 9), [2, 4, 3, 8]);
      const [ga, gb] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.concat([p, q], 3), w)))([a, b]);
      return [...tf.split(a, [1, -1, 2], 3), ga!, gb!];
    };
    const cpu = await valuesOn('cpu', run);
    const wasm = await valuesOn('wasm', run);
    wasm.forEach((v, i) => expectSameValues(v, cpu[i]!, `split op ${i}`));
  });
});

describe('Concat on wasm matches the stock kernel', () => {
  it('random shapes, axes, dtypes, 1-4 inputs including empty ones', () => {
    const r = rng(31);
    for (let c = 0; c < 80; c++) {
      const rank = 1 + (c % 5);
      const dtype = DTYPES[c % 3]!;
      const base = randomShape(r, rank, 1);
      const axis = r(rank);
      const xs = Array.from({ length: 1 + r(4) }, (_, i) => {
        const shape = base.slice();
        shape[axis] = r(5);
        return makeTensor(shape, dtype, 200 + 10 * c + i);
      });
      expectMatchesStock('Concat', xs, { axis }, `concat ${dtype} [${xs.map((t) => `[${t.shape}]`)}] axis ${axis}`);
      tf.dispose(xs);
    }
  });

  it('short and long rows (both copy paths)', () => {
    const a = makeTensor([3, 5, 40], 'float32', 1);
    const b = makeTensor([3, 5, 3], 'float32', 2);
    const d = makeTensor([3, 5, 1], 'float32', 3);
    expectMatchesStock('Concat', [a, b, d], { axis: 2 }, 'rows 40/3/1');
    expectMatchesStock('Concat', [b, a], { axis: -1 }, 'rows 3/40, axis -1');
    tf.dispose([a, b, d]);
  });
});

describe('LeakyRelu on wasm matches the stock kernel', () => {
  it('special values and random data for alpha ≥ 0 (ours) and other alphas (stock)', () => {
    const specials = makeTensor([SPECIALS.length], 'float32', 1);
    const values = tf.tensor(Float32Array.from([...SPECIALS, -1e-30, -3, 2.5, -0.1]), [SPECIALS.length + 4]);
    const random = makeTensor([2, 9, 7, 5], 'float32', 2);
    for (const alpha of [0.2, 0.01, 0, 1, 1.5, 1e-30, 3e38, -0.3, -0, NaN, Infinity]) {
      for (const x of [specials, values, random]) {
        expectMatchesStock('LeakyRelu', { x }, { alpha }, `leakyRelu alpha ${fmt(alpha)} [${x.shape}]`);
      }
    }
    tf.dispose([specials, values, random]);
  });

  it('int32 and empty inputs go to the stock kernel', () => {
    const xi = makeTensor([4, 3], 'int32', 3);
    const empty = tf.zeros([2, 0, 3]);
    expectMatchesStock('LeakyRelu', { x: xi }, { alpha: 0.2 }, 'int32');
    expectMatchesStock('LeakyRelu', { x: empty }, { alpha: 0.2 }, 'empty');
    tf.dispose([xi, empty]);
  });

  it('tf.leakyRelu and its gradient are close to the cpu backend', async () => {
    // Not equal: cpu multiplies by alpha as a double, wasm (stock and ours) as a float32.
    const run = () => {
      const x = tf.tensor(rand([2, 5, 4, 3], 4), [2, 5, 4, 3]);
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(t, 0.2), t)))(x);
      return [tf.leakyRelu(x, 0.2), g];
    };
    const cpu = await valuesOn('cpu', run);
    const wasm = await valuesOn('wasm', run);
    wasm.forEach((v, i) => expectClose(v, cpu[i]!, 1e-6, `leakyRelu op ${i}`));
  });
});

describe('Transpose on wasm matches the stock kernel', () => {
  it('collapses size-1 axes and axes that stay adjacent', () => {
    expect(collapseTranspose([2304, 256], [1, 0])).toEqual({ shape: [2304, 256], perm: [1, 0] });
    expect(collapseTranspose([2, 1, 3, 4], [0, 3, 1, 2])).toEqual({ shape: [2, 3, 4], perm: [0, 2, 1] });
    expect(collapseTranspose([3, 3, 8, 4], [2, 3, 0, 1])).toEqual({ shape: [9, 32], perm: [1, 0] });
    expect(collapseTranspose([5, 6], [0, 1])).toEqual({ shape: [30], perm: [0] });
    expect(collapseTranspose([1, 1], [1, 0])).toEqual({ shape: [], perm: [] });
  });

  it('random shapes, permutations and dtypes (tiled and stock paths)', () => {
    const r = rng(41);
    for (let c = 0; c < 100; c++) {
      const rank = 1 + (c % 5);
      const dtype = DTYPES[c % 3]!;
      const shape = randomShape(r, rank, c % 4 === 0 ? 0 : 1);
      const perm = Array.from({ length: rank }, (_, i) => i);
      for (let i = rank - 1; i > 0; i--) {
        const j = r(i + 1);
        [perm[i], perm[j]] = [perm[j]!, perm[i]!];
      }
      const x = makeTensor(shape, dtype, 300 + c);
      expectMatchesStock('Transpose', { x }, { perm }, `transpose ${dtype} [${shape}] perm [${perm}]`);
      x.dispose();
    }
  });

  it('matrices larger than one tile, and batches of them', () => {
    for (const [shape, perm] of [
      [[70, 45], [1, 0]],
      [[3, 33, 65], [0, 2, 1]],
      [[3, 3, 16, 12], [2, 3, 0, 1]],
    ] as Array<[number[], number[]]>) {
      const x = makeTensor(shape, 'float32', 5);
      expectMatchesStock('Transpose', { x }, { perm }, `transpose [${shape}] perm [${perm}]`);
      x.dispose();
    }
  });
});

describe('no leaks through the ops', () => {
  it('tensor count and backend data ids are unchanged after repeated use', () => {
    const x = tf.tensor(rand([2, 6, 5, 7], 6), [2, 6, 5, 7]);
    const once = () =>
      tf.tidy(() => {
        const [a, b] = tf.split(x, [4, 3], 3);
        const y = tf.concat([tf.slice(x, [0, 0, 0, 1], [-1, -1, -1, 3]), a!, b!], 3);
        const z = tf.leakyRelu(tf.cast(tf.transpose(y, [0, 3, 1, 2]), 'float32'), 0.2);
        tf.grad((t: tf.Tensor) => tf.sum(tf.leakyRelu(tf.concat(tf.split(t, 7, 3), 3), 0.2)))(x);
        return tf.sum(z);
      }).dispose();
    once();
    const tensors = tf.memory().numTensors;
    const ids = backend.numDataIds();
    for (let i = 0; i < 3; i++) once();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(backend.numDataIds()).toBe(ids);
    x.dispose();
  });
});

describe('Identity on wasm aliases its input', () => {
  it('a clone shares the heap data, outlives its source, and frees it with the last reference', () => {
    const before = tf.memory().numTensors;
    const ids = (backend as unknown as { numDataIds(): number }).numDataIds();
    for (const dtype of DTYPES) {
      const x = makeTensor([3, 4, 5], dtype, 7);
      const want = Array.from(x.dataSync());
      const y = tf.clone(x);
      expect(y.dataId).toBe(x.dataId);
      x.dispose();
      expect(Array.from(y.dataSync())).toEqual(want);
      y.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    expect((backend as unknown as { numDataIds(): number }).numDataIds()).toBe(ids);
  });
});
