import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { ShapeError } from '../errors';
import { formatShape } from '../asserts';
import { bilinearResize } from '../ops/bilinear-resize';
import { positiveInt, type LayerArgs, type Shape } from './semantic-norm';

export interface BilinearResizeArgs extends LayerArgs {
  height: number;
  width: number;
}

/**
 * PyTorch `F.interpolate(x, size, mode='bilinear', align_corners=False)` (no antialias), NHWC:
 * source coordinate (j + 0.5)·in/out − 0.5, clamped at the border. That is tfjs'
 * resizeBilinear with alignCorners=false, halfPixelCenters=true, with an exact gradient (see
 * ops/bilinear-resize). An input already at the target size passes through unchanged (the
 * encoder resizes only "if needed"). No weights.
 */
export class BilinearResize extends layers.Layer {
  /** @nocollapse */
  static className = 'BilinearResize';
  readonly height: number;
  readonly width: number;

  constructor(args: BilinearResizeArgs) {
    super(args);
    this.height = positiveInt(args.height, 'height', 'BilinearResize');
    this.width = positiveInt(args.width, 'width', 'BilinearResize');
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = inputShape as Shape;
    if (s.length !== 4) throw new ShapeError(`BilinearResize: input must be [N,H,W,C], got ${formatShape(s)}.`);
    return [s[0]!, this.height, this.width, s[3]!];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      if (x.rank !== 4) throw new ShapeError(`BilinearResize '${this.name}': input must be rank 4 (NHWC), got ${formatShape(x.shape)}.`);
      return bilinearResize(x, this.height, this.width);
    });
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), height: this.height, width: this.width };
  }
}
serialization.registerClass(BilinearResize);
