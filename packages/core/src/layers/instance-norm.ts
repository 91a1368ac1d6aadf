import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { ShapeError } from '../errors';
import { formatShape } from '../asserts';
import { instanceNorm } from '../ops/param-free-norm';
import { nhwcInput, positive, type LayerArgs, type Shape } from './semantic-norm';

export interface InstanceNormArgs extends LayerArgs {
  /** Default 1e-5, as in PyTorch. */
  epsilon?: number;
}

/**
 * PyTorch `InstanceNorm2d(affine=False, track_running_stats=False)`, NHWC: per sample and
 * channel over H×W, biased variance, the same in training and eval. No weights (so no keys in
 * a state dict). The 'spectralinstance' norm of the discriminator and encoder.
 */
export class InstanceNorm extends layers.Layer {
  /** @nocollapse */
  static className = 'InstanceNorm';
  readonly epsilon: number;

  constructor(args: InstanceNormArgs = {}) {
    super(args);
    this.epsilon = positive(args.epsilon ?? 1e-5, 'epsilon', 'InstanceNorm');
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = inputShape as Shape;
    if (s.length !== 4) throw new ShapeError(`InstanceNorm: input must be [N,H,W,C], got ${formatShape(s)}.`);
    return s;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => instanceNorm(nhwcInput(inputs, this), this.epsilon));
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), epsilon: this.epsilon };
  }
}
serialization.registerClass(InstanceNorm);
