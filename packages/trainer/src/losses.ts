import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '@clade/core';

/** GAN objectives of the official code (REFERENCE §10). */
export const GAN_MODES = ['hinge', 'ls', 'original'] as const;
export type GanMode = (typeof GAN_MODES)[number];

/** Patch logits of one D scale → scalar loss, per mode and role. */
function scaleLoss(p: tf.Tensor, mode: GanMode, target: 'real' | 'fake' | 'generator'): tf.Scalar {
  switch (mode) {
    case 'hinge':
      if (target === 'generator') return tf.neg(tf.mean(p)) as tf.Scalar;
      return tf.neg(tf.mean(tf.minimum(target === 'real' ? tf.sub(p, 1) : tf.sub(tf.neg(p), 1), 0))) as tf.Scalar;
    case 'ls':
      return tf.mean(tf.square(tf.sub(p, target === 'fake' ? 0 : 1))) as tf.Scalar;
    case 'original':
      return tf.losses.sigmoidCrossEntropy(tf.fill(p.shape, target === 'fake' ? 0 : 1), p) as tf.Scalar;
    default:
      throw new ConfigError(`ganLoss: mode must be one of ${GAN_MODES.join(', ')}, got '${String(mode)}'.`);
  }
}

/**
 * Multi-scale GAN loss: each scale's LAST output (the patch logits) gives a scalar mean; the sum
 * over scales is divided by the number of scales.
 */
export function ganLoss(features: tf.Tensor[][], mode: GanMode, target: 'real' | 'fake' | 'generator'): tf.Scalar {
  return tf.tidy(() => {
    const per = features.map((scale) => scaleLoss(scale[scale.length - 1]!, mode, target));
    return tf.div(tf.addN(per), features.length) as tf.Scalar;
  });
}

/**
 * Feature matching (G only): Σ over scales and intermediate outputs (all but the last) of
 * mean|f_fake − f_real| · λ / numD. The real features are constants (no gradient reaches D's
 * real branch: the caller passes them from outside the gradient function or they carry none).
 */
export function featureMatchingLoss(fake: tf.Tensor[][], real: tf.Tensor[][], lambda: number): tf.Scalar {
  return tf.tidy(() => {
    const terms: tf.Scalar[] = [];
    fake.forEach((scale, i) => {
      for (let j = 0; j < scale.length - 1; j++) terms.push(tf.mean(tf.abs(tf.sub(scale[j]!, real[i]![j]!))) as tf.Scalar);
    });
    if (terms.length === 0) return tf.scalar(0);
    return tf.mul(tf.addN(terms), lambda / fake.length) as tf.Scalar;
  });
}

/** KL divergence of the VAE: −0.5·Σ(1 + logvar − μ² − exp(logvar)), a SUM over batch and dims. */
export function kldLoss(mu: tf.Tensor, logvar: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mul(tf.sum(tf.sub(tf.sub(tf.add(logvar, 1), tf.square(mu)), tf.exp(logvar))), -0.5) as tf.Scalar);
}
