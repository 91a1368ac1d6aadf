import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { nearestResize } from '../ops/nearest-resize';
import { FixedSizeResize, type FixedSizeResizeArgs } from './fixed-size-resize';

export type NearestResizeArgs = FixedSizeResizeArgs;

/** Resizes NHWC maps to a fixed size with PyTorch's nearest (floor) rule. No weights. */
export class NearestResize extends FixedSizeResize {
  /** @nocollapse */
  static className = 'NearestResize';

  protected resize(x: tf.Tensor4D): tf.Tensor4D {
    return tf.clone(nearestResize(x, this.height, this.width));
  }
}
serialization.registerClass(NearestResize);
