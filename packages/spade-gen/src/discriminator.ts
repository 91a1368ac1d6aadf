import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  AvgPoolExcludePad,
  ConfigError,
  InstanceNorm,
  ShapeError,
  SpectralConv2D,
  convCost,
  formatShape,
  seedFor,
} from '@clade/core';
import { assertPositiveInt } from '@clade/core/internal';
import { semanticNcOf } from './config';
import { OfficialNetwork } from './network';

type Sym = tfl.SymbolicTensor;

/**
 * The official `MultiscaleDiscriminator` with `n_layer` sub-discriminators (REFERENCE §8).
 * Defaults are the official ones (`--num_D 2 --n_layers_D 4 --ndf 64 --norm_D spectralinstance`).
 */
export interface DiscriminatorConfig {
  /** Dataset classes (ADE20K 150, COCO-Stuff 182, Cityscapes 35). Required. */
  labelNc: number;
  /** One extra "dontcare" class channel in the segmap. Default false. */
  containDontcare: boolean;
  /** Instance-edge channel last in the segmap. Default false. */
  useInstance: boolean;
  /** Channels of the image (RGB). Default 3. */
  outputNc: number;
  /** Scales (`--num_D`). Default 2. */
  numD: number;
  /** Conv layers before the output conv of each scale (`--n_layers_D`). Default 4. */
  nLayers: number;
  /** Width of the first conv (`--ndf`); doubles per layer up to 512. Default 64. */
  ndf: number;
  /** Spectral norm on model1..model{n−1} (`norm_D` 'spectralinstance' vs 'instance'). Default true. */
  spectral: boolean;
  /** Return every layer's output (feature matching, the official default) or only the last. Default true. */
  intermediateFeatures: boolean;
  /** Xavier-normal init gain of conv weights (`--init_variance`). Default 0.02. */
  initGain: number;
  /** Seed of the random init: the same seed builds the same weights. Default null (unseeded). */
  initSeed: number | null;
}

export const DISCRIMINATOR_DEFAULTS: Omit<DiscriminatorConfig, 'labelNc'> = {
  containDontcare: false,
  useInstance: false,
  outputNc: 3,
  numD: 2,
  nLayers: 4,
  ndf: 64,
  spectral: true,
  intermediateFeatures: true,
  initGain: 0.02,
  initSeed: null,
};

const positiveIntFields = ['labelNc', 'outputNc', 'numD', 'nLayers', 'ndf'] as const;

/** Validates a partial config and fills in the official defaults. */
export function resolveDiscriminatorConfig(partial: Partial<DiscriminatorConfig> & { labelNc: number }): DiscriminatorConfig {
  const c: DiscriminatorConfig = { ...DISCRIMINATOR_DEFAULTS, ...partial };
  for (const k of positiveIntFields) assertPositiveInt(c[k], 'MultiscaleDiscriminator', k);
  if (c.nLayers < 2) throw new ConfigError(`MultiscaleDiscriminator: nLayers must be at least 2, got ${c.nLayers}.`);
  if (!(c.initGain > 0)) throw new ConfigError(`MultiscaleDiscriminator: initGain must be > 0, got ${c.initGain}.`);
  for (const k of ['containDontcare', 'useInstance', 'spectral', 'intermediateFeatures'] as const) {
    if (typeof c[k] !== 'boolean') throw new ConfigError(`MultiscaleDiscriminator: ${k} must be a boolean, got ${String(c[k])}.`);
  }
  return c;
}

/** One conv of an n-layer D: what it is and what follows it. */
export interface DiscriminatorLayerPlan {
  /** Module path of the conv, e.g. 'model1.0.0' (prefix 'discriminator_<i>.' in the model). */
  conv: string;
  cin: number;
  cout: number;
  strides: number;
  /** Spectral norm + InstanceNorm after the conv (bias removed). */
  normed: boolean;
  /** LeakyReLU 0.2 after (all but the output conv). */
  activation: boolean;
}

/**
 * The convs of one scale (REFERENCE §8.2): k4, PyTorch pad ceil(3/2) = 2. model0 s2 with bias,
 * model1..n−1 normed (the last of them stride 1), model_n s1 with bias → 1 channel.
 */
export function discriminatorPlan(c: DiscriminatorConfig): DiscriminatorLayerPlan[] {
  const plan: DiscriminatorLayerPlan[] = [];
  let nf = c.ndf;
  plan.push({ conv: 'model0.0', cin: semanticNcOf(c) + c.outputNc, cout: nf, strides: 2, normed: false, activation: true });
  for (let n = 1; n < c.nLayers; n++) {
    const prev = nf;
    nf = Math.min(nf * 2, 512);
    plan.push({ conv: `model${n}.0.0`, cin: prev, cout: nf, strides: n === c.nLayers - 1 ? 1 : 2, normed: true, activation: true });
  }
  plan.push({ conv: `model${c.nLayers}.0`, cin: nf, cout: 1, strides: 1, normed: false, activation: false });
  return plan;
}

export const D_KERNEL = 4;
export const D_PADDING = 2;

/** Output size of a k4 p2 conv with the given stride. */
const convOut = (d: number, s: number) => Math.floor((d + 2 * D_PADDING - D_KERNEL) / s) + 1;
/** Output size of the between-scale avg-pool 3 s2 p1. */
const poolOut = (d: number) => Math.floor((d + 2 - 3) / 2) + 1;

/** Feature-map sizes [[H,W,C] per layer] per scale, for an input of height × width (REFERENCE §8.2 table). */
export function discriminatorShapes(
  config: Partial<DiscriminatorConfig> & { labelNc: number },
  height: number,
  width: number,
): Array<Array<[number, number, number]>> {
  const c = resolveDiscriminatorConfig(config);
  const plan = discriminatorPlan(c);
  const out: Array<Array<[number, number, number]>> = [];
  let h = height;
  let w = width;
  for (let i = 0; i < c.numD; i++) {
    let fh = h;
    let fw = w;
    out.push(plan.map((l) => {
      fh = convOut(fh, l.strides);
      fw = convOut(fw, l.strides);
      return [fh, fw, l.cout] as [number, number, number];
    }));
    h = poolOut(h);
    w = poolOut(w);
  }
  return out;
}

/** Parameters (as PyTorch counts them: u, v buffers excluded) and MACs of the whole D. */
export interface DiscriminatorCost {
  params: number;
  /** Conv multiply-adds (+1 per biased output), @clade/core convention; norms and pooling not counted. */
  macs: number;
}

/** Exact parameter count and conv MACs for an input of height × width (default 256²). */
export function discriminatorCost(
  config: Partial<DiscriminatorConfig> & { labelNc: number },
  height = 256,
  width = 256,
): DiscriminatorCost {
  const c = resolveDiscriminatorConfig(config);
  const plan = discriminatorPlan(c);
  const shapes = discriminatorShapes(c, height, width);
  let params = 0;
  let macs = 0;
  shapes.forEach((scale) =>
    plan.forEach((l, j) => {
      const [h, w] = scale[j]!;
      const cost = convCost({ cin: l.cin, cout: l.cout, kernelSize: D_KERNEL, height: h, width: w, bias: !l.normed });
      params += cost.params;
      macs += cost.macs;
    }),
  );
  return { params, macs };
}

interface Graph {
  inputs: [Sym, Sym];
  /** Per scale, per layer. */
  features: Sym[][];
}

function buildGraph(c: DiscriminatorConfig): Graph {
  const s = semanticNcOf(c);
  const seg = tfl.input({ shape: [null, null, s], name: 'seg' }) as Sym;
  const image = tfl.input({ shape: [null, null, c.outputNc], name: 'image' }) as Sym;
  const plan = discriminatorPlan(c);
  const features: Sym[][] = [];
  // Each scale sees concat(seg, image), semantics first, RGB last (REFERENCE §8.2). The official
  // code pools the concatenation; pooling is per channel, so pooling seg and image apart is the
  // same and keeps the backward pass off the (constant) semantic channels.
  let segI = seg;
  let imageI = image;
  for (let i = 0; i < c.numD; i++) {
    const d = `discriminator_${i}`;
    const feats: Sym[] = [];
    let h = tfl.layers.concatenate({ axis: -1, name: i === 0 ? 'input_concat' : `input_concat_${i}` }).apply([segI, imageI]) as Sym;
    plan.forEach((l, j) => {
      h = new SpectralConv2D({
        name: `${d}.${l.conv}`,
        filters: l.cout,
        kernelSize: D_KERNEL,
        strides: l.strides,
        padding: D_PADDING,
        useBias: !l.normed,
        spectral: l.normed && c.spectral,
        initGain: c.initGain,
        initSeed: seedFor(c.initSeed, `${d}.${l.conv}`) ?? null,
      }).apply(h) as Sym;
      if (l.normed) h = new InstanceNorm({ name: `${d}.model${j}.0.1` }).apply(h) as Sym;
      if (l.activation) h = tfl.layers.leakyReLU({ alpha: 0.2, name: `${d}.model${j}.1` }).apply(h) as Sym;
      feats.push(h);
    });
    features.push(c.intermediateFeatures ? feats : [feats[feats.length - 1]!]);
    // The official loop also pools after the last scale; that result is unused.
    if (i < c.numD - 1) {
      const pool = (t: Sym, name: string) => new AvgPoolExcludePad({ poolSize: 3, strides: 2, padding: 1, name }).apply(t) as Sym;
      segI = pool(segI, `downsample_${i + 1}`);
      imageI = pool(imageI, `downsample_${i + 1}_image`);
    }
  }
  return { inputs: [seg, image], features };
}

/** Inputs of one forward pass, NHWC. */
export interface DiscriminatorInputs {
  /** One-hot semantic map [N,H,W,S] (classes, dontcare, edge last). */
  seg: tf.Tensor4D;
  /** Image [N,H,W,3] in [−1, 1]. */
  image: tf.Tensor4D;
}

/** D's outputs per scale: [[f0 … f_n] of D0, [f0 … f_n] of D1, …]; the last of each is the patch logit map. */
export type DiscriminatorFeatures = tf.Tensor4D[][];

/**
 * The official MultiscaleDiscriminator (identical in SPADE and CLADE) as a tfjs LayersModel,
 * NHWC. Layer names are the official module paths and weight names the state-dict keys
 * ('discriminator_0.model1.0.0/weight_orig'), so `loadTorchStateDict` reads `*_net_D.pth`.
 * The model's outputs are the features flattened scale-major; `apply` nests them.
 */
export class MultiscaleDiscriminator extends OfficialNetwork {
  readonly config: DiscriminatorConfig;
  readonly model: tfl.LayersModel;
  private readonly perScale: number;

  constructor(config: Partial<DiscriminatorConfig> & { labelNc: number }) {
    super();
    this.config = resolveDiscriminatorConfig(config);
    const g = buildGraph(this.config);
    this.perScale = g.features[0]!.length;
    this.model = tfl.model({ inputs: g.inputs, outputs: g.features.flat(), name: 'netD' });
  }

  /** Channels of seg the model takes: labelNc + dontcare + edge. */
  get semanticNc(): number {
    return semanticNcOf(this.config);
  }

  private check(seg: tf.Tensor, image: tf.Tensor): void {
    const s = this.semanticNc;
    const nc = this.config.outputNc;
    if (seg.rank !== 4 || seg.shape[3] !== s)
      throw new ShapeError(`MultiscaleDiscriminator: seg must be [N,H,W,${s}] (one-hot + dontcare + edge), got ${formatShape(seg.shape)}.`);
    if (image.rank !== 4 || image.shape[3] !== nc)
      throw new ShapeError(`MultiscaleDiscriminator: image must be [N,H,W,${nc}], got ${formatShape(image.shape)}.`);
    if (seg.shape[0] !== image.shape[0] || seg.shape[1] !== image.shape[1] || seg.shape[2] !== image.shape[2])
      throw new ShapeError(`MultiscaleDiscriminator: seg and image must have the same N,H,W, got ${formatShape(seg.shape)} and ${formatShape(image.shape)}.`);
  }

  /**
   * Features of every scale for concat(seg, image). `training` runs one spectral-norm power
   * iteration per normed conv (and stores u, v); InstanceNorm uses per-sample statistics in
   * both modes.
   */
  apply(inputs: DiscriminatorInputs, training = false): DiscriminatorFeatures {
    const { seg, image } = inputs;
    this.check(seg, image);
    const flat = this.model.apply([seg, image], { training }) as tf.Tensor4D | tf.Tensor4D[];
    const outs = Array.isArray(flat) ? flat : [flat];
    const nested: DiscriminatorFeatures = [];
    for (let i = 0; i < this.config.numD; i++) nested.push(outs.slice(i * this.perScale, (i + 1) * this.perScale));
    return nested;
  }

  /**
   * The official training call: fake and real are concatenated on the batch axis (fake first),
   * run through D together (one power iteration per call in training), and split in half
   * afterwards. Pass `training: true` in a training step, as the official code runs D there.
   */
  discriminate(seg: tf.Tensor4D, fake: tf.Tensor4D, real: tf.Tensor4D, training = false): { fake: DiscriminatorFeatures; real: DiscriminatorFeatures } {
    if (fake.rank !== 4 || real.rank !== 4 || fake.shape.some((d, i) => d !== real.shape[i]))
      throw new ShapeError(`MultiscaleDiscriminator: fake and real must have the same shape, got ${formatShape(fake.shape)} and ${formatShape(real.shape)}.`);
    const both = tf.tidy(() => ({ seg: tf.concat([seg, seg], 0) as tf.Tensor4D, image: tf.concat([fake, real], 0) as tf.Tensor4D }));
    const n = fake.shape[0];
    const out = this.apply(both, training);
    const split = (k: 0 | 1) => out.map((scale) => scale.map((f) => tf.slice(f, [k * n, 0, 0, 0], [n, -1, -1, -1]) as tf.Tensor4D));
    const result = { fake: split(0), real: split(1) };
    tf.dispose([both.seg, both.image, ...out.flat()]);
    return result;
  }
}
