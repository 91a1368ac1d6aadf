import * as tf from '@tensorflow/tfjs-core';

/**
 * Runs `fn` once to warm up (lazy weights, kernel caches), then `times` more and asserts
 * that the live tensor count did not grow. Whatever `fn` returns is disposed.
 */
export async function expectNoLeaks(fn: () => unknown, times = 2): Promise<void> {
  const run = async () => {
    const out = await fn();
    tf.dispose(out as tf.TensorContainer);
  };
  await run();
  const before = tf.memory().numTensors;
  for (let i = 0; i < times; i++) await run();
  expect(tf.memory().numTensors).toBe(before);
}
