import * as tf from '@tensorflow/tfjs-core';
import type { MultiscaleDiscriminator, SpadeGenerator } from '@clade/spade-gen';
import { featureMatchingLoss, ganLoss } from './losses';
import type { LossConfig } from './run-config';
import { vggLoss, type Vgg19Features } from './vgg';

/** What one iteration consumes, NHWC. */
export interface StepBatch {
  seg: tf.Tensor4D;
  image: tf.Tensor4D;
  dist?: tf.Tensor4D;
}

/** Scalar losses of one iteration (named as the official logs name them). */
export interface StepLosses {
  G_GAN: number;
  G_GAN_Feat: number;
  /** VGG perceptual loss × lambdaVgg; present only when the VGG loss is on. */
  G_VGG?: number;
  D_Fake: number;
  D_real: number;
}

export interface StepModels {
  G: SpadeGenerator;
  D: MultiscaleDiscriminator;
  optG: tf.Optimizer;
  optD: tf.Optimizer;
  /** The frozen VGG19 features for the perceptual loss (used when loss.lambdaVgg > 0). */
  vgg?: Vgg19Features | null;
}

const trainable = (m: { model: { trainableWeights: Array<{ read(): tf.Tensor }> } }) =>
  m.model.trainableWeights.map((w) => w.read() as tf.Variable);

/**
 * One official iteration: a G step (GAN + feature matching + VGG when `m.vgg` is given and
 * lambdaVgg > 0), then a D step on a fake regenerated without gradients. Both G passes run in training mode (BN statistics and spectral-norm power
 * iterations update twice per iteration, as in the official code).
 */
export function trainStep(m: StepModels, batch: StepBatch, loss: LossConfig): StepLosses {
  const { seg, image, dist } = batch;
  const gVars = trainable(m.G);
  const dVars = trainable(m.D);
  const parts: Partial<StepLosses> = {};
  const vgg = loss.lambdaVgg > 0 ? m.vgg ?? null : null;
  // The real image's VGG features are constants: computed outside the tape, once.
  const realFeats = vgg ? vgg.apply(image) : null;

  const g = tf.variableGrads(() => {
    const fake = m.G.apply({ seg, dist }, true);
    const pred = m.D.discriminate(seg, fake, image, true);
    const gan = ganLoss(pred.fake, loss.ganMode, 'generator');
    const feat = loss.lambdaFeat > 0 ? featureMatchingLoss(pred.fake, pred.real, loss.lambdaFeat) : tf.scalar(0);
    parts.G_GAN = gan.dataSync()[0]!;
    parts.G_GAN_Feat = feat.dataSync()[0]!;
    if (!vgg) return tf.add(gan, feat) as tf.Scalar;
    const perceptual = tf.mul(vggLoss(vgg, fake, realFeats!), loss.lambdaVgg);
    parts.G_VGG = perceptual.dataSync()[0]!;
    return tf.addN([gan, feat, perceptual]) as tf.Scalar;
  }, gVars);
  m.optG.applyGradients(g.grads);
  tf.dispose([g.value, ...Object.values(g.grads), ...(realFeats ?? [])]);

  const fake = tf.tidy(() => m.G.apply({ seg, dist }, true));
  const d = tf.variableGrads(() => {
    const pred = m.D.discriminate(seg, fake, image, true);
    const dFake = ganLoss(pred.fake, loss.ganMode, 'fake');
    const dReal = ganLoss(pred.real, loss.ganMode, 'real');
    parts.D_Fake = dFake.dataSync()[0]!;
    parts.D_real = dReal.dataSync()[0]!;
    return tf.add(dFake, dReal) as tf.Scalar;
  }, dVars);
  m.optD.applyGradients(d.grads);
  tf.dispose([fake, d.value, ...Object.values(d.grads)]);
  return parts as StepLosses;
}
