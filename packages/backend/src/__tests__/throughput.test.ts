// measureConvGflops / measureMatMulGflops: quick, restore the backend, leak nothing.
import * as tf from '@tensorflow/tfjs-core';
import { measureConv, measureConvGflops, measureMatMulGflops } from '../throughput';
import { setUpWasm } from './helpers';

beforeAll(async () => {
  await setUpWasm();
});

it('measures wasm conv forward and forward+backward on another backend, then switches back', async () => {
  // Speed is the benchmarks' business (pnpm bench backend); here only what was measured and that
  // the backend and memory come back as they were.
  const before = tf.memory().numTensors;
  const fwd = await measureConv({ backend: 'wasm', reps: 3, budgetMs: 300 });
  const both = await measureConv({ backend: 'wasm', mode: 'forwardBackward', reps: 3, budgetMs: 300 });
  expect(tf.getBackend()).toBe('cpu');
  expect(tf.memory().numTensors).toBe(before);
  // FLOPs = 2·MACs: 2 · 64·64 pixels · 3·3·64 · 64; forward+backward counts three forwards.
  expect(fwd.flops).toBe(2 * 64 * 64 * 9 * 64 * 64);
  expect(both.flops).toBe(3 * fwd.flops);
  expect(fwd).toMatchObject({ backend: 'wasm' });
  expect(fwd.reps).toBeGreaterThanOrEqual(1);
  expect(fwd.gflops).toBeGreaterThan(0);
  expect(both.gflops).toBeGreaterThan(0);
});

it('returns a plain number from measureConvGflops (small cpu problem, stride 2)', async () => {
  const g = await measureConvGflops({ shape: [1, 16, 16, 8], outChannels: 8, stride: 2, reps: 2, budgetMs: 50 });
  expect(typeof g).toBe('number');
  expect(g).toBeGreaterThan(0);
});

it('measures transposed matmuls', async () => {
  const m = await measureMatMulGflops({ backend: 'wasm', size: [128, 128, 128], transposeA: true, reps: 3 });
  expect(m.flops).toBe(2 * 128 ** 3);
  expect(m.gflops).toBeGreaterThan(0);
});

it('rejects bad options with a clear message', async () => {
  await expect(measureConv({ kernel: 0 })).rejects.toThrow('measureConvGflops: kernel must be a positive integer, got 0.');
  await expect(measureConv({ mode: 'backward' as never })).rejects.toThrow(
    "measureConvGflops: mode must be forward or forwardBackward, got 'backward'.",
  );
});
