import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  CLADE,
  CLADEICPE,
  NearestResize,
  SPADE,
  SpectralConv2D,
  ShapeError,
  formatShape,
  seedFor,
  withClassIndexCache,
} from '@clade/core';
import { blockNormsOf, numClassesOf, resolveGeneratorConfig, semanticNcOf, type GeneratorConfig, type NormMode } from './config';
import { generatorPlan, type BlockPlan } from './plan';
import { NamedActivations, imageHead, type GeneratorGraph } from './generator-graph';
import { OfficialNetwork } from './network';

type Sym = tfl.SymbolicTensor;

/** What the blocks share while the graph is built. */
interface BuildContext {
  config: GeneratorConfig;
  seg: Sym;
  dist: Sym | null;
}

function normLayer(ctx: BuildContext, mode: NormMode, name: string): tfl.layers.Layer {
  const { config: c } = ctx;
  const common = { name, paramFreeNorm: c.paramFreeNorm, initGain: c.initGain, initSeed: seedFor(c.initSeed, name) ?? null };
  if (mode === 'spade') return new SPADE({ ...common, semanticNc: semanticNcOf(c), hiddenNc: c.spadeHiddenNc });
  const args = { ...common, numClasses: numClassesOf(c), useInstance: c.useInstance };
  return mode === 'cladeIcpe' ? new CLADEICPE(args) : new CLADE(args);
}

function applyNorm(ctx: BuildContext, mode: NormMode, name: string, x: Sym): Sym {
  const inputs = mode === 'cladeIcpe' ? [x, ctx.seg, ctx.dist!] : [x, ctx.seg];
  return normLayer(ctx, mode, name).apply(inputs) as Sym;
}

const leaky = (name: string) => tfl.layers.leakyReLU({ alpha: 0.2, name });

/**
 * SPADEResnetBlock: x_s + conv_1(lrelu(norm_1(conv_0(lrelu(norm_0(x)))))), with a learned
 * shortcut conv_s(norm_s(x)) (1×1, no bias, no activation) when fin ≠ fout.
 */
function resBlock(ctx: BuildContext, b: BlockPlan, x: Sym): Sym {
  const { spectral, initGain, initSeed } = ctx.config;
  const { name, norm: mode, fout, fmid } = b;
  const conv = (suffix: string, filters: number, kernelSize: number, useBias = true) =>
    new SpectralConv2D({
      name: `${name}.${suffix}`, filters, kernelSize, useBias, spectral, initGain,
      initSeed: seedFor(initSeed, `${name}.${suffix}`) ?? null,
    });
  const xs = b.learnedShortcut ? (conv('conv_s', fout, 1, false).apply(applyNorm(ctx, mode, `${name}.norm_s`, x)) as Sym) : x;
  let dx = conv('conv_0', fmid, 3).apply(leaky(`${name}.actvn_0`).apply(applyNorm(ctx, mode, `${name}.norm_0`, x))) as Sym;
  dx = conv('conv_1', fout, 3).apply(leaky(`${name}.actvn_1`).apply(applyNorm(ctx, mode, `${name}.norm_1`, dx))) as Sym;
  return tfl.layers.add({ name: `${name}.add` }).apply([xs, dx]) as Sym;
}

/** Named outputs of the graph: the input projection, every block, conv_img (pre-tanh) and the image. */
export const ACTIVATION_NAMES = ['fc', 'head_0', 'G_middle_0', 'G_middle_1', 'up_0', 'up_1', 'up_2', 'up_3', 'up_4', 'conv_img'] as const;

function buildGraph(c: GeneratorConfig): GeneratorGraph {
  const s = semanticNcOf(c);
  const nf = c.ngf;
  const plan = generatorPlan(c);
  const { sh, sw } = plan;
  const seg = tfl.input({ shape: [null, null, s], name: 'seg' }) as Sym;
  const dist = plan.blocks.some((b) => b.norm === 'cladeIcpe') ? (tfl.input({ shape: [null, null, 2], name: 'dist' }) as Sym) : null;
  const z = c.useVae ? (tfl.input({ shape: [c.zDim], name: 'z' }) as Sym) : null;
  const ctx: BuildContext = { config: c, seg, dist };
  const acts = new Map<string, Sym>();

  let x: Sym;
  if (z) {
    const units = 16 * nf * sh * sw;
    const stddev = c.initGain * Math.sqrt(2 / (c.zDim + units));
    x = tfl.layers
      .dense({
        units,
        name: 'fc',
        kernelInitializer: tfl.initializers.randomNormal({ mean: 0, stddev, seed: seedFor(c.initSeed, 'fc') }),
        biasInitializer: 'zeros',
      })
      .apply(z) as Sym;
    // PyTorch views the Linear output as NCHW [N, 16nf, sh, sw].
    x = tfl.layers.reshape({ targetShape: [16 * nf, sh, sw], name: 'fc.view' }).apply(x) as Sym;
    x = tfl.layers.permute({ dims: [2, 3, 1], name: 'fc.nhwc' }).apply(x) as Sym;
  } else {
    const small = new NearestResize({ height: sh, width: sw, name: 'fc.resize' }).apply(seg) as Sym;
    x = new SpectralConv2D({
      name: 'fc', filters: 16 * nf, kernelSize: 3, spectral: false, initGain: c.initGain,
      initSeed: seedFor(c.initSeed, 'fc') ?? null,
    }).apply(small) as Sym;
  }
  acts.set('fc', x);

  for (const b of plan.blocks) {
    if (b.upsampleBefore) x = tfl.layers.upSampling2d({ size: [2, 2], name: `${b.name}.upsample` }).apply(x) as Sym;
    x = resBlock(ctx, b, x);
    acts.set(b.name, x);
  }

  const output = imageHead(x, c, acts);
  const inputs = [seg, ...(dist ? [dist] : []), ...(z ? [z] : [])];
  return { inputs, output, activations: acts };
}

/** Inputs of one forward pass, NHWC. */
export interface GeneratorInputs {
  /** One-hot semantic map [N,H,W,S] (classes, dontcare, edge last). */
  seg: tf.Tensor4D;
  /** CLADE-ICPE positional map [N,H,W,2] (row, column offsets). */
  dist?: tf.Tensor4D;
  /** VAE latent [N,zDim]; sampled from N(0, I) when absent. */
  z?: tf.Tensor2D;
}

/**
 * The SPADE/CLADE generator of the official code (SPADEGenerator), as a tfjs LayersModel whose
 * weight names are the official state-dict keys ('up_0.norm_1/class_specified_affine/weight').
 */
export class SpadeGenerator extends OfficialNetwork {
  readonly config: GeneratorConfig;
  readonly model: tfl.LayersModel;
  private readonly named: NamedActivations;

  constructor(config: Partial<GeneratorConfig> & { labelNc: number }) {
    super();
    this.config = resolveGeneratorConfig(config);
    const graph = buildGraph(this.config);
    this.model = tfl.model({ inputs: graph.inputs, outputs: graph.output, name: 'netG' });
    this.named = new NamedActivations(graph);
  }

  get usesDist(): boolean {
    return blockNormsOf(this.config).includes('cladeIcpe');
  }

  /** Checks and orders the inputs as the model takes them. */
  private feed(inputs: GeneratorInputs): tf.Tensor[] {
    const { seg, dist, z } = inputs;
    const s = semanticNcOf(this.config);
    if (seg.rank !== 4 || seg.shape[3] !== s)
      throw new ShapeError(`SpadeGenerator: seg must be [N,H,W,${s}] (one-hot + dontcare + edge), got ${formatShape(seg.shape)}.`);
    const n = seg.shape[0];
    const out: tf.Tensor[] = [seg];
    if (this.usesDist) {
      if (!dist) throw new ShapeError('SpadeGenerator: a CLADE-ICPE generator needs dist [N,H,W,2], got none.');
      if (dist.rank !== 4 || dist.shape[3] !== 2 || dist.shape[0] !== n || dist.shape[1] !== seg.shape[1] || dist.shape[2] !== seg.shape[2])
        throw new ShapeError(`SpadeGenerator: dist must be [${n},${seg.shape[1]},${seg.shape[2]},2], got ${formatShape(dist.shape)}.`);
      out.push(dist);
    }
    if (this.config.useVae) {
      if (z && (z.rank !== 2 || z.shape[0] !== n || z.shape[1] !== this.config.zDim))
        throw new ShapeError(`SpadeGenerator: z must be [${n},${this.config.zDim}], got ${formatShape(z.shape)}.`);
      out.push(z ?? tf.randomNormal([n, this.config.zDim]));
    }
    return out;
  }

  /** The image in [−1, 1], [N,H,W,3]. `training` switches batch statistics and power iterations. */
  apply(inputs: GeneratorInputs, training = false): tf.Tensor4D {
    const feed = this.feed(inputs);
    // Eval passes share one class-index map per resolution across the CLADE layers.
    const run = () => this.model.apply(feed, { training }) as tf.Tensor4D;
    const y = training ? run() : withClassIndexCache(run);
    feed.filter((t) => t !== inputs.seg && t !== inputs.dist && t !== inputs.z).forEach((t) => t.dispose());
    return y;
  }

  /** Eval-mode outputs of fc, every block and conv_img (pre-tanh), by name. */
  activations(inputs: GeneratorInputs): Map<string, tf.Tensor4D> {
    const feed = this.feed(inputs);
    const acts = this.named.read(feed);
    feed.filter((t) => t !== inputs.seg && t !== inputs.dist && t !== inputs.z).forEach((t) => t.dispose());
    return acts;
  }
}
