import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { ConfigError, CladeError } from '../errors';

it('errors carry the marker', () => {
  expect(CladeError.isInstance(new ConfigError('x'))).toBe(true);
});
it('gradients registered and wasm loads', async () => {
  const g = tf.grad((x: tf.Tensor) => tf.sum(tf.square(x)))(tf.tensor([1, 2]));
  expect(Array.from(g.dataSync())).toEqual([2, 4]);
  await tf.setBackend('wasm');
  expect(tf.getBackend()).toBe('wasm');
  const y = tf.conv2d(tf.ones([1, 4, 4, 2]) as tf.Tensor4D, tf.ones([3, 3, 2, 1]) as tf.Tensor4D, 1, 'same');
  expect(y.dataSync()[5]).toBe(18);
  await tf.setBackend('cpu');
});
