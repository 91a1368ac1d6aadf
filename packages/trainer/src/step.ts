import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, withClassIndexCache } from '@clade/core';
import { SpadeGenerator, type ConvEncoder, type MultiscaleDiscriminator } from '@clade/spade-gen';
import { featureMatchingLoss, ganLoss } from './losses';
import type { LossConfig } from './run-config';
import { spadeTrainable, type StepBatch, type TrainableGenerator } from './trainable';
import { vggLoss, type Vgg19Features } from './vgg';

/** Scalar losses of one iteration (named as the official logs name them). */
export interface StepLosses {
  G_GAN: number;
  G_GAN_Feat: number;
  /** VGG perceptual loss × lambdaVgg; present only when the VGG loss is on. */
  G_VGG?: number;
  /** KL divergence × lambdaKld; present only for VAE runs (an encoder is given). */
  KLD?: number;
  D_Fake: number;
  D_real: number;
}

export interface StepModels {
  /** Any trainable generator; a bare SpadeGenerator (with `E` for a VAE) is wrapped. */
  G: TrainableGenerator | SpadeGenerator;
  D: MultiscaleDiscriminator;
  optG: tf.Optimizer;
  optD: tf.Optimizer;
  /** The frozen VGG19 features for the perceptual loss (used when loss.lambdaVgg > 0). */
  vgg?: Vgg19Features | null;
  /**
   * With a bare SpadeGenerator of a VAE run: the encoder of the real image gives G its z
   * (REFERENCE §9). Its weights are trained by the G optimizer, as in the official code.
   */
  E?: ConvEncoder | null;
}

/**
 * Where the random draws of an iteration (VAE reparameterization, SEAN's per-pixel noise) come
 * from: a seed per iteration makes every draw a function of the run seed and the counters, so a
 * resumed run draws the same values.
 */
export interface StepNoise {
  seed: number;
}

/** Scalar losses of one batch, added into `sums` (read back once per batch, as the logs need them). */
type Sums = Partial<Record<keyof StepLosses, number>>;
const record = (sums: Sums, name: keyof StepLosses, t: tf.Scalar) => (sums[name] = (sums[name] ?? 0) + t.dataSync()[0]!);

/**
 * Runs `compute(i)` for every batch and returns the MEAN of their gradients (the sum when there is
 * one batch, so k = 1 is the plain step bit for bit). Holds one batch's activations at a time.
 */
function meanGradients(k: number, compute: (i: number) => { value: tf.Scalar; grads: tf.NamedTensorMap }): tf.NamedTensorMap {
  let sum: tf.NamedTensorMap = {};
  for (let i = 0; i < k; i++) {
    const { value, grads } = compute(i);
    value.dispose();
    if (i === 0) sum = grads;
    else
      for (const [name, g] of Object.entries(grads)) {
        const acc = tf.add(sum[name]!, g);
        tf.dispose([sum[name]!, g]);
        sum[name] = acc;
      }
  }
  if (k === 1) return sum;
  return Object.fromEntries(
    Object.entries(sum).map(([name, g]) => {
      const mean = tf.div(g, k);
      g.dispose();
      return [name, mean];
    }),
  );
}

/**
 * One official iteration: a G step (GAN + feature matching + VGG when `m.vgg` is given and
 * lambdaVgg > 0), then a D step on a fake regenerated without gradients. Both G passes run in
 * training mode (BN statistics and spectral-norm power iterations update twice per iteration, as
 * in the official code).
 *
 * Gradient accumulation: given several batches, each optimizer step (G, then D) uses the mean of
 * their gradients, computed one batch at a time, so k batches of n samples cost the activation
 * memory of n and take about k times as long. With per-sample norms (instance norm, no spectral
 * norm) that equals one step on the k·n samples up to float error; with the official sync-BN and
 * spectral norm, batch statistics, running statistics and power iterations run once per batch.
 * The losses returned are the means over the batches.
 */
export function trainStep(m: StepModels, batches: StepBatch | readonly StepBatch[], loss: LossConfig, noise: StepNoise = { seed: 0 }): StepLosses {
  // G's CLADE layers take each label map's class indices once per step (both G passes, their
  // backward), not once per layer and pass.
  return withClassIndexCache(() => step(m, batches, loss, noise));
}

function step(m: StepModels, batches: StepBatch | readonly StepBatch[], loss: LossConfig, noise: StepNoise): StepLosses {
  const list: readonly StepBatch[] = Array.isArray(batches) ? batches : [batches as StepBatch];
  if (list.length === 0) throw new ConfigError('trainStep: batches must hold at least one batch, got none.');
  const k = list.length;
  const gen = m.G instanceof SpadeGenerator ? spadeTrainable(m.G, m.E ?? null) : m.G;
  const gVars = gen.variables();
  const dVars = m.D.model.trainableWeights.map((w) => w.read() as tf.Variable);
  const sums: Sums = {};
  const vgg = loss.lambdaVgg > 0 ? m.vgg ?? null : null;

  const gGrads = meanGradients(k, (i) => {
    const batch = list[i]!;
    // The real image's VGG features are constants: computed outside the tape, once.
    const realFeats = vgg ? vgg.apply(batch.image) : null;
    const g = tf.variableGrads(() => {
      const { fake, kld } = gen.fake(batch, true, drawSeed(noise.seed, 2 * i));
      const terms: tf.Scalar[] = [];
      if (kld) {
        const weighted = tf.mul(kld, loss.lambdaKld) as tf.Scalar;
        record(sums, 'KLD', weighted);
        terms.push(weighted);
      }
      const pred = m.D.discriminate(batch.seg, fake, batch.image, true);
      const gan = ganLoss(pred.fake, loss.ganMode, 'generator');
      const feat = loss.lambdaFeat > 0 ? featureMatchingLoss(pred.fake, pred.real, loss.lambdaFeat) : tf.scalar(0);
      record(sums, 'G_GAN', gan);
      record(sums, 'G_GAN_Feat', feat);
      terms.push(gan, feat);
      if (vgg) {
        const perceptual = tf.mul(vggLoss(vgg, fake, realFeats!), loss.lambdaVgg) as tf.Scalar;
        record(sums, 'G_VGG', perceptual);
        terms.push(perceptual);
      }
      return tf.addN(terms) as tf.Scalar;
    }, gVars);
    tf.dispose(realFeats ?? []);
    return g;
  });
  m.optG.applyGradients(gGrads);
  tf.dispose(Object.values(gGrads));

  const dGrads = meanGradients(k, (i) => {
    const { seg, image } = list[i]!;
    // The official D step regenerates the fake without gradients, G (and its encoder) in training mode.
    const fake = tf.tidy(() => gen.fake(list[i]!, true, drawSeed(noise.seed, 2 * i + 1)).fake);
    const d = tf.variableGrads(() => {
      const pred = m.D.discriminate(seg, fake, image, true);
      const dFake = ganLoss(pred.fake, loss.ganMode, 'fake');
      const dReal = ganLoss(pred.real, loss.ganMode, 'real');
      record(sums, 'D_Fake', dFake);
      record(sums, 'D_real', dReal);
      return tf.add(dFake, dReal) as tf.Scalar;
    }, dVars);
    fake.dispose();
    return d;
  });
  m.optD.applyGradients(dGrads);
  tf.dispose(Object.values(dGrads));
  return Object.fromEntries(Object.entries(sums).map(([name, v]) => [name, k === 1 ? v : v / k])) as unknown as StepLosses;
}

/** The seed of draw `k` of an iteration (G pass 2i, D pass 2i + 1 of batch i). */
function drawSeed(seed: number, k: number): number {
  return (Math.imul(seed ^ 0x2545f491, 0x9e3779b1) + k * 0x632be5ab) >>> 0;
}
