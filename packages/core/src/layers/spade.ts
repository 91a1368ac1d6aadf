import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { initializers } from '@tensorflow/tfjs-layers';
import { ConfigError } from '../errors';
import { spadeModulate, type SpadeWeights } from '../ops/spade';
import { xavierNormal } from './init';
import { SemanticNorm, toInputs, type SemanticNormArgs, type Shape, type Variable } from './semantic-norm';
import { assertPositiveInt } from '../validate';

export interface SPADEArgs extends SemanticNormArgs {
  /** Channels of the segmap S (classes + dontcare + edge). Required. */
  semanticNc: number;
  /** Width of the shared MLP conv. Default 128 (fixed in the official code). */
  hiddenNc?: number;
  /** Kernel size of the MLP convs, odd. Default 3 (the "3x3" of spadesyncbatch3x3). */
  kernelSize?: number;
}

/**
 * SPADE, NHWC. Inputs [x, seg]. out = x̂ ⊙ (1 + γ) + β with γ, β = convs of
 * ReLU(conv(seg resized to x)). Weight names follow the official keys with '.' → '/'.
 */
export class SPADE extends SemanticNorm {
  /** @nocollapse */
  static className = 'SPADE';
  readonly semanticNc: number;
  readonly hiddenNc: number;
  readonly kernelSize: number;
  private vars: Variable[] = [];

  constructor(args: SPADEArgs) {
    super(args, 'SPADE');
    this.semanticNc = assertPositiveInt(args.semanticNc, 'SPADE', 'semanticNc');
    this.hiddenNc = assertPositiveInt(args.hiddenNc ?? 128, 'SPADE', 'hiddenNc');
    this.kernelSize = assertPositiveInt(args.kernelSize ?? 3, 'SPADE', 'kernelSize');
    // PyTorch pads k//2 on both sides; that equals 'same' only for odd k.
    if (this.kernelSize % 2 !== 1) throw new ConfigError(`SPADE: kernelSize must be odd, got ${this.kernelSize}.`);
  }

  protected get numInputs(): number {
    return 2;
  }

  protected get segChannels(): number {
    return this.semanticNc;
  }

  override build(inputShape: Shape | Shape[]): void {
    const [x] = this.checkInputShapes(inputShape);
    const c = x![3]!;
    const k = this.kernelSize;
    this.buildParamFreeNorm(c);
    const conv = (name: string, cin: number, cout: number) => {
      const shape = [k, k, cin, cout];
      return [
        this.addWeight(`${name}/weight`, shape, 'float32', xavierNormal(shape, this.initGain, this.seed(name))),
        this.addWeight(`${name}/bias`, [cout], 'float32', initializers.zeros()),
      ];
    };
    this.vars = [
      ...conv('mlp_shared/0', this.semanticNc, this.hiddenNc),
      ...conv('mlp_gamma', this.hiddenNc, c),
      ...conv('mlp_beta', this.hiddenNc, c),
    ];
    this.built = true;
  }

  private spadeWeights(): SpadeWeights {
    const [sk, sb, gk, gb, bk, bb] = this.vars.map((v) => v.read());
    return {
      sharedKernel: sk as tf.Tensor4D,
      sharedBias: sb as tf.Tensor1D,
      gammaKernel: gk as tf.Tensor4D,
      gammaBias: gb as tf.Tensor1D,
      betaKernel: bk as tf.Tensor4D,
      betaBias: bb as tf.Tensor1D,
    };
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return this.checkInputShapes(inputShape)[0]!;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean } = {}): tf.Tensor {
    return tf.tidy(() => {
      const [x, seg] = this.checkTensors(toInputs(inputs));
      return spadeModulate(this.normalize(x!, kwargs.training === true), seg!, this.spadeWeights());
    });
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), semanticNc: this.semanticNc, hiddenNc: this.hiddenNc, kernelSize: this.kernelSize };
  }
}
serialization.registerClass(SPADE);
