import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { initializers, layers } from '@tensorflow/tfjs-layers';
import { ConfigError, ShapeError } from '../errors';
import { formatShape } from '../asserts';
import { initSpectralVectors, spectralKernel } from '../ops/spectral-norm';
import { seedFor, xavierNormal } from './init';
import { positive, type LayerArgs, type Shape, type Variable } from './semantic-norm';
import { assertPositiveInt } from '../validate';

/** Args every PyTorch-style conv layer takes (SpectralConv2D, GroupConv2D). */
export interface TorchConv2DArgs extends LayerArgs {
  /** Output channels. Required. */
  filters: number;
  /** Square kernel size. Required. */
  kernelSize: number;
  /** Default 1. */
  strides?: number;
  /** Symmetric zero padding on each side, PyTorch style. Default kernelSize // 2. */
  padding?: number;
  /** Default true. */
  useBias?: boolean;
  /** Spectral norm (weight_orig / σ, as torch's spectral_norm). */
  spectral?: boolean;
  /** Gain of the xavier-normal init. Default 0.02 (the official init_variance). */
  initGain?: number;
  /** Seed of the random init (null: unseeded). Default null. */
  initSeed?: number | null;
}

/**
 * What SpectralConv2D and GroupConv2D share: the args, the official weight names and layouts
 * (`weight` or `weight_orig` [kh,kw,I',O], `bias` [O]; spectral buffers `weight_u` [O],
 * `weight_v` [I'·kh·kw], I' the input channels one filter sees), the output shape and the
 * effective kernel. Subclasses say how many input channels a filter sees and run the conv.
 */
export abstract class TorchConv2D extends layers.Layer {
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides: number;
  readonly padding: number;
  readonly useBias: boolean;
  readonly spectral: boolean;
  readonly initGain: number;
  readonly initSeed: number | null;
  protected bias: Variable | null = null;
  private kernel: Variable | null = null;
  private u: Variable | null = null;
  private v: Variable | null = null;

  protected constructor(args: TorchConv2DArgs, who: string, spectralByDefault: boolean) {
    super(args);
    this.filters = assertPositiveInt(args.filters, who, 'filters');
    this.kernelSize = assertPositiveInt(args.kernelSize, who, 'kernelSize');
    this.strides = assertPositiveInt(args.strides ?? 1, who, 'strides');
    this.padding = args.padding ?? Math.floor(this.kernelSize / 2);
    if (!Number.isInteger(this.padding) || this.padding < 0)
      throw new ConfigError(`${who}: padding must be a non-negative integer, got ${args.padding}.`);
    this.useBias = args.useBias ?? true;
    this.spectral = args.spectral ?? spectralByDefault;
    this.initGain = positive(args.initGain ?? 0.02, 'initGain', who);
    this.initSeed = args.initSeed ?? null;
  }

  /** Input channels one filter sees, from the input's channels (checked). */
  protected abstract filterDepth(inChannels: number): number;

  override build(inputShape: Shape | Shape[]): void {
    const s = inputShape as Shape;
    if (s.length !== 4 || s[3] == null)
      throw new ShapeError(`${this.getClassName()} '${this.name}': input must be [N,H,W,C] with known C, got ${formatShape(s)}.`);
    const depth = this.filterDepth(s[3]);
    const k = this.kernelSize;
    const shape = [k, k, depth, this.filters];
    // Key order of torch's spectral_norm state dict: bias, weight_orig, weight_u, weight_v.
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', initializers.zeros());
    this.kernel = this.addWeight(
      this.spectral ? 'weight_orig' : 'weight',
      shape,
      'float32',
      xavierNormal(shape, this.initGain, seedFor(this.initSeed, 'weight')),
    );
    if (this.spectral) {
      this.u = this.addWeight('weight_u', [this.filters], 'float32', initializers.zeros(), undefined, false);
      this.v = this.addWeight('weight_v', [depth * k * k], 'float32', initializers.zeros(), undefined, false);
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

  /** The effective kernel [kh,kw,I',O]: weight_orig / σ (spectral) or the plain weight. */
  effectiveKernel(training: boolean): tf.Tensor4D {
    const w = this.kernel!.read() as tf.Tensor4D;
    return this.spectral ? spectralKernel(w, this.u!, this.v!, training) : w;
  }

  override getConfig(): serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      strides: this.strides,
      padding: this.padding,
      useBias: this.useBias,
      spectral: this.spectral,
      initGain: this.initGain,
      initSeed: this.initSeed,
    };
  }
}
