import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { initializers, layers } from '@tensorflow/tfjs-layers';
import { ConfigError, ShapeError } from '../errors';
import { formatShape } from '../asserts';
import { initSpectralVectors, spectralKernel } from '../ops/spectral-norm';
import { seedFor, xavierNormal } from './init';
import { positive, positiveInt, type LayerArgs, type Shape, type Variable } from './semantic-norm';

export interface SpectralConv2DArgs extends LayerArgs {
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
  /** Apply spectral normalization (weight_orig/σ). Default true. */
  spectral?: boolean;
  /** Gain of the xavier-normal init. Default 0.02 (the official init_variance). */
  initGain?: number;
  /** Seed of the random init (null: unseeded). Default null. */
  initSeed?: number | null;
}

/**
 * Conv2D with PyTorch semantics (symmetric explicit padding) and optional spectral norm, NHWC.
 * Spectral: weights `weight_orig` [kh,kw,I,O], `bias`, buffers `weight_u` [O], `weight_v` [I·kh·kw]
 * (official layouts); training runs one power iteration per call and stores u, v; eval uses the
 * stored u, v. Without spectral norm the kernel is `weight`.
 */
export class SpectralConv2D extends layers.Layer {
  /** @nocollapse */
  static className = 'SpectralConv2D';
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides: number;
  readonly padding: number;
  readonly useBias: boolean;
  readonly spectral: boolean;
  readonly initGain: number;
  readonly initSeed: number | null;
  private kernel: Variable | null = null;
  private bias: Variable | null = null;
  private u: Variable | null = null;
  private v: Variable | null = null;

  constructor(args: SpectralConv2DArgs) {
    super(args);
    this.filters = positiveInt(args.filters, 'filters', 'SpectralConv2D');
    this.kernelSize = positiveInt(args.kernelSize, 'kernelSize', 'SpectralConv2D');
    this.strides = positiveInt(args.strides ?? 1, 'strides', 'SpectralConv2D');
    this.padding = args.padding ?? Math.floor(this.kernelSize / 2);
    if (!Number.isInteger(this.padding) || this.padding < 0)
      throw new ConfigError(`SpectralConv2D: padding must be a non-negative integer, got ${args.padding}.`);
    this.useBias = args.useBias ?? true;
    this.spectral = args.spectral ?? true;
    this.initGain = positive(args.initGain ?? 0.02, 'initGain', 'SpectralConv2D');
    this.initSeed = args.initSeed ?? null;
  }

  override build(inputShape: Shape | Shape[]): void {
    const s = inputShape as Shape;
    if (s.length !== 4 || s[3] == null)
      throw new ShapeError(`SpectralConv2D: input must be [N,H,W,C] with known C, got ${formatShape(s)}.`);
    const cin = s[3];
    const k = this.kernelSize;
    const shape = [k, k, cin, this.filters];
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', initializers.zeros());
    this.kernel = this.addWeight(this.spectral ? 'weight_orig' : 'weight', shape, 'float32', xavierNormal(shape, this.initGain, seedFor(this.initSeed, 'weight')));
    if (this.spectral) {
      this.u = this.addWeight('weight_u', [this.filters], 'float32', initializers.zeros(), undefined, false);
      this.v = this.addWeight('weight_v', [cin * k * k], 'float32', initializers.zeros(), undefined, false);
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

  /** The effective kernel: weight_orig / σ (spectral) or the plain weight. */
  effectiveKernel(training: boolean): tf.Tensor4D {
    const w = this.kernel!.read() as tf.Tensor4D;
    return this.spectral ? spectralKernel(w, this.u!, this.v!, training) : w;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean } = {}): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      if (x.rank !== 4) throw new ShapeError(`SpectralConv2D '${this.name}': input must be rank 4 (NHWC), got ${formatShape(x.shape)}.`);
      const p = this.padding;
      const same = this.strides === 1 && this.kernelSize % 2 === 1 && p === (this.kernelSize - 1) / 2;
      const pad = same ? 'same' : p === 0 ? 'valid' : ([[0, 0], [p, p], [p, p], [0, 0]] as tf.backend_util.ExplicitPadding);
      return tf.fused.conv2d({
        x,
        filter: this.effectiveKernel(kwargs.training === true),
        strides: this.strides,
        pad,
        bias: this.bias ? this.bias.read() : undefined,
      });
    });
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
serialization.registerClass(SpectralConv2D);
