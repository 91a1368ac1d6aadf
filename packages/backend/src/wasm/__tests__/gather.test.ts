// GatherV2 on wasm (our row copy for axis 0, stock otherwise) vs cpu, values and gradient.
import * as tf from '@tensorflow/tfjs-core';
import { expectClose, rand, setUpWasm, valuesOn } from '../../__tests__/helpers';

beforeAll(async () => {
  await setUpWasm();
});

describe('GatherV2 on wasm matches cpu', () => {
  it.each([
    { name: 'table rows by a 3-D index map', x: [7, 5], idx: [2, 3, 4] },
    { name: 'rank-3 rows, 1-D indices', x: [4, 3, 2], idx: [9] },
    { name: 'axis 1 (stock path)', x: [3, 6], idx: [4], axis: 1 },
  ])('$name', async ({ x, idx, axis = 0 }) => {
    const limit = x[axis]!;
    const ids = Array.from({ length: idx.reduce((a, b) => a * b, 1) }, (_, i) => (i * 5 + 1) % limit);
    const run = () => tf.gather(tf.tensor(rand(x, 1), x), tf.tensor(ids, idx, 'int32'), axis);
    const [cpu] = await valuesOn('cpu', run);
    const [wasm] = await valuesOn('wasm', run);
    expectClose(wasm!, cpu!, 0, 'gather');
  });

  it('gradient w.r.t. the table (UnsortedSegmentSum) matches cpu', async () => {
    const run = () =>
      tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, tf.tensor([[0, 2], [2, 2]], [2, 2], 'int32')), tf.tensor(rand([2, 2, 3], 3), [2, 2, 3]))))(
        tf.tensor(rand([3, 3], 4), [3, 3]),
      );
    const [cpu] = await valuesOn('cpu', run);
    const [wasm] = await valuesOn('wasm', run);
    expectClose(wasm!, cpu!, 1e-6, 'gather grad');
  });

  it('an out-of-range index is a clear error', async () => {
    await tf.setBackend('wasm');
    expect(() => tf.gather(tf.ones([3, 2]), tf.tensor1d([0, 3], 'int32'))).toThrow(/indices must be in \[0, 2\], got 3/);
    await tf.setBackend('cpu');
  });
});
