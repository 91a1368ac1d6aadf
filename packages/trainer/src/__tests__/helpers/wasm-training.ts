import * as tf from '@tensorflow/tfjs-core';

/**
 * Runs the enclosing block on wasm with our training kernels ('native': and the convolutions on
 * @clade/ort-native's onnxruntime kernels, 2 threads), back on cpu after it. IS_TEST makes
 * tfjs count backend data ids around every op, and customGrad ops (fused conv under a gradient
 * tape) trip it on wasm although nothing leaks: it is off inside the block (leak tests count
 * tensors themselves).
 */
export function useWasmTraining(backend: 'wasm' | 'native' = 'wasm'): void {
  beforeAll(async () => {
    const { initBackend } = await import('@clade/backend');
    await initBackend({ backend, threads: backend === 'native' ? 2 : 1 });
    tf.env().set('IS_TEST', false);
  });
  afterAll(async () => {
    tf.env().set('IS_TEST', true);
    await tf.setBackend('cpu');
  });
}
