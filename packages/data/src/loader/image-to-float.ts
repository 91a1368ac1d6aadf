import type { RgbImage } from '../planes';

/** float32 of `ToTensor` then `Normalize(0.5, 0.5)`: ((v/255) − 0.5) / 0.5, each step rounded to float32. */
const LUT = (() => {
  const f = new Float32Array(256);
  for (let v = 0; v < 256; v++) f[v] = Math.fround(Math.fround(Math.fround(v / 255) - 0.5) / 0.5);
  return f;
})();

/** An 8-bit RGB image → float32 [H,W,3] in [−1, 1], bit-identical to torchvision's float32 result. */
export function imageToFloat(image: RgbImage): Float32Array {
  const out = new Float32Array(image.data.length);
  for (let i = 0; i < out.length; i++) out[i] = LUT[image.data[i]!]!;
  return out;
}
