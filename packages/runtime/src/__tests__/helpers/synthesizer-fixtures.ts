import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { GroupConv2D, SpectralConv2D } from '@clade/core';
import { powerIteration } from '@clade/core/internal';
import { quantizeImage, type ImageSynthesizer } from '../../index';

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


/** max |a − b| (NaN if any value is NaN, so a broken graph cannot pass). */
export function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`maxAbs: sizes differ, ${a.length} vs ${b.length}.`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= m)) m = d;
  }
  return m;
}

/**
 * Two engines of one synthesizer family on the same request (its prepared inputs `a`, `b` already
 * checked equal): raw outputs within `tol`, the 8-bit images within one step of rounding.
 */
export async function expectEnginesAgree<R, P>(
  what: string,
  engines: { tfjs: ImageSynthesizer<R, P>; ort: ImageSynthesizer<R, P> },
  prepared: { a: P; b: P },
  request: R,
  tol: number,
): Promise<void> {
  const rawA = await engines.tfjs.run(prepared.a);
  const rawB = await engines.ort.run(prepared.b);
  expect([rawB.width, rawB.height]).toEqual([rawA.width, rawA.height]);
  const dRaw = maxAbs(rawB.values, rawA.values);
  const dByte = maxAbs((await engines.ort.synthesize(request)).rgb, engines.tfjs.toImage(rawA).rgb);
  // eslint-disable-next-line no-console
  console.log(`${what}: max |Δ| raw ${dRaw.toExponential(2)}, bytes ${dByte}`);
  expect(dRaw).toBeLessThanOrEqual(tol);
  expect(dByte).toBeLessThanOrEqual(1);
}

/**
 * Converges the stored u, v of every spectral conv among `layers`, so σ is the kernel's spectral
 * norm: the random initial u, v give a tiny σ and exploding activations (a saturated tanh would hide
 * export errors).
 */
export function convergeSpectral(layers: readonly tfl.layers.Layer[]): void {
  for (const l of layers) {
    if (!((l instanceof GroupConv2D || l instanceof SpectralConv2D) && l.spectral)) continue;
    const get = (n: string) => l.weights.find((w) => w.originalName.endsWith(`/${n}`))!;
    const [u, v] = tf.tidy(() => {
      const kernel = get('weight_orig').read() as tf.Tensor4D;
      let it = { u: get('weight_u').read() as tf.Tensor1D, v: get('weight_v').read() as tf.Tensor1D };
      for (let i = 0; i < 8; i++) it = powerIteration(kernel, it.u);
      return [it.u, it.v];
    });
    get('weight_u').write(u!);
    get('weight_v').write(v!);
    tf.dispose([u!, v!]);
  }
}
