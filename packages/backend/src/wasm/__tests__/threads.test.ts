// Opt-in wasm threads under Node: initBackend({ threads: 2 }) really runs 2 XNNPACK threads,
// and results (including our JS kernels on the shared heap) still match cpu.
import * as tf from '@tensorflow/tfjs-core';
import { expectClose, rand, valuesOn } from '../../__tests__/helpers';
import { initBackend, type BackendChoice } from '../../select';
import { terminateWasmThreads } from '../threads';

let choice: BackendChoice;

beforeAll(async () => {
  choice = await initBackend({ backend: 'wasm', threads: 2 });
  await tf.setBackend('cpu');
});

afterAll(() => {
  terminateWasmThreads();
});

it('initialises the threaded SIMD build with 2 threads', () => {
  expect(choice).toMatchObject({ name: 'wasm', threads: 2, simd: true });
  expect(choice.reason).toMatch(/^2 XNNPACK threads/);
  const backend = tf.findBackend('wasm') as unknown as { wasm: Record<string, unknown> };
  expect('PThread' in backend.wasm).toBe(true);
});

it('computes conv2d forward and gradients like cpu', async () => {
  const xShape: [number, number, number, number] = [2, 16, 12, 8];
  const fShape: [number, number, number, number] = [3, 3, 8, 16];
  const run = () => {
    const x = tf.tensor4d(rand(xShape, 1), xShape);
    const f = tf.tensor4d(rand(fShape, 2), fShape);
    const y = tf.conv2d(x, f, 2, 'same');
    const dy = tf.tensor(rand(y.shape, 3), y.shape);
    const [gx, gf] = tf.grads((a, b) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'), dy)))([x, f]);
    return [y, gx!, gf!];
  };
  const cpu = await valuesOn('cpu', run);
  const wasm = await valuesOn('wasm', run);
  cpu.forEach((c, i) => expectClose(wasm[i]!, c, 1e-4, ['y', 'dx', 'dW'][i]!));
});
