// CladeModulate (CLADE's fused x ⊙ Γ[k] + B[k]) on wasm vs the composed gathers, Mul and Add on cpu.
import * as tf from '@tensorflow/tfjs-core';
import { CLADE_MODULATE, CLADE_MODULATE_SCALED, cladeModulateIsSimd, cladeModulateWasm, wasmSimdSupported } from '../clade-modulate';
import { expectClose, rand, setUpWasm, valuesOn } from '../../__tests__/helpers';

beforeAll(async () => {
  await setUpWasm();
});

type Scales = { gammaScale: tf.Tensor; betaScale: tf.Tensor };
const composed = (x: tf.Tensor, ids: tf.Tensor, g: tf.Tensor, b: tf.Tensor, s?: Scales) =>
  tf.add(tf.mul(x, s ? tf.mul(tf.gather(g, ids), s.gammaScale) : tf.gather(g, ids)), s ? tf.mul(tf.gather(b, ids), s.betaScale) : tf.gather(b, ids));
const fused = (x: tf.Tensor, ids: tf.Tensor, g: tf.Tensor, b: tf.Tensor, s?: Scales) =>
  tf.engine().runKernel(s ? CLADE_MODULATE_SCALED : CLADE_MODULATE, { x, indices: ids, gamma: g, beta: b, ...s }, {}) as tf.Tensor;

describe('CladeModulate on wasm', () => {
  it.each([
    { name: 'SIMD path, C = 16', shape: [1, 5, 7, 16], k: 9, icpe: false },
    { name: 'SIMD path, batch 2, C = 4', shape: [2, 3, 3, 4], k: 3, icpe: false },
    { name: 'scalar path, C = 6 (not a multiple of 4)', shape: [1, 4, 4, 6], k: 5, icpe: false },
    { name: 'ICPE factors, SIMD path, C = 8', shape: [2, 4, 3, 8], k: 4, icpe: true },
    { name: 'ICPE factors, scalar path, C = 3', shape: [1, 3, 5, 3], k: 2, icpe: true },
  ])('$name: equals the composed form', async ({ shape, k, icpe }) => {
    const c = shape[3]!;
    const pixels = shape[0]! * shape[1]! * shape[2]!;
    const ids = Array.from({ length: pixels }, (_, i) => (i * 7 + 3) % k);
    const one = [...shape.slice(0, 3), 1];
    const inputs = () =>
      [
        tf.tensor(rand(shape, 1), shape),
        tf.tensor(ids, shape.slice(0, 3), 'int32'),
        tf.tensor(rand([k, c], 2), [k, c]),
        tf.tensor(rand([k, c], 3), [k, c]),
        icpe ? { gammaScale: tf.tensor(rand(one, 4), one), betaScale: tf.tensor(rand(one, 5), one) } : undefined,
      ] as const;
    const [want] = await valuesOn('cpu', () => composed(...inputs()));
    await tf.setBackend('wasm');
    expect(cladeModulateIsSimd(tf.backend())).toBe(true);
    const before = tf.memory().numTensors;
    const [got] = await valuesOn('wasm', () => fused(...inputs()));
    expect(tf.memory().numTensors).toBe(before);
    // The same float32 operations in the same order as the composed kernels: equal values.
    expectClose(got!, want!, 0, 'CladeModulate');
  });

  it('an out-of-range class index is one clear error, and nothing leaks', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    expect(() => tf.tidy(() => fused(tf.ones([1, 1, 2, 4]), tf.tensor([[[0, 3]]], [1, 1, 2], 'int32'), tf.ones([3, 4]), tf.zeros([3, 4])))).toThrow(
      /CladeModulate: class indices must be in \[0, 2\], got 3 at pixel 1/,
    );
    expect(tf.memory().numTensors).toBe(before);
    await tf.setBackend('cpu');
  });

  // WebAssembly's types come from lib.dom, which our compile leaves out.
  const WA = (
    globalThis as unknown as {
      WebAssembly: {
        validate(b: Uint8Array): boolean;
        Memory: new (d: object) => { buffer: ArrayBuffer };
        Module: new (b: Uint8Array) => object;
        Instance: new (m: object, i: object) => { exports: Record<string, unknown> };
      };
    }
  ).WebAssembly;

  it('the SIMD module validates and computes on a plain and on a shared memory (the threaded build)', () => {
    expect(wasmSimdSupported()).toBe(true); // Node 20: the kernels get registered
    expect(tf.getKernel(CLADE_MODULATE, 'wasm')).toBeDefined();
    for (const shared of [false, true]) {
      const bytes = cladeModulateWasm(shared);
      expect(WA.validate(bytes)).toBe(true);
      const memory = new WA.Memory(shared ? { initial: 1, maximum: 65536, shared: true } : { initial: 1 });
      const { modulate } = new WA.Instance(new WA.Module(bytes), { env: { memory } }).exports as { modulate: (...a: number[]) => void };
      const f = new Float32Array(memory.buffer);
      const i32 = new Int32Array(memory.buffer);
      // x at 0 (2 pixels × 4), ids at 64, Γ at 128 (2 classes × 4), B at 192, out at 256.
      f.set([1, 2, 3, 4, 5, 6, 7, 8], 0);
      i32.set([1, 0], 16);
      f.set([10, 20, 30, 40, 50, 60, 70, 80], 32);
      f.set([0.5, 0.5, 0.5, 0.5, -1, -2, -3, -4], 48);
      modulate(0, 64, 128, 192, 256, 2, 4);
      expect(Array.from(f.subarray(64, 72))).toEqual([49, 118, 207, 316, 50.5, 120.5, 210.5, 320.5]);
    }
  });
});
