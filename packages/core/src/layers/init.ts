import { initializers } from '@tensorflow/tfjs-layers';

/**
 * A deterministic per-weight seed from a layer's initSeed and the weight's name (FNV-1a mix), or
 * undefined (unseeded) when the layer has no initSeed. Models derive each layer's initSeed from one
 * run seed, so the same seed always builds the same weights.
 */
export function seedFor(initSeed: number | null | undefined, key: string): number | undefined {
  if (initSeed == null) return undefined;
  let h = (0x811c9dc5 ^ initSeed) >>> 0;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * PyTorch xavier_normal_(gain) for a tfjs kernel [kh,kw,in,out]: N(0, gain²·2/(fanIn+fanOut)),
 * fan = channels·kh·kw. The official generators initialise every conv this way with gain 0.02.
 */
export function xavierNormal(kernelShape: number[], gain: number, seed?: number) {
  const [kh = 1, kw = 1, cin = 1, cout = 1] = kernelShape;
  const stddev = gain * Math.sqrt(2 / (cin * kh * kw + cout * kh * kw));
  return initializers.randomNormal({ mean: 0, stddev, seed });
}
