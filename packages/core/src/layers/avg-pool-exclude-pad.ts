import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { ConfigError, ShapeError } from '../errors';
import { formatShape } from '../asserts';
import { avgPoolExcludePad } from '../ops/avg-pool';
import { nhwcInput, type LayerArgs, type Shape } from './semantic-norm';
import { assertPositiveInt } from '../validate';

export interface AvgPoolExcludePadArgs extends LayerArgs {
  /** Square window. Default 3 (the official discriminator's downsampling). */
  poolSize?: number;
  /** Default 2. */
  strides?: number;
  /** Zero padding on each side, left out of every window's divisor. Default 1. */
  padding?: number;
}

/**
 * Average pooling with PyTorch's `count_include_pad=False`, NHWC. No weights. The multiscale
 * discriminator downsamples its input with it between scales (REFERENCE §8.1): 256 → 128.
 */
export class AvgPoolExcludePad extends layers.Layer {
  /** @nocollapse */
  static className = 'AvgPoolExcludePad';
  readonly poolSize: number;
  readonly strides: number;
  readonly padding: number;

  constructor(args: AvgPoolExcludePadArgs = {}) {
    super(args);
    this.poolSize = assertPositiveInt(args.poolSize ?? 3, 'AvgPoolExcludePad', 'poolSize');
    this.strides = assertPositiveInt(args.strides ?? 2, 'AvgPoolExcludePad', 'strides');
    this.padding = args.padding ?? 1;
    if (!Number.isInteger(this.padding) || this.padding < 0 || 2 * this.padding > this.poolSize)
      throw new ConfigError(`AvgPoolExcludePad: padding must be an integer in [0, poolSize/2], got ${args.padding}.`);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = inputShape as Shape;
    if (s.length !== 4) throw new ShapeError(`AvgPoolExcludePad: input must be [N,H,W,C], got ${formatShape(s)}.`);
    const out = (d: number | null) => (d == null ? null : Math.floor((d + 2 * this.padding - this.poolSize) / this.strides) + 1);
    return [s[0]!, out(s[1]!), out(s[2]!), s[3]!];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => avgPoolExcludePad(nhwcInput(inputs, this), this.poolSize, this.strides, this.padding));
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), poolSize: this.poolSize, strides: this.strides, padding: this.padding };
  }
}
serialization.registerClass(AvgPoolExcludePad);
