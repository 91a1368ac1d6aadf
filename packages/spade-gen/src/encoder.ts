import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  BilinearResize,
  ConfigError,
  InstanceNorm,
  ShapeError,
  SpectralConv2D,
  convCost,
  formatShape,
  seedFor,
} from '@clade/core';
import { assertPositiveInt } from '@clade/core/internal';
import { OfficialNetwork } from './network';

type Sym = tfl.SymbolicTensor;

/** The size every image is resized to before encoding (official, independent of cropSize). */
export const ENCODER_INPUT_SIZE = 256;

/** The official VAE `ConvEncoder` (REFERENCE §9). Defaults are the official ones. */
export interface EncoderConfig {
  /** Base width (the official encoder uses `--ngf` as its ndf). Default 64. */
  ngf: number;
  /** `--crop_size`: layer6 exists when ≥ 256. Default 256. */
  cropSize: number;
  /**
   * Width of mu / logvar. Default 256 (the official encoder hard-codes 256 whatever `--z_dim`
   * says; the generator's zDim must match).
   */
  zDim: number;
  /** Spectral norm on every conv (`norm_E` 'spectralinstance' vs 'instance'). Default true. */
  spectral: boolean;
  /** Xavier-normal init gain of conv and linear weights (`--init_variance`). Default 0.02. */
  initGain: number;
  /** Seed of the random init: the same seed builds the same weights. Default null (unseeded). */
  initSeed: number | null;
}

export const ENCODER_DEFAULTS: EncoderConfig = { ngf: 64, cropSize: 256, zDim: 256, spectral: true, initGain: 0.02, initSeed: null };

/** Validates a partial config and fills in the official defaults. */
export function resolveEncoderConfig(partial: Partial<EncoderConfig> = {}): EncoderConfig {
  const c: EncoderConfig = { ...ENCODER_DEFAULTS, ...partial };
  for (const k of ['ngf', 'cropSize', 'zDim'] as const) assertPositiveInt(c[k], 'ConvEncoder', k);
  if (typeof c.spectral !== 'boolean') throw new ConfigError(`ConvEncoder: spectral must be a boolean, got ${String(c.spectral)}.`);
  if (!(c.initGain > 0)) throw new ConfigError(`ConvEncoder: initGain must be > 0, got ${c.initGain}.`);
  return c;
}

/** Layer widths [3, ngf, 2ngf, 4ngf, 8ngf, 8ngf (, 8ngf)]: layer k maps widths[k−1] → widths[k]. */
export function encoderWidths(c: EncoderConfig): number[] {
  const nf = c.ngf;
  return [3, nf, 2 * nf, 4 * nf, 8 * nf, 8 * nf, ...(c.cropSize >= 256 ? [8 * nf] : [])];
}

/**
 * Spatial size s of the last feature map (flattened to 8ngf·s·s before fc_mu / fc_var): 4 with
 * layer6 (the official case). Below crop 256 the official code has no layer6 but still sizes its
 * Linear for 4×4, so it fails at fc_mu; we size the Linear for the real 8×8 map instead.
 */
export function encoderFinalSize(c: EncoderConfig): number {
  return ENCODER_INPUT_SIZE / 2 ** (encoderWidths(c).length - 1);
}

/** Exact parameter count (u, v buffers excluded) and MACs of one 256² encoding. */
export function encoderCost(config: Partial<EncoderConfig> = {}): { params: number; macs: number } {
  const c = resolveEncoderConfig(config);
  const widths = encoderWidths(c);
  let params = 0;
  let macs = 0;
  let size = ENCODER_INPUT_SIZE;
  for (let k = 1; k < widths.length; k++) {
    size /= 2;
    const cost = convCost({ cin: widths[k - 1]!, cout: widths[k]!, kernelSize: 3, height: size, width: size, bias: false });
    params += cost.params;
    macs += cost.macs;
  }
  const flat = widths[widths.length - 1]! * size * size;
  params += 2 * (flat * c.zDim + c.zDim);
  macs += 2 * (flat * c.zDim + c.zDim);
  return { params, macs };
}

function buildModel(c: EncoderConfig): tfl.LayersModel {
  const widths = encoderWidths(c);
  const image = tfl.input({ shape: [null, null, 3], name: 'image' }) as Sym;
  // Any input size is resized (squashed) to 256×256 first; 256×256 passes through.
  let x = new BilinearResize({ height: ENCODER_INPUT_SIZE, width: ENCODER_INPUT_SIZE, name: 'resize' }).apply(image) as Sym;
  const actvn = (name: string, t: Sym) => tfl.layers.leakyReLU({ alpha: 0.2, name }).apply(t) as Sym;
  for (let k = 1; k < widths.length; k++) {
    // layer1, then LReLU → layer_k: the activation precedes every later layer.
    if (k > 1) x = actvn(`actvn_${k}`, x);
    x = new SpectralConv2D({
      name: `layer${k}.0`,
      filters: widths[k]!,
      kernelSize: 3,
      strides: 2,
      padding: 1, // explicit: 'same' would pad (0,1) on even inputs
      useBias: false,
      spectral: c.spectral,
      initGain: c.initGain,
      initSeed: seedFor(c.initSeed, `layer${k}.0`) ?? null,
    }).apply(x) as Sym;
    x = new InstanceNorm({ name: `layer${k}.1` }).apply(x) as Sym;
  }
  x = actvn('actvn', x);
  // PyTorch flattens NCHW: transpose NHWC → NCHW first, so fc weights load unpermuted.
  x = tfl.layers.permute({ dims: [3, 1, 2], name: 'nchw' }).apply(x) as Sym;
  x = tfl.layers.flatten({ name: 'flatten' }).apply(x) as Sym;
  const fanIn = widths[widths.length - 1]! * encoderFinalSize(c) ** 2;
  const linear = (name: string) =>
    tfl.layers
      .dense({
        units: c.zDim,
        name,
        kernelInitializer: tfl.initializers.randomNormal({ mean: 0, stddev: c.initGain * Math.sqrt(2 / (fanIn + c.zDim)), seed: seedFor(c.initSeed, name) }),
        biasInitializer: 'zeros',
      })
      .apply(x) as Sym;
  return tfl.model({ inputs: image, outputs: [linear('fc_mu'), linear('fc_var')], name: 'netE' });
}

/**
 * z = mu + eps·exp(0.5·logvar), eps ~ N(0, I) unless given (REFERENCE §9). Differentiable in
 * mu and logvar.
 */
export function reparameterize(mu: tf.Tensor2D, logvar: tf.Tensor2D, eps?: tf.Tensor2D): tf.Tensor2D {
  if (mu.rank !== 2 || logvar.rank !== 2 || mu.shape[0] !== logvar.shape[0] || mu.shape[1] !== logvar.shape[1])
    throw new ShapeError(`reparameterize: mu and logvar must be [N,zDim] of the same shape, got ${formatShape(mu.shape)} and ${formatShape(logvar.shape)}.`);
  if (eps && (eps.rank !== 2 || eps.shape[0] !== mu.shape[0] || eps.shape[1] !== mu.shape[1]))
    throw new ShapeError(`reparameterize: eps must be ${formatShape(mu.shape)}, got ${formatShape(eps.shape)}.`);
  return tf.tidy(() => {
    const e = eps ?? tf.randomNormal(mu.shape);
    return tf.add(mu, tf.mul(e, tf.exp(tf.mul(logvar, 0.5)))) as tf.Tensor2D;
  });
}

/** mu and logvar [N, zDim]. */
export interface EncoderOutput {
  mu: tf.Tensor2D;
  logvar: tf.Tensor2D;
}

/**
 * The official VAE ConvEncoder as a tfjs LayersModel, NHWC. Layer names are the official module
 * paths and weight names the state-dict keys ('layer1.0/weight_orig', 'fc_mu/kernel' ↔
 * 'fc_mu.weight'), so `loadTorchStateDict` reads `*_net_E.pth`.
 */
export class ConvEncoder extends OfficialNetwork {
  readonly config: EncoderConfig;
  readonly model: tfl.LayersModel;

  constructor(config: Partial<EncoderConfig> = {}) {
    super();
    this.config = resolveEncoderConfig(config);
    this.model = buildModel(this.config);
  }

  /**
   * mu and logvar of an image batch [N,H,W,3] in [−1, 1], any H, W (resized to 256×256).
   * `training` runs one spectral-norm power iteration per conv and stores u, v.
   */
  apply(image: tf.Tensor4D, training = false): EncoderOutput {
    if (image.rank !== 4 || image.shape[3] !== 3)
      throw new ShapeError(`ConvEncoder: image must be [N,H,W,3] (RGB in [-1,1]), got ${formatShape(image.shape)}.`);
    const [mu, logvar] = this.model.apply(image, { training }) as [tf.Tensor2D, tf.Tensor2D];
    return { mu, logvar };
  }

  /** The official encode step: mu, logvar and z = reparameterize(mu, logvar, eps). */
  encode(image: tf.Tensor4D, training = false, eps?: tf.Tensor2D): EncoderOutput & { z: tf.Tensor2D } {
    const { mu, logvar } = this.apply(image, training);
    return { mu, logvar, z: reparameterize(mu, logvar, eps) };
  }
}
