import * as tf from '@tensorflow/tfjs-core';
import { initializers } from '@tensorflow/tfjs-layers';

// Locals, not globals, in the hot loop: global lookups are very slow inside vm realms (jest),
// which made tfjs' randomNormal the bulk of building a SEAN generator there (15 ACEs hold
// K·512² projection weights each).
const { sqrt, log, cos, sin, imul, floor, random, PI } = Math;
const F32 = Float32Array;

/** n draws of N(0, std²): mulberry32 + Box–Muller, reproducible for a given seed. */
export function gaussian(n: number, std: number, seed: number): Float32Array {
  let s = seed | 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = imul(s ^ (s >>> 15), 1 | s);
    t = (t + imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new F32(n);
  for (let i = 0; i < n; i += 2) {
    const r = std * sqrt(-2 * log(1 - uniform()));
    const a = 2 * PI * uniform();
    out[i] = r * cos(a);
    if (i + 1 < n) out[i + 1] = r * sin(a);
  }
  return out;
}

/**
 * PyTorch xavier_normal_(gain) for a tfjs kernel [kh,kw,in,out] (or [in,out] of a Linear):
 * N(0, gain²·2/(fanIn + fanOut)), fan = channels·kh·kw — the official init_weights('xavier',
 * 0.02) of every Conv and Linear. Same distribution as @clade/core's xavierNormal, faster.
 */
export function fastXavierNormal(kernelShape: number[], gain: number, seed?: number) {
  const [kh, kw, cin, cout] = kernelShape.length === 2 ? [1, 1, kernelShape[0]!, kernelShape[1]!] : kernelShape;
  const std = gain * sqrt(2 / (cin! * kh! * kw! + cout! * kh! * kw!));
  // A stock initializer whose apply() we replace: addWeight only calls apply(shape, dtype).
  const init = initializers.zeros();
  init.apply = (shape: number[]) => {
    const n = shape.reduce((a, d) => a * d, 1);
    return tf.tensor(gaussian(n, std, seed ?? floor(random() * 2 ** 32)), shape, 'float32');
  };
  return init;
}
