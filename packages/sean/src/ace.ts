import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { initializers, layers } from '@tensorflow/tfjs-layers';
import {
  ConfigError,
  PARAM_FREE_NORMS,
  ShapeError,
  formatShape,
  paramFreeNorm,
  seedFor,
  type ParamFreeNorm,
} from '@clade/core';
import { assertOneOf, assertPositiveInt, classIndexMap, spadeGammaBeta } from '@clade/core/internal';
import { CLASS_BRANCHES, STYLE_LENGTH, type ClassBranch } from './config';
import { fastXavierNormal } from './init';
import { broadcastStyles, classStyles, regionMasks } from './ops';

type Shape = Array<number | null>;
type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
type Variable = ReturnType<layers.Layer['addWeight']>;

/**
 * Per-pixel noise added before the param-free norm: 'random' draws N(0,1) on every call (the
 * official behaviour, in training and at test time), 'none' adds nothing, a number is a seed
 * (mixed with the layer name, so each ACE draws its own but repeatable noise).
 */
export type NoiseMode = 'random' | 'none' | number;

/** What ACE reads from `call`'s kwargs (tfjs forwards a model's kwargs to every layer). */
export interface ACECallArgs {
  training?: boolean;
  /** Default 'random'. */
  noise?: NoiseMode;
}

export interface ACEArgs extends LayerArgs {
  /** Classes K: channels of the segmap, style codes per image and per-class projections. Required. */
  numClasses: number;
  /**
   * Use the style codes (official `use_rgb`). Default true; the generator's last block (up_3) has
   * false: it keeps only the class branch (and, as in the official module, the blending scalars
   * and noise_var, which are then trained but inert for the blend).
   */
  useStyle?: boolean;
  /**
   * 'spade' (official SEAN): γ_o, β_o from SPADE's convs of the segmap, under the module name
   * `Spade`. 'clade' (SEAN-CLADE, our wiring): γ_o, β_o = rows c(p) of two class tables [K,C]
   * (`Clade/class_specified_affine/{weight,bias}`), used in SEAN's x̂·(1+γ)+β form and therefore
   * zero-initialised, so SEAN-CLADE starts where SEAN starts (SPADE's γ_o ≈ 0 at init).
   * Default 'spade'.
   */
  classBranch?: ClassBranch;
  /** Hidden width of the SPADE branch. Default 128. */
  hiddenNc?: number;
  /** Width of the style codes and style map. Default 512 (fixed in the official code). */
  styleLength?: number;
  /** Default 'syncBatch' (the official ACE hard-codes spadesyncbatch3x3). */
  paramFreeNorm?: ParamFreeNorm;
  /** Default 1e-5. */
  epsilon?: number;
  /** PyTorch-convention running-stat momentum. Default 0.1. */
  momentum?: number;
  /** Xavier-normal gain of the convs and linears. Default 0.02. */
  initGain?: number;
  /** Default null (unseeded). */
  initSeed?: number | null;
}

/**
 * ACE (SEAN's semantic region-adaptive normalisation), NHWC. Inputs [x [N,H,W,C],
 * seg [N,H₀,W₀,K], codes [N,K,S]] (codes only with useStyle). With r ~ N(0,1) per pixel:
 *   x̂ = norm(x + r·noise_var)
 *   style map P(p) = ReLU(fc_mu{c(p)}(codes[c(p)]))            (0 where p has no class)
 *   γ = σ(b_γ)·conv_gamma(P) + (1 − σ(b_γ))·γ_o,  β likewise   (γ_o, β_o: the class branch)
 *   out = x̂·(1 + γ) + β
 * Weight names are the official keys with '.' → '/' (blending_gamma, noise_var, Spade/mlp_shared/0/
 * weight, fc_mu3/bias, conv_gamma/weight, …). The official SPADE branch owns a param-free norm
 * it never runs; its running statistics are kept (untrained, unused) so official files load
 * strictly. One fc_mu per class — the official code hard-codes 19 (CelebAMask-HQ).
 */
export class ACE extends layers.Layer {
  /** @nocollapse */
  static className = 'ACE';
  readonly numClasses: number;
  readonly useStyle: boolean;
  readonly classBranch: ClassBranch;
  readonly hiddenNc: number;
  readonly styleLength: number;
  readonly paramFreeNorm: ParamFreeNorm;
  readonly epsilon: number;
  readonly momentum: number;
  readonly initGain: number;
  readonly initSeed: number | null;
  private normNc = 0;
  private blendGamma: Variable | null = null;
  private blendBeta: Variable | null = null;
  private noiseVar: Variable | null = null;
  private branch: Variable[] = [];
  private runningMean: Variable | null = null;
  private runningVar: Variable | null = null;
  private fcKernels: Variable[] = [];
  private fcBiases: Variable[] = [];
  private styleConvs: Variable[] = [];

  constructor(args: ACEArgs) {
    super(args);
    this.numClasses = assertPositiveInt(args.numClasses, 'ACE', 'numClasses', JSON.stringify);
    this.useStyle = args.useStyle ?? true;
    this.classBranch = assertOneOf(args.classBranch ?? 'spade', CLASS_BRANCHES, 'ACE', 'classBranch');
    this.hiddenNc = assertPositiveInt(args.hiddenNc ?? 128, 'ACE', 'hiddenNc', JSON.stringify);
    this.styleLength = assertPositiveInt(args.styleLength ?? STYLE_LENGTH, 'ACE', 'styleLength', JSON.stringify);
    this.paramFreeNorm = assertOneOf(args.paramFreeNorm ?? 'syncBatch', PARAM_FREE_NORMS, 'ACE', 'paramFreeNorm');
    this.epsilon = args.epsilon ?? 1e-5;
    this.momentum = args.momentum ?? 0.1;
    if (!(this.epsilon > 0)) throw new ConfigError(`ACE: epsilon must be > 0, got ${this.epsilon}.`);
    if (!(this.momentum >= 0 && this.momentum <= 1)) throw new ConfigError(`ACE: momentum must be in [0, 1], got ${this.momentum}.`);
    this.initGain = args.initGain ?? 0.02;
    if (!(this.initGain > 0)) throw new ConfigError(`ACE: initGain must be > 0, got ${this.initGain}.`);
    this.initSeed = args.initSeed ?? null;
  }

  private get numInputs(): number {
    return this.useStyle ? 3 : 2;
  }

  private checkShapes(inputShape: Shape | Shape[]): Shape[] {
    const names = ['x [N,H,W,C]', `seg [N,H,W,${this.numClasses}]`, `codes [N,${this.numClasses},${this.styleLength}]`].slice(0, this.numInputs);
    const shapes = Array.isArray(inputShape[0]) ? (inputShape as Shape[]) : null;
    if (!shapes || shapes.length !== this.numInputs)
      throw new ShapeError(`ACE: expected inputs [${names.join(', ')}], got ${JSON.stringify(inputShape)}.`);
    const [x, seg, codes] = shapes as [Shape, Shape, Shape | undefined];
    if (x.length !== 4 || x[3] == null) throw new ShapeError(`ACE: x must be [N,H,W,C] with known C, got ${formatShape(x)}.`);
    if (seg.length !== 4 || (seg[3] != null && seg[3] !== this.numClasses))
      throw new ShapeError(`ACE: seg must be [N,H,W,${this.numClasses}], got ${formatShape(seg)}.`);
    if (codes && (codes.length !== 3 || (codes[1] != null && codes[1] !== this.numClasses) || (codes[2] != null && codes[2] !== this.styleLength)))
      throw new ShapeError(`ACE: codes must be [N,${this.numClasses},${this.styleLength}], got ${formatShape(codes)}.`);
    const batches = shapes.map((s) => s[0]).filter((b) => b != null);
    if (new Set(batches).size > 1) throw new ShapeError(`ACE: inputs must share the batch size, got ${shapes.map((s) => formatShape(s)).join(', ')}.`);
    return shapes;
  }

  private seed(key: string): number | undefined {
    return seedFor(this.initSeed, key);
  }

  private conv(name: string, cin: number, cout: number): Variable[] {
    const shape = [3, 3, cin, cout];
    return [
      this.addWeight(`${name}/weight`, shape, 'float32', fastXavierNormal(shape, this.initGain, this.seed(name))),
      this.addWeight(`${name}/bias`, [cout], 'float32', initializers.zeros()),
    ];
  }

  private runningStats(prefix: string): [Variable, Variable] | null {
    if (this.paramFreeNorm === 'instance') return null;
    return [
      this.addWeight(`${prefix}param_free_norm/running_mean`, [this.normNc], 'float32', initializers.zeros(), undefined, false),
      this.addWeight(`${prefix}param_free_norm/running_var`, [this.normNc], 'float32', initializers.ones(), undefined, false),
    ];
  }

  override build(inputShape: Shape | Shape[]): void {
    const [x] = this.checkShapes(inputShape);
    const c = x![3]!;
    this.normNc = c;
    // Creation order = the official state-dict order: own parameters, then submodules.
    this.blendGamma = this.addWeight('blending_gamma', [1], 'float32', initializers.zeros());
    this.blendBeta = this.addWeight('blending_beta', [1], 'float32', initializers.zeros());
    this.noiseVar = this.addWeight('noise_var', [c], 'float32', initializers.zeros());
    if (this.classBranch === 'spade') {
      this.runningStats('Spade/'); // the SPADE submodule's own norm: never run, loaded for strictness
      this.branch = [
        ...this.conv('Spade/mlp_shared/0', this.numClasses, this.hiddenNc),
        ...this.conv('Spade/mlp_gamma', this.hiddenNc, c),
        ...this.conv('Spade/mlp_beta', this.hiddenNc, c),
      ];
    } else {
      this.branch = [
        this.addWeight('Clade/class_specified_affine/weight', [this.numClasses, c], 'float32', initializers.zeros()),
        this.addWeight('Clade/class_specified_affine/bias', [this.numClasses, c], 'float32', initializers.zeros()),
      ];
    }
    const stats = this.runningStats('');
    [this.runningMean, this.runningVar] = stats ?? [null, null];
    if (this.useStyle) {
      const s = this.styleLength;
      for (let j = 0; j < this.numClasses; j++) {
        this.fcKernels.push(this.addWeight(`fc_mu${j}/weight`, [s, s], 'float32', fastXavierNormal([1, 1, s, s], this.initGain, this.seed(`fc_mu${j}`))));
        this.fcBiases.push(this.addWeight(`fc_mu${j}/bias`, [s], 'float32', initializers.zeros()));
      }
      this.styleConvs = [...this.conv('conv_gamma', s, c), ...this.conv('conv_beta', s, c)];
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return this.checkShapes(inputShape)[0]!;
  }

  /**
   * The style map P [N,h,w,S] that conv_gamma/conv_beta read: each pixel holds the projected
   * style of its class (zero where it has none). Exposed for tests and visualisation.
   */
  styleMap(seg: tf.Tensor4D, codes: tf.Tensor3D, height: number, width: number): tf.Tensor4D {
    if (!this.useStyle) throw new ConfigError(`ACE '${this.name}': styleMap needs useStyle true (this layer has no style branch).`);
    if (!this.built) throw new ConfigError(`ACE '${this.name}': styleMap needs a built layer (apply it once).`);
    return tf.tidy(() => {
      const kernels = tf.stack(this.fcKernels.map((v) => v.read())) as tf.Tensor3D;
      const biases = tf.stack(this.fcBiases.map((v) => v.read())) as tf.Tensor2D;
      return broadcastStyles(regionMasks(seg, height, width), classStyles(codes, kernels, biases));
    });
  }

  /** γ_o, β_o of the class branch at (h, w). */
  private classGammaBeta(seg: tf.Tensor4D, h: number, w: number): [tf.Tensor4D, tf.Tensor4D] {
    const v = this.branch.map((b) => b.read());
    if (this.classBranch === 'spade') {
      const [sk, sb, gk, gb, bk, bb] = v as [tf.Tensor4D, tf.Tensor1D, tf.Tensor4D, tf.Tensor1D, tf.Tensor4D, tf.Tensor1D];
      return spadeGammaBeta(seg, h, w, { sharedKernel: sk, sharedBias: sb, gammaKernel: gk, gammaBias: gb, betaKernel: bk, betaBias: bb });
    }
    const cls = classIndexMap(seg, this.numClasses, h, w); // guided sampling: row c(p) of each table
    return [tf.gather(v[0]!, cls) as tf.Tensor4D, tf.gather(v[1]!, cls) as tf.Tensor4D];
  }

  /**
   * The unscaled per-pixel noise r [n,h,w,1] this layer adds for `mode` (null for 'none'): exposed so
   * another engine (the ONNX export) can be fed the very draw tfjs makes. The caller owns it.
   */
  noiseMap(n: number, h: number, w: number, mode: NoiseMode): tf.Tensor4D | null {
    if (mode === 'none') return null;
    if (mode !== 'random' && !Number.isInteger(mode))
      throw new ConfigError(`ACE: noise must be 'random', 'none' or an integer seed, got ${JSON.stringify(mode)}.`);
    const seed = typeof mode === 'number' ? seedFor(mode, this.name) : undefined;
    return tf.randomNormal([n, h, w, 1], 0, 1, 'float32', seed) as tf.Tensor4D;
  }

  private noise(x: tf.Tensor4D, mode: NoiseMode): tf.Tensor4D {
    const [n, h, w] = x.shape;
    const r = this.noiseMap(n, h, w, mode);
    // One draw per (sample, pixel), shared by all channels, scaled per channel.
    return r ? (tf.add(x, tf.mul(r, this.noiseVar!.read())) as tf.Tensor4D) : x;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: ACECallArgs = {}): tf.Tensor {
    return tf.tidy(() => {
      const list = Array.isArray(inputs) ? inputs : [inputs];
      this.checkShapes(list.map((t) => t.shape));
      const [x, seg, codes] = list as [tf.Tensor4D, tf.Tensor4D, tf.Tensor3D | undefined];
      if (x.shape[3] !== this.normNc) throw new ShapeError(`ACE '${this.name}': x must have ${this.normNc} channels (as built), got ${formatShape(x.shape)}.`);
      const training = kwargs.training === true;
      const [, h, w] = x.shape;
      const running = this.runningMean && this.runningVar ? { mean: this.runningMean.read(), variance: this.runningVar.read() } : undefined;
      const { y: xNorm, updated } = paramFreeNorm(this.noise(x, kwargs.noise ?? 'random'), {
        norm: this.paramFreeNorm, training, epsilon: this.epsilon, momentum: this.momentum, running,
      });
      if (updated && this.runningMean && this.runningVar) {
        this.runningMean.write(updated.mean);
        this.runningVar.write(updated.variance);
      }
      let [gamma, beta] = this.classGammaBeta(seg, h, w);
      if (this.useStyle) {
        const style = this.styleMap(seg, codes!, h, w);
        const [gk, gb, bk, bb] = this.styleConvs.map((v) => v.read()) as [tf.Tensor4D, tf.Tensor1D, tf.Tensor4D, tf.Tensor1D];
        const gammaS = tf.fused.conv2d({ x: style, filter: gk, strides: 1, pad: 'same', bias: gb });
        const betaS = tf.fused.conv2d({ x: style, filter: bk, strides: 1, pad: 'same', bias: bb });
        const blend = (a: tf.Tensor, s: tf.Tensor4D, o: tf.Tensor4D) => {
          const alpha = tf.sigmoid(a);
          return tf.add(tf.mul(alpha, s), tf.mul(tf.sub(1, alpha), o)) as tf.Tensor4D;
        };
        gamma = blend(this.blendGamma!.read(), gammaS, gamma);
        beta = blend(this.blendBeta!.read(), betaS, beta);
      }
      return tf.add(tf.mul(xNorm, tf.add(gamma, 1)), beta);
    });
  }

  override getConfig(): serialization.ConfigDict {
    return {
      ...super.getConfig(),
      numClasses: this.numClasses,
      useStyle: this.useStyle,
      classBranch: this.classBranch,
      hiddenNc: this.hiddenNc,
      styleLength: this.styleLength,
      paramFreeNorm: this.paramFreeNorm,
      epsilon: this.epsilon,
      momentum: this.momentum,
      initGain: this.initGain,
      initSeed: this.initSeed,
    };
  }
}
serialization.registerClass(ACE);
