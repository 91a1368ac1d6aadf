import * as tf from '@tensorflow/tfjs-core';

/**
 * Runs the enclosing block on the backend `init` sets up (e.g. @clade/backend's wasm), back on cpu
 * after it. tfjs' IS_TEST kernel-leak check misfires for fused-conv gradients on wasm (the op saves
 * its inputs by clone(), which copies there: new data ids), so it is off inside the block; nothing
 * leaks, and leak tests count tensors themselves.
 */
export function useBackend(init: () => Promise<unknown>): void {
  beforeAll(async () => {
    tf.env().set('IS_TEST', false);
    await init();
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
    tf.env().set('IS_TEST', true);
  });
}
