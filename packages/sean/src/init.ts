import * as tf from '@tensorflow/tfjs-core';
import { initializers } from '@tensorflow/tfjs-layers';
import { seededNormal } from '@clade/core';

const { sqrt, floor, random } = Math;

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
    return tf.tensor(seededNormal(n, seed ?? floor(random() * 2 ** 32), std), shape, 'float32');
  };
  return init;
}
