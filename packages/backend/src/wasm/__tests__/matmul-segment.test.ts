// Transposed BatchMatMul / _FusedMatMul and UnsortedSegmentSum (gather's gradient) on wasm vs cpu.
import * as tf from '@tensorflow/tfjs-core';
import { expectClose, rand, setUpWasm, valuesOn } from '../../__tests__/helpers';
import { isPatched } from '../../patch';
import { registerWasmKernels, unregisterWasmKernels, wasmKernelsRegistered } from '../register';

beforeAll(async () => {
  await setUpWasm();
});

const MATMUL_CASES: Array<{ name: string; a: number[]; b: number[]; tA: boolean; tB: boolean }> = [
  { name: 'rank 2, transposeA', a: [5, 7], b: [5, 3], tA: true, tB: false },
  { name: 'rank 2, transposeB', a: [7, 5], b: [3, 5], tA: false, tB: true },
  { name: 'rank 2, both', a: [5, 7], b: [3, 5], tA: true, tB: true },
  { name: 'rank 3, batch 3, transposeA', a: [3, 4, 6], b: [3, 4, 5], tA: true, tB: false },
  { name: 'rank 3, broadcast batch, transposeB', a: [1, 6, 4], b: [3, 5, 4], tA: false, tB: true },
  { name: 'rank 4, both', a: [2, 2, 4, 3], b: [2, 2, 5, 4], tA: true, tB: true },
  { name: 'plain (stock path)', a: [6, 4], b: [4, 5], tA: false, tB: false },
];

describe('BatchMatMul with transpose flags on wasm matches cpu', () => {
  it.each(MATMUL_CASES)('$name', async (c) => {
    const run = () => tf.matMul(tf.tensor(rand(c.a, 1), c.a), tf.tensor(rand(c.b, 2), c.b), c.tA, c.tB);
    const [cpu] = await valuesOn('cpu', run);
    const [wasm] = await valuesOn('wasm', run);
    expectClose(wasm!, cpu!, 1e-5, c.name);
  });

  it('fused matMul (bias + relu) with transposes matches cpu', async () => {
    const run = () =>
      tf.fused.matMul({
        a: tf.tensor2d(rand([6, 4], 1), [6, 4]),
        b: tf.tensor2d(rand([5, 6], 2), [5, 6]),
        transposeA: true,
        transposeB: true,
        bias: tf.tensor1d(rand([5], 3)),
        activation: 'relu',
      });
    const [cpu] = await valuesOn('cpu', run);
    const [wasm] = await valuesOn('wasm', run);
    expectClose(wasm!, cpu!, 1e-5, 'fused');
  });

  it('dense-layer gradients (transposed matmuls) match cpu', async () => {
    const run = () => {
      const x = tf.tensor2d(rand([8, 6], 1), [8, 6]);
      const w = tf.tensor2d(rand([6, 5], 2), [6, 5]);
      const dy = tf.tensor2d(rand([8, 5], 3), [8, 5]);
      return tf.grads((a, b) => tf.sum(tf.mul(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D), dy)))([x, w]);
    };
    const cpu = await valuesOn('cpu', run);
    const wasm = await valuesOn('wasm', run);
    expectClose(wasm[0]!, cpu[0]!, 1e-5, 'dx');
    expectClose(wasm[1]!, cpu[1]!, 1e-5, 'dW');
  });
});

describe('UnsortedSegmentSum on wasm', () => {
  it('gives gather its gradient (CLADE-style table lookup), matching cpu', async () => {
    const k = 7;
    const c = 5;
    const ids = Int32Array.from(rand([2, 4, 3], 9), (v) => Math.floor((v + 1) * 3.5));
    const run = () => {
      const table = tf.tensor2d(rand([k, c], 1), [k, c]);
      const idx = tf.tensor3d(ids, [2, 4, 3], 'int32');
      const dy = tf.tensor(rand([2, 4, 3, c], 2), [2, 4, 3, c]);
      return tf.grad((t) => tf.sum(tf.mul(tf.gather(t, idx), dy)))(table);
    };
    const [cpu] = await valuesOn('cpu', run);
    const [wasm] = await valuesOn('wasm', run);
    expectClose(wasm!, cpu!, 1e-5, 'dTable');
  });

  it('handles a [150, 96] table indexed by a 64×64 map, and int32 data (vs a JS reference)', async () => {
    // (cpu's UnsortedSegmentSum runs one masked reduction per segment: minutes at this size.)
    const rows = 64 * 64;
    const ids = Int32Array.from(rand([rows], 5), (v) => Math.floor((v + 1) * 75));
    const xv = rand([rows, 96], 6);
    const want = new Float64Array(150 * 96);
    const wantInt = new Array<number>(150).fill(0);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < 96; j++) want[ids[i]! * 96 + j]! += xv[i * 96 + j]!;
      wantInt[ids[i]!]! += ids[i]!;
    }
    const [got, gotInt] = await valuesOn('wasm', () => [
      tf.unsortedSegmentSum(tf.tensor2d(xv, [rows, 96]), tf.tensor1d(ids, 'int32'), 150),
      tf.unsortedSegmentSum(tf.tensor1d(ids, 'int32'), tf.tensor1d(ids, 'int32'), 150),
    ]);
    expectClose(got!, want, 1e-5, 'float');
    expect(Array.from(gotInt!)).toEqual(wantInt);
  });

  it('drops ids outside [0, numSegments), as TensorFlow does', async () => {
    const [out] = await valuesOn('wasm', () =>
      tf.engine().runKernel(
        'UnsortedSegmentSum',
        { x: tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8], [4, 2]), segmentIds: tf.tensor1d([1, -1, 3, 1], 'int32') },
        { numSegments: 3 },
      ) as tf.Tensor,
    );
    expect(Array.from(out!)).toEqual([0, 0, 8, 10, 0, 0]);
  });
});

describe('registration', () => {
  it('is idempotent and reversible', () => {
    registerWasmKernels();
    registerWasmKernels();
    expect(wasmKernelsRegistered()).toBe(true);
    expect(isPatched('BatchMatMul', 'wasm')).toBe(true);
    unregisterWasmKernels();
    expect(wasmKernelsRegistered()).toBe(false);
    expect(isPatched('BatchMatMul', 'wasm')).toBe(false);
    expect(tf.getKernel('BatchMatMul', 'wasm')).toBeDefined(); // the stock kernel is back
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    registerWasmKernels();
    expect(wasmKernelsRegistered()).toBe(true);
  });
});
