import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { initializers } from '@tensorflow/tfjs-layers';
import { cladeModulate, type CladeWeights } from '../ops/clade';
import { xavierNormal } from './init';
import { SemanticNorm, toInputs, type SemanticNormArgs, type Shape, type Variable } from './semantic-norm';
import { assertPositiveInt } from '../validate';

export interface CLADEArgs extends SemanticNormArgs {
  /** Rows of the Γ/B tables: labelNc + dontcare. The edge channel is not a class. Required. */
  numClasses: number;
  /**
   * The segmap carries an instance-edge channel last (seg has numClasses + 1 channels); a 1×1
   * conv maps it to a·E + b, concatenated as one extra output channel. Default false.
   */
  useInstance?: boolean;
}

/**
 * CLADE, NHWC. Inputs [x, seg]. out = x̂ ⊙ Γ[c] + B[c] (no "1 +"), c = argmax of seg's class
 * channels resized (nearest, floor rule) to x; with useInstance the output has C + 1 channels.
 * Weight names follow the official keys with '.' → '/': class_specified_affine/weight, …
 */
export class CLADE extends SemanticNorm {
  /** @nocollapse */
  static className = 'CLADE';
  readonly numClasses: number;
  readonly useInstance: boolean;
  protected gammaTable: Variable | null = null;
  protected betaTable: Variable | null = null;
  protected edgeKernel: Variable | null = null;
  protected edgeBias: Variable | null = null;

  constructor(args: CLADEArgs) {
    super(args, new.target.className);
    this.numClasses = assertPositiveInt(args.numClasses, new.target.className, 'numClasses');
    this.useInstance = args.useInstance ?? false;
  }

  protected get numInputs(): number {
    return 2;
  }

  protected get segChannels(): number {
    return this.numClasses + (this.useInstance ? 1 : 0);
  }

  override build(inputShape: Shape | Shape[]): void {
    const [x] = this.checkInputShapes(inputShape);
    const c = x![3]!;
    this.buildParamFreeNorm(c);
    // U[0,1) scale table and zero bias table: the official init (the global xavier init skips them).
    this.gammaTable = this.addWeight('class_specified_affine/weight', [this.numClasses, c], 'float32',
      initializers.randomUniform({ minval: 0, maxval: 1, seed: this.seed('class_specified_affine/weight') }));
    this.betaTable = this.addWeight('class_specified_affine/bias', [this.numClasses, c], 'float32', initializers.zeros());
    this.buildExtraWeights();
    if (this.useInstance) {
      this.edgeKernel = this.addWeight('inst_conv/weight', [1, 1, 1, 1], 'float32', xavierNormal([1, 1, 1, 1], this.initGain, this.seed('inst_conv/weight')));
      this.edgeBias = this.addWeight('inst_conv/bias', [1], 'float32', initializers.zeros());
    }
    this.built = true;
  }

  /** Hook for CLADE-ICPE's weights (created between the tables and inst_conv, the official key order). */
  protected buildExtraWeights(): void {}

  protected cladeWeights(): CladeWeights {
    return {
      gamma: this.gammaTable!.read() as tf.Tensor2D,
      beta: this.betaTable!.read() as tf.Tensor2D,
      edge: this.useInstance
        ? { kernel: this.edgeKernel!.read() as tf.Tensor4D, bias: this.edgeBias!.read() as tf.Tensor1D }
        : undefined,
    };
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [x] = this.checkInputShapes(inputShape);
    return [x![0]!, x![1]!, x![2]!, x![3]! + (this.useInstance ? 1 : 0)];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean } = {}): tf.Tensor {
    return tf.tidy(() => {
      const [x, seg, dist] = this.checkTensors(toInputs(inputs));
      const training = kwargs.training === true;
      const weights = this.cladeWeights();
      if (!training && this.runningMean && this.runningVar && !weights.icpe) {
        // Eval batch norm x̂ = x·s + t folded into the [K,C] tables (Γ' = Γ·s, B' = B + Γ·t):
        // two small table ops instead of a subtract and a divide over every pixel.
        const s = tf.rsqrt(tf.add(this.runningVar.read(), this.epsilon));
        const t = tf.neg(tf.mul(this.runningMean.read(), s));
        const folded = { ...weights, gamma: tf.mul(weights.gamma, s) as tf.Tensor2D, beta: tf.add(weights.beta, tf.mul(weights.gamma, t)) as tf.Tensor2D };
        return cladeModulate(x!, seg!, folded, dist);
      }
      return cladeModulate(this.normalize(x!, training), seg!, weights, dist);
    });
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), numClasses: this.numClasses, useInstance: this.useInstance };
  }
}
serialization.registerClass(CLADE);
