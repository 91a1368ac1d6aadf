import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { nearestResize } from '../ops/nearest-resize';
import { positiveInt, type LayerArgs, type Shape } from './semantic-norm';

export interface NearestResizeArgs extends LayerArgs {
  height: number;
  width: number;
}

/** Resizes NHWC maps to a fixed size with PyTorch's nearest (floor) rule. No weights. */
export class NearestResize extends layers.Layer {
  /** @nocollapse */
  static className = 'NearestResize';
  readonly height: number;
  readonly width: number;

  constructor(args: NearestResizeArgs) {
    super(args);
    this.height = positiveInt(args.height, 'height', 'NearestResize');
    this.width = positiveInt(args.width, 'width', 'NearestResize');
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = inputShape as Shape;
    return [s[0]!, this.height, this.width, s[3]!];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      return tf.clone(nearestResize(x, this.height, this.width));
    });
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), height: this.height, width: this.width };
  }
}
serialization.registerClass(NearestResize);
