import type * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { bilinearResize } from '../ops/bilinear-resize';
import { FixedSizeResize, type FixedSizeResizeArgs } from './fixed-size-resize';

export type BilinearResizeArgs = FixedSizeResizeArgs;

/**
 * PyTorch `F.interpolate(x, size, mode='bilinear', align_corners=False)` (no antialias), NHWC:
 * source coordinate (j + 0.5)·in/out − 0.5, clamped at the border. That is tfjs'
 * resizeBilinear with alignCorners=false, halfPixelCenters=true, with an exact gradient (see
 * ops/bilinear-resize). An input already at the target size passes through unchanged (the
 * encoder resizes only "if needed"). No weights.
 */
export class BilinearResize extends FixedSizeResize {
  /** @nocollapse */
  static className = 'BilinearResize';

  protected resize(x: tf.Tensor4D): tf.Tensor4D {
    return bilinearResize(x, this.height, this.width);
  }
}
serialization.registerClass(BilinearResize);
