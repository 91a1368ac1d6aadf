import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { initializers, layers } from '@tensorflow/tfjs-layers';
import {
  ConfigError,
  PARAM_FREE_NORMS,
  ShapeError,
  formatShape,
  groupConv2d,
  nearestResize,
  paramFreeNorm,
  seedFor,
  xavierNormal,
  type ParamFreeNorm,
} from '@clade/core';
import { assertOneOf, assertPositiveInt, groupSizes } from '@clade/core/internal';

type Shape = Array<number | null>;
type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
type Variable = ReturnType<layers.Layer['addWeight']>;

export interface GroupSPADEArgs extends LayerArgs {
  /** Channels of the segmap it reads. Required. */
  semanticNc: number;
  /** Width of mlp_shared's output. Required (the official value depends on the arch). */
  hiddenNc: number;
  /** Groups of mlp_shared. Required. */
  sharedGroups: number;
  /** Groups of mlp_gamma and mlp_beta. Required. */
  groups: number;
  /** Parameter-free norm. Default 'syncBatch' (official spectralspadesyncbatch3x3). */
  paramFreeNorm?: ParamFreeNorm;
  /** Default 1e-5, as in PyTorch. */
  epsilon?: number;
  /** PyTorch-convention momentum of the running statistics. Default 0.1. */
  momentum?: number;
  /** Gain of the xavier-normal init of the kernels. Default 0.02. */
  initGain?: number;
  /** Seed of the random init (null: unseeded). Default null. */
  initSeed?: number | null;
}

/**
 * GROUP_SPADE of GroupDNet, NHWC: SPADE whose three 3×3 convs are grouped. Inputs [x, seg].
 * out = x̂ ⊙ (1 + γ) + β, γ/β = groupconv(relu(groupconv(seg resized to x))). Weight names follow
 * the official keys ('mlp_shared/0/weight', 'mlp_gamma/bias', 'param_free_norm/running_mean', …).
 */
export class GroupSPADE extends layers.Layer {
  /** @nocollapse */
  static className = 'GroupSPADE';
  readonly semanticNc: number;
  readonly hiddenNc: number;
  readonly sharedGroups: number;
  readonly groups: number;
  readonly paramFreeNorm: ParamFreeNorm;
  readonly epsilon: number;
  readonly momentum: number;
  readonly initGain: number;
  readonly initSeed: number | null;
  private vars: Variable[] = [];
  private running: [Variable, Variable] | null = null;
  private normNc = 0;

  constructor(args: GroupSPADEArgs) {
    super(args);
    this.semanticNc = assertPositiveInt(args.semanticNc, 'GroupSPADE', 'semanticNc');
    this.hiddenNc = assertPositiveInt(args.hiddenNc, 'GroupSPADE', 'hiddenNc');
    this.sharedGroups = assertPositiveInt(args.sharedGroups, 'GroupSPADE', 'sharedGroups');
    this.groups = assertPositiveInt(args.groups, 'GroupSPADE', 'groups');
    groupSizes(this.semanticNc, this.hiddenNc, this.sharedGroups, 'GroupSPADE mlp_shared');
    this.paramFreeNorm = assertOneOf(args.paramFreeNorm ?? 'syncBatch', PARAM_FREE_NORMS, 'GroupSPADE', 'paramFreeNorm');
    this.epsilon = args.epsilon ?? 1e-5;
    this.momentum = args.momentum ?? 0.1;
    this.initGain = args.initGain ?? 0.02;
    this.initSeed = args.initSeed ?? null;
  }

  private shapes(inputShape: Shape | Shape[]): [Shape, Shape] {
    const ok = Array.isArray(inputShape[0]) && inputShape.length === 2;
    const [x, seg] = (ok ? inputShape : []) as Shape[];
    if (!x || !seg || x.length !== 4 || seg.length !== 4 || x[3] == null || (seg[3] != null && seg[3] !== this.semanticNc))
      throw new ShapeError(`GroupSPADE: expected inputs [x [N,H,W,C], seg [N,H,W,${this.semanticNc}]], got ${JSON.stringify(inputShape)}.`);
    return [x, seg];
  }

  override build(inputShape: Shape | Shape[]): void {
    const [x] = this.shapes(inputShape);
    const c = x[3]!;
    groupSizes(this.hiddenNc, c, this.groups, `GroupSPADE '${this.name}' mlp_gamma`);
    this.normNc = c;
    const conv = (name: string, cin: number, cout: number, g: number) => {
      const shape = [3, 3, cin / g, cout];
      return [
        this.addWeight(`${name}/weight`, shape, 'float32', xavierNormal(shape, this.initGain, seedFor(this.initSeed, name))),
        this.addWeight(`${name}/bias`, [cout], 'float32', initializers.zeros()),
      ];
    };
    if (this.paramFreeNorm !== 'instance')
      this.running = [
        this.addWeight('param_free_norm/running_mean', [c], 'float32', initializers.zeros(), undefined, false),
        this.addWeight('param_free_norm/running_var', [c], 'float32', initializers.ones(), undefined, false),
      ];
    this.vars = [
      ...conv('mlp_shared/0', this.semanticNc, this.hiddenNc, this.sharedGroups),
      ...conv('mlp_gamma', this.hiddenNc, c, this.groups),
      ...conv('mlp_beta', this.hiddenNc, c, this.groups),
    ];
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return this.shapes(inputShape)[0];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean } = {}): tf.Tensor {
    return tf.tidy(() => {
      const [x, seg] = inputs as [tf.Tensor4D, tf.Tensor4D];
      this.shapes([x.shape, seg.shape]);
      if (x.shape[3] !== this.normNc)
        throw new ShapeError(`GroupSPADE '${this.name}': x must have ${this.normNc} channels (as built), got ${formatShape(x.shape)}.`);
      const [rm, rv] = this.running ?? [];
      const { y: xn, updated } = paramFreeNorm(x, {
        norm: this.paramFreeNorm,
        training: kwargs.training === true,
        epsilon: this.epsilon,
        momentum: this.momentum,
        running: rm && rv ? { mean: rm.read(), variance: rv.read() } : undefined,
      });
      if (updated && rm && rv) {
        rm.write(updated.mean);
        rv.write(updated.variance);
      }
      const [sk, sb, gk, gb, bk, bb] = this.vars.map((v) => v.read()) as [tf.Tensor4D, tf.Tensor1D, tf.Tensor4D, tf.Tensor1D, tf.Tensor4D, tf.Tensor1D];
      const m = nearestResize(seg, x.shape[1], x.shape[2]);
      const actv = tf.relu(groupConv2d(m, sk, this.sharedGroups, { bias: sb }));
      const gamma = groupConv2d(actv, gk, this.groups, { bias: gb });
      const beta = groupConv2d(actv, bk, this.groups, { bias: bb });
      return tf.add(tf.mul(xn, tf.add(gamma, 1)), beta);
    });
  }

  override getConfig(): serialization.ConfigDict {
    return {
      ...super.getConfig(),
      semanticNc: this.semanticNc,
      hiddenNc: this.hiddenNc,
      sharedGroups: this.sharedGroups,
      groups: this.groups,
      paramFreeNorm: this.paramFreeNorm,
      epsilon: this.epsilon,
      momentum: this.momentum,
      initGain: this.initGain,
      initSeed: this.initSeed,
    };
  }
}
serialization.registerClass(GroupSPADE);

/** How the generator's segmap becomes what its norms read. */
export const SEG_LAYOUTS = ['interleaveEdge', 'dropEdge'] as const;
export type SegLayout = (typeof SEG_LAYOUTS)[number];

export interface SegLayoutArgs extends LayerArgs {
  /**
   * 'interleaveEdge': [c₀ … c_{K−1}, e] → [c₀, e, c₁, e, …] (2K channels; Cityscapes' GROUP_SPADE
   * pairs each class with the edge map inside one group). 'dropEdge': the K class channels (CLADE).
   */
  layout: SegLayout;
}

/** Rearranges the segmap once per forward, so no norm slices channels itself. No weights. */
export class GroupDNetSegLayout extends layers.Layer {
  /** @nocollapse */
  static className = 'GroupDNetSegLayout';
  readonly layout: SegLayout;

  constructor(args: SegLayoutArgs) {
    super(args);
    if (!SEG_LAYOUTS.includes(args.layout))
      throw new ConfigError(`GroupDNetSegLayout: layout must be one of ${SEG_LAYOUTS.join(', ')}, got '${String(args.layout)}'.`);
    this.layout = args.layout;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = inputShape as Shape;
    const k = s[3] == null ? null : s[3] - 1;
    return [s[0]!, s[1]!, s[2]!, k == null ? null : this.layout === 'interleaveEdge' ? 2 * k : k];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const seg = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const [n, h, w, c] = seg.shape;
      const [cls, edge] = tf.split(seg, [c - 1, 1], 3);
      if (this.layout === 'dropEdge') return cls!;
      const pairs = tf.stack([cls!, tf.tile(edge!, [1, 1, 1, c - 1])], 4); // [N,H,W,K,2]
      return tf.reshape(pairs, [n, h, w, 2 * (c - 1)]);
    });
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), layout: this.layout };
  }
}
serialization.registerClass(GroupDNetSegLayout);

/**
 * Registers GroupDNet's layers with tfjs serialization (idempotent), for `tf.loadLayersModel` of a
 * saved generator where a bundler may have dropped this module's side effects (the package is
 * `sideEffects: false`). Core's layers (GroupConv2D, CLADE, …) come with core's `registerLayers()`.
 */
export function registerGroupDNetLayers(): void {
  for (const cls of [GroupSPADE, GroupDNetSegLayout]) serialization.registerClass(cls);
}
