import * as tf from '@tensorflow/tfjs-core';
import { quantizeImage } from '../../index';

/** Byte-for-byte equality of two images. */
export const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

/** A generator's output quantised as the synthesizers do, and released. */
export async function quantizedOutput(y: tf.Tensor): Promise<Uint8Array> {
  const rgb = quantizeImage((await y.data()) as Float32Array);
  y.dispose();
  return rgb;
}

/** The file's tests on the wasm backend (back to cpu after). */
export function useWasmBackend(): void {
  // The CPU backend needs minutes for these forwards on a loaded machine; wasm takes seconds.
  beforeAll(async () => {
    const { initBackend } = await import('@clade/backend');
    await initBackend({ backend: 'wasm', threads: 1 });
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });
}

