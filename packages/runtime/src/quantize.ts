import type { RawImage, SynthesizedImage } from './synthesis/request';

/**
 * The one quantiser of every image the project writes or scores: official `tensor2im`, that is
 * trunc(clip((x + 1) / 2 · 255)), in float32 arithmetic as numpy does it on a float32 output.
 * Rounding instead (as trainer evaluation once did) shifts half the pixels by one level, so
 * scores during training would measure other images than the ones users get. NaN becomes 0.
 */
export function quantizeImage(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length);
  const f = Math.fround;
  for (let i = 0; i < values.length; i++) {
    const v = f(f(f(values[i]! + 1) / 2) * 255);
    out[i] = v >= 255 ? 255 : v > 0 ? Math.trunc(v) : 0;
  }
  return out;
}

/** A generator's raw output with its 8-bit image: what every synthesizer's `toImage` returns. */
export function quantizeOutput(out: RawImage): SynthesizedImage {
  return { ...out, rgb: quantizeImage(out.values) };
}
