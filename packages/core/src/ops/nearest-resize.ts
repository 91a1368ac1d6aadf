import * as tf from '@tensorflow/tfjs-core';

/**
 * PyTorch `F.interpolate(mode='nearest')`, NHWC: output index j reads input floor(j·in/out).
 * tfjs' resizeNearestNeighbor with alignCorners=false, halfPixelCenters=false uses the same
 * rule. (PIL's NEAREST, used by the data loaders, differs: see @clade/data.)
 */
export function nearestResize<T extends tf.Tensor4D>(x: T, height: number, width: number): T {
  if (x.shape[1] === height && x.shape[2] === width) return x;
  return tf.image.resizeNearestNeighbor(x, [height, width], false, false) as T;
}
