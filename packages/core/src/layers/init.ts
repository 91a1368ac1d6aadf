import { initializers } from '@tensorflow/tfjs-layers';

/**
 * PyTorch xavier_normal_(gain) for a tfjs kernel [kh,kw,in,out]: N(0, gain²·2/(fanIn+fanOut)),
 * fan = channels·kh·kw. The official generators initialise every conv this way with gain 0.02.
 */
export function xavierNormal(kernelShape: number[], gain: number) {
  const [kh = 1, kw = 1, cin = 1, cout = 1] = kernelShape;
  const stddev = gain * Math.sqrt(2 / (cin * kh * kw + cout * kh * kw));
  return initializers.randomNormal({ mean: 0, stddev });
}
