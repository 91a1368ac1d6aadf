import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { initializers } from '@tensorflow/tfjs-layers';
import type { CladeWeights } from '../ops/clade';
import { CLADE, type CLADEArgs } from './clade';
import { xavierNormal } from './init';
import type { Variable } from './semantic-norm';

export type CLADEICPEArgs = CLADEArgs;

/**
 * CLADE with intra-class positional encoding. Inputs [x, seg, dist], dist = [N,H₀,W₀,2]
 * (channel 0 row offset, channel 1 column offset, at seg's resolution).
 * Γ̃ = Γ[c]⊙(1 + Cγ(d)), B̃ = B[c]⊙(1 + Cβ(d)), Cγ/Cβ 1×1 convs 2 → 1.
 */
export class CLADEICPE extends CLADE {
  /** @nocollapse */
  static override className = 'CLADEICPE';
  private distGammaKernel: Variable | null = null;
  private distGammaBias: Variable | null = null;
  private distBetaKernel: Variable | null = null;
  private distBetaBias: Variable | null = null;

  protected override get numInputs(): number {
    return 3;
  }

  protected override buildExtraWeights(): void {
    // Zero in the official constructor, then overwritten by the global xavier init (gain 0.02).
    const k = (name: string) =>
      this.addWeight(`class_specified_affine/${name}/weight`, [1, 1, 2, 1], 'float32', xavierNormal([1, 1, 2, 1], this.initGain, this.seed(name)));
    const b = (name: string) => this.addWeight(`class_specified_affine/${name}/bias`, [1], 'float32', initializers.zeros());
    this.distGammaKernel = k('dist_conv_w');
    this.distGammaBias = b('dist_conv_w');
    this.distBetaKernel = k('dist_conv_b');
    this.distBetaBias = b('dist_conv_b');
  }

  protected override cladeWeights(): CladeWeights {
    return {
      ...super.cladeWeights(),
      icpe: {
        gammaKernel: this.distGammaKernel!.read() as tf.Tensor4D,
        gammaBias: this.distGammaBias!.read() as tf.Tensor1D,
        betaKernel: this.distBetaKernel!.read() as tf.Tensor4D,
        betaBias: this.distBetaBias!.read() as tf.Tensor1D,
      },
    };
  }
}
serialization.registerClass(CLADEICPE);
