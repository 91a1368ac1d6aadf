import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { ShapeError } from '../errors';
import { formatShape } from '../asserts';
import { nhwcInput, type LayerArgs, type Shape } from './semantic-norm';
import { assertPositiveInt } from '../validate';

export interface FixedSizeResizeArgs extends LayerArgs {
  height: number;
  width: number;
}

/** What NearestResize and BilinearResize share: NHWC maps to a fixed height × width. No weights. */
export abstract class FixedSizeResize extends layers.Layer {
  readonly height: number;
  readonly width: number;

  constructor(args: FixedSizeResizeArgs) {
    super(args);
    this.height = assertPositiveInt(args.height, this.getClassName(), 'height');
    this.width = assertPositiveInt(args.width, this.getClassName(), 'width');
  }

  /** x [N,H,W,C] at height × width, a new tensor (never x itself: a layer's output is its own). */
  protected abstract resize(x: tf.Tensor4D): tf.Tensor4D;

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = inputShape as Shape;
    if (s.length !== 4) throw new ShapeError(`${this.getClassName()}: input must be [N,H,W,C], got ${formatShape(s)}.`);
    return [s[0]!, this.height, this.width, s[3]!];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => this.resize(nhwcInput(inputs, this)));
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), height: this.height, width: this.width };
  }
}
