import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { CLADE, GroupConv2D, ShapeError, formatShape, seedFor } from '@clade/core';
import { NamedActivations, OfficialNetwork, imageHead, type GeneratorGraph } from '@clade/spade-gen';
import { numClassesOf, resolveGroupDNetConfig, segmapNcOf, type ConfigInput, type GroupDNetConfig } from './config';
import { GroupDNetSegLayout, GroupSPADE } from './group-spade';
import { groupdnetPlan, type GroupBlockPlan, type GroupDNetPlan } from './plan';
import { sampleLatent } from './latent';

type Sym = tfl.SymbolicTensor;

const leaky = (name: string) => tfl.layers.leakyReLU({ alpha: 0.2, name });

/** GROUP_SPADE or (GroupDNet-CLADE) CLADE, named after the official module. */
function normLayer(c: GroupDNetConfig, b: GroupBlockPlan, name: string): tfl.layers.Layer {
  const common = { name, paramFreeNorm: c.paramFreeNorm, initGain: c.initGain, initSeed: seedFor(c.initSeed, name) ?? null };
  if (c.normMode === 'clade') return new CLADE({ ...common, numClasses: numClassesOf(c) });
  const n = b.norm;
  return new GroupSPADE({ ...common, semanticNc: n.segNc, hiddenNc: n.hiddenNc, sharedGroups: n.sharedGroups, groups: n.groups });
}

/** SPADEV2ResnetBlock: x_s + conv_1(lrelu(norm_1(conv_0(lrelu(norm_0(x)))))), all convs grouped. */
function resBlock(c: GroupDNetConfig, b: GroupBlockPlan, x: Sym, seg: Sym): Sym {
  const { name, groups, fmid, fout } = b;
  const conv = (suffix: string, filters: number, kernelSize: number, useBias = true) =>
    new GroupConv2D({
      name: `${name}.${suffix}`, filters, kernelSize, groups, useBias, spectral: c.spectral, initGain: c.initGain,
      initSeed: seedFor(c.initSeed, `${name}.${suffix}`) ?? null,
    });
  const norm = (suffix: string, t: Sym) => normLayer(c, b, `${name}.${suffix}`).apply([t, seg]) as Sym;
  const xs = b.learnedShortcut ? (conv('conv_s', fout, 1, false).apply(norm('norm_s', x)) as Sym) : x;
  let dx = conv('conv_0', fmid, 3).apply(leaky(`${name}.actvn_0`).apply(norm('norm_0', x))) as Sym;
  dx = conv('conv_1', fout, 3).apply(leaky(`${name}.actvn_1`).apply(norm('norm_1', dx))) as Sym;
  return tfl.layers.add({ name: `${name}.add` }).apply([xs, dx]) as Sym;
}

/** The graph; its named outputs: fc, every block that runs, conv_img (pre-tanh). */
function buildGraph(c: GroupDNetConfig, plan: GroupDNetPlan): GeneratorGraph {
  const segIn = tfl.input({ shape: [null, null, segmapNcOf(c)], name: 'seg' }) as Sym;
  const z = tfl.input({ shape: [plan.sh, plan.sw, plan.latentNc], name: 'z' }) as Sym;
  // What the norms read: GROUP_SPADE of Cityscapes pairs each class with the edge map; CLADE reads classes only.
  let seg = segIn;
  if (c.useInstance && c.normMode === 'groupSpade' && c.arch === 'cityscapes')
    seg = new GroupDNetSegLayout({ layout: 'interleaveEdge', name: 'seg.interleave' }).apply(segIn) as Sym;
  if (c.useInstance && c.normMode === 'clade') seg = new GroupDNetSegLayout({ layout: 'dropEdge', name: 'seg.classes' }).apply(segIn) as Sym;
  const acts = new Map<string, Sym>();
  let x = new GroupConv2D({
    name: 'fc', filters: plan.fc.cout, kernelSize: 3, groups: plan.fc.groups, initGain: c.initGain,
    initSeed: seedFor(c.initSeed, 'fc') ?? null,
  }).apply(z) as Sym;
  acts.set('fc', x);
  for (const b of plan.blocks.filter((blk) => blk.used)) {
    if (b.upsampleBefore) x = tfl.layers.upSampling2d({ size: [2, 2], name: `${b.name}.upsample` }).apply(x) as Sym;
    x = resBlock(c, b, x, seg);
    acts.set(b.name, x);
  }
  return { inputs: [segIn, z], output: imageHead(x, c, acts), activations: acts };
}

/** Inputs of one forward pass, NHWC. */
export interface GroupDNetInputs {
  /** One-hot semantic map [N,H,W,labelNc + dontcare (+ edge last)]. */
  seg: tf.Tensor4D;
  /**
   * Per-class latent [N,sh,sw,8·S]: class j owns channels 8j … 8j+7 (the official NCHW
   * [N,8S,sh,sw] transposed). Sampled from N(0, I) when absent.
   */
  z?: tf.Tensor4D;
}

/**
 * GroupDNet's generator (the official DeepFashion/Cityscapes/ADE20K generators) or GroupDNet-CLADE,
 * as a tfjs LayersModel whose weight names are the official state-dict keys with '.' → '/'
 * ('up_0.norm_1/mlp_gamma/weight', 'head_0.conv_0/weight_orig'). ADE20K's unused up_4 is not built.
 */
export class GroupDNetGenerator extends OfficialNetwork {
  readonly config: GroupDNetConfig;
  readonly plan: GroupDNetPlan;
  readonly model: tfl.LayersModel;
  private readonly named: NamedActivations;

  constructor(config: ConfigInput) {
    super();
    this.config = resolveGroupDNetConfig(config);
    this.plan = groupdnetPlan(this.config);
    const graph = buildGraph(this.config, this.plan);
    this.model = tfl.model({ inputs: graph.inputs, outputs: graph.output, name: 'netG' });
    this.named = new NamedActivations(graph);
  }

  /** Checks the inputs; samples z when absent (the caller's tensors are never disposed here). */
  private feed(inputs: GroupDNetInputs): [tf.Tensor4D, tf.Tensor4D] {
    const { seg, z } = inputs;
    const s = segmapNcOf(this.config);
    if (seg.rank !== 4 || seg.shape[3] !== s)
      throw new ShapeError(
        `GroupDNetGenerator: seg must be [N,H,W,${s}] ` +
          `(one-hot${this.config.containDontcare ? ' + dontcare' : ''}${this.config.useInstance ? ' + edge' : ''}), ` +
          `got ${formatShape(seg.shape)}.`,
      );
    const { sh, sw, latentNc } = this.plan;
    const n = seg.shape[0];
    if (z && (z.rank !== 4 || z.shape[0] !== n || z.shape[1] !== sh || z.shape[2] !== sw || z.shape[3] !== latentNc))
      throw new ShapeError(`GroupDNetGenerator: z must be [${n},${sh},${sw},${latentNc}] (8 channels per class), got ${formatShape(z.shape)}.`);
    return [seg, z ?? sampleLatent(this.plan, n)];
  }

  /** The image in [−1, 1], [N,H,W,3]. `training` switches batch statistics and power iterations. */
  apply(inputs: GroupDNetInputs, training = false): tf.Tensor4D {
    const feed = this.feed(inputs);
    const y = this.model.apply(feed, { training }) as tf.Tensor4D;
    if (feed[1] !== inputs.z) feed[1].dispose();
    return y;
  }

  /** Eval-mode outputs of fc, every block and conv_img (pre-tanh), by name. */
  activations(inputs: GroupDNetInputs): Map<string, tf.Tensor4D> {
    const feed = this.feed(inputs);
    const acts = this.named.read(feed);
    if (feed[1] !== inputs.z) feed[1].dispose();
    return acts;
  }
}
