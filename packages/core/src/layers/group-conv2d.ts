import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { ConfigError } from '../errors';
import { GROUP_CONV_METHODS, groupConv2d, groupSizes, type GroupConvMethod } from '../ops/group-conv';
import { nhwcInput } from './semantic-norm';
import { assertPositiveInt } from '../validate';
import { TorchConv2D, type TorchConv2DArgs } from './torch-conv2d';

export interface GroupConv2DArgs extends TorchConv2DArgs {
  /** Output channels O (divisible by groups). Required. */
  filters: number;
  /** Channel groups g (PyTorch `groups`): input and output channels split into g blocks. Default 1. */
  groups?: number;
  /** Spectral norm (weight_orig / σ over the grouped weight, as torch's spectral_norm). Default false. */
  spectral?: boolean;
  /** How the grouped conv is computed (all equal up to float rounding). Default 'auto'. */
  method?: GroupConvMethod;
  /** Gain of the xavier-normal init (fans of the grouped weight, as PyTorch). Default 0.02. */
  initGain?: number;
}

/**
 * PyTorch `Conv2d(groups=g)` (optionally spectral-normalised), NHWC. Weights keep the official
 * names and layouts: `weight` (or `weight_orig`) [kh,kw,I/g,O] (= torch [O,I/g,kh,kw] transposed),
 * `bias` [O]; spectral buffers `weight_u` [O], `weight_v` [(I/g)·kh·kw].
 */
export class GroupConv2D extends TorchConv2D {
  /** @nocollapse */
  static className = 'GroupConv2D';
  readonly groups: number;
  readonly method: GroupConvMethod;

  constructor(args: GroupConv2DArgs) {
    super(args, 'GroupConv2D', false);
    const who = 'GroupConv2D';
    this.groups = assertPositiveInt(args.groups ?? 1, who, 'groups');
    if (this.filters % this.groups !== 0)
      throw new ConfigError(`${who}: filters must be divisible by groups, got filters ${this.filters} and groups ${this.groups}.`);
    this.method = args.method ?? 'auto';
    if (!GROUP_CONV_METHODS.includes(this.method))
      throw new ConfigError(`${who}: method must be one of ${GROUP_CONV_METHODS.join(', ')}, got '${String(this.method)}'.`);
  }

  protected filterDepth(inChannels: number): number {
    return groupSizes(inChannels, this.filters, this.groups, `GroupConv2D '${this.name}'`)[0];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean } = {}): tf.Tensor {
    return tf.tidy(() =>
      groupConv2d(nhwcInput(inputs, this), this.effectiveKernel(kwargs.training === true), this.groups, {
        strides: this.strides,
        padding: this.padding,
        bias: this.bias ? (this.bias.read() as tf.Tensor1D) : undefined,
        method: this.method,
      }),
    );
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), groups: this.groups, method: this.method };
  }
}
serialization.registerClass(GroupConv2D);
