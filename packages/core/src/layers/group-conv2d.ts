import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { initializers, layers } from '@tensorflow/tfjs-layers';
import { ConfigError, ShapeError } from '../errors';
import { formatShape } from '../asserts';
import { GROUP_CONV_METHODS, groupConv2d, groupSizes, type GroupConvMethod } from '../ops/group-conv';
import { initSpectralVectors, spectralKernel } from '../ops/spectral-norm';
import { seedFor, xavierNormal } from './init';
import { positive, positiveInt, type LayerArgs, type Shape, type Variable } from './semantic-norm';

export interface GroupConv2DArgs extends LayerArgs {
  /** Output channels O (divisible by groups). Required. */
  filters: number;
  /** Square kernel size. Required. */
  kernelSize: number;
  /** Channel groups g (PyTorch `groups`): input and output channels split into g blocks. Default 1. */
  groups?: number;
  /** Default 1. */
  strides?: number;
  /** Symmetric zero padding on each side, PyTorch style. Default kernelSize // 2. */
  padding?: number;
  /** Default true. */
  useBias?: boolean;
  /** Spectral norm (weight_orig / σ over the grouped weight, as torch's spectral_norm). Default false. */
  spectral?: boolean;
  /** How the grouped conv is computed (all equal up to float rounding). Default 'auto'. */
  method?: GroupConvMethod;
  /** Gain of the xavier-normal init (fans of the grouped weight, as PyTorch). Default 0.02. */
  initGain?: number;
  /** Seed of the random init (null: unseeded). Default null. */
  initSeed?: number | null;
}

/**
 * PyTorch `Conv2d(groups=g)` (optionally spectral-normalised), NHWC. Weights keep the official
 * names and layouts: `weight` (or `weight_orig`) [kh,kw,I/g,O] (= torch [O,I/g,kh,kw] transposed),
 * `bias` [O]; spectral buffers `weight_u` [O], `weight_v` [(I/g)·kh·kw].
 */
export class GroupConv2D extends layers.Layer {
  /** @nocollapse */
  static className = 'GroupConv2D';
  readonly filters: number;
  readonly kernelSize: number;
  readonly groups: number;
  readonly strides: number;
  readonly padding: number;
  readonly useBias: boolean;
  readonly spectral: boolean;
  readonly method: GroupConvMethod;
  readonly initGain: number;
  readonly initSeed: number | null;
  private kernel: Variable | null = null;
  private bias: Variable | null = null;
  private u: Variable | null = null;
  private v: Variable | null = null;

  constructor(args: GroupConv2DArgs) {
    super(args);
    const who = 'GroupConv2D';
    this.filters = positiveInt(args.filters, 'filters', who);
    this.kernelSize = positiveInt(args.kernelSize, 'kernelSize', who);
    this.groups = positiveInt(args.groups ?? 1, 'groups', who);
    if (this.filters % this.groups !== 0)
      throw new ConfigError(`${who}: filters must be divisible by groups, got filters ${this.filters} and groups ${this.groups}.`);
    this.strides = positiveInt(args.strides ?? 1, 'strides', who);
    this.padding = args.padding ?? Math.floor(this.kernelSize / 2);
    if (!Number.isInteger(this.padding) || this.padding < 0)
      throw new ConfigError(`${who}: padding must be a non-negative integer, got ${args.padding}.`);
    this.useBias = args.useBias ?? true;
    this.spectral = args.spectral ?? false;
    this.method = args.method ?? 'auto';
    if (!GROUP_CONV_METHODS.includes(this.method))
      throw new ConfigError(`${who}: method must be one of ${GROUP_CONV_METHODS.join(', ')}, got '${String(this.method)}'.`);
    this.initGain = positive(args.initGain ?? 0.02, 'initGain', who);
    this.initSeed = args.initSeed ?? null;
  }

  override build(inputShape: Shape | Shape[]): void {
    const s = inputShape as Shape;
    if (s.length !== 4 || s[3] == null)
      throw new ShapeError(`GroupConv2D '${this.name}': input must be [N,H,W,C] with known C, got ${formatShape(s)}.`);
    const [ig] = groupSizes(s[3], this.filters, this.groups, `GroupConv2D '${this.name}'`);
    const k = this.kernelSize;
    const shape = [k, k, ig, this.filters];
    // Key order of torch's spectral_norm state dict: bias, weight_orig, weight_u, weight_v.
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', initializers.zeros());
    this.kernel = this.addWeight(this.spectral ? 'weight_orig' : 'weight', shape, 'float32', xavierNormal(shape, this.initGain, seedFor(this.initSeed, 'weight')));
    if (this.spectral) {
      this.u = this.addWeight('weight_u', [this.filters], 'float32', initializers.zeros(), undefined, false);
      this.v = this.addWeight('weight_v', [ig * k * k], 'float32', initializers.zeros(), undefined, false);
      const seed = (key: string) => seedFor(this.initSeed, key) ?? Math.floor(Math.random() * 2 ** 31);
      initSpectralVectors(this.u, this.v, { u: seed('weight_u'), v: seed('weight_v') });
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = inputShape as Shape;
    const out = (d: number | null) => (d == null ? null : Math.floor((d + 2 * this.padding - this.kernelSize) / this.strides) + 1);
    return [s[0]!, out(s[1]!), out(s[2]!), this.filters];
  }

  /** The effective grouped kernel [kh,kw,I/g,O]: weight_orig / σ (spectral) or the plain weight. */
  effectiveKernel(training: boolean): tf.Tensor4D {
    const w = this.kernel!.read() as tf.Tensor4D;
    return this.spectral ? spectralKernel(w, this.u!, this.v!, training) : w;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean } = {}): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      if (x.rank !== 4) throw new ShapeError(`GroupConv2D '${this.name}': input must be rank 4 (NHWC), got ${formatShape(x.shape)}.`);
      return groupConv2d(x, this.effectiveKernel(kwargs.training === true), this.groups, {
        strides: this.strides,
        padding: this.padding,
        bias: this.bias ? (this.bias.read() as tf.Tensor1D) : undefined,
        method: this.method,
      });
    });
  }

  override getConfig(): serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      groups: this.groups,
      strides: this.strides,
      padding: this.padding,
      useBias: this.useBias,
      spectral: this.spectral,
      method: this.method,
      initGain: this.initGain,
      initSeed: this.initSeed,
    };
  }
}
serialization.registerClass(GroupConv2D);
