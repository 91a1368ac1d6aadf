import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../errors';

/** The parameter-free norms of SPADE/CLADE. 'syncBatch' is 'batch' on one device. */
export const PARAM_FREE_NORMS = ['instance', 'batch', 'syncBatch'] as const;
export type ParamFreeNorm = (typeof PARAM_FREE_NORMS)[number];

export function assertParamFreeNorm(v: unknown, who: string): ParamFreeNorm {
  if (!PARAM_FREE_NORMS.includes(v as ParamFreeNorm))
    throw new ConfigError(`${who}: paramFreeNorm must be one of ${PARAM_FREE_NORMS.join(', ')}, got '${String(v)}'.`);
  return v as ParamFreeNorm;
}

export function usesRunningStats(norm: ParamFreeNorm): boolean {
  return norm !== 'instance';
}

/** Per-sample, per-channel statistics over H×W, biased variance (InstanceNorm2d, affine=False). */
export function instanceNorm(x: tf.Tensor4D, epsilon = 1e-5): tf.Tensor4D {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, [1, 2], true);
    return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, epsilon))) as tf.Tensor4D;
  });
}

/** Eval-mode batch norm with running statistics: (x − mean) / sqrt(var + eps). */
export function batchNormInference(
  x: tf.Tensor4D,
  runningMean: tf.Tensor,
  runningVar: tf.Tensor,
  epsilon = 1e-5,
): tf.Tensor4D {
  return tf.tidy(() => tf.div(tf.sub(x, runningMean), tf.sqrt(tf.add(runningVar, epsilon))) as tf.Tensor4D);
}

export interface BatchNormTrainResult {
  y: tf.Tensor4D;
  /** Batch mean over N×H×W, [C]. */
  mean: tf.Tensor1D;
  /** Unbiased batch variance (×n/(n−1)), [C]: what PyTorch feeds the running average. */
  unbiasedVariance: tf.Tensor1D;
}

/** Train-mode batch norm: batch statistics, biased variance for normalising (PyTorch semantics). */
export function batchNormTrain(x: tf.Tensor4D, epsilon = 1e-5): BatchNormTrainResult {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    const y = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, epsilon))) as tf.Tensor4D;
    const n = x.shape[0] * x.shape[1] * x.shape[2];
    const unbiasedVariance = tf.mul(variance, n > 1 ? n / (n - 1) : 1) as tf.Tensor1D;
    return { y, mean: mean as tf.Tensor1D, unbiasedVariance };
  });
}

/**
 * PyTorch's running-average update: running ← (1 − momentum)·running + momentum·batch.
 * (Keras/tfjs call the same thing "momentum 0.9": the weight on the old value.)
 */
export function updateRunningStat(running: tf.Tensor, batch: tf.Tensor, momentum = 0.1): tf.Tensor {
  return tf.tidy(() => tf.add(tf.mul(running, 1 - momentum), tf.mul(batch, momentum)));
}

export interface ParamFreeNormOptions {
  norm: ParamFreeNorm;
  training: boolean;
  epsilon?: number;
  momentum?: number;
  /** Running statistics, required for 'batch'/'syncBatch'. */
  running?: { mean: tf.Tensor; variance: tf.Tensor };
}

export interface ParamFreeNormResult {
  y: tf.Tensor4D;
  /** Updated running statistics (train mode with running stats only); the caller stores them. */
  updated?: { mean: tf.Tensor; variance: tf.Tensor };
}

/** x̂ of every SPADE/CLADE layer, in either mode. */
export function paramFreeNorm(x: tf.Tensor4D, opts: ParamFreeNormOptions): ParamFreeNormResult {
  const { norm, training, epsilon = 1e-5, momentum = 0.1, running } = opts;
  if (!usesRunningStats(norm)) return { y: instanceNorm(x, epsilon) };
  if (!running) throw new ConfigError(`paramFreeNorm: '${norm}' needs running statistics, got none.`);
  if (!training) return { y: batchNormInference(x, running.mean, running.variance, epsilon) };
  const { y, mean, unbiasedVariance } = batchNormTrain(x, epsilon);
  const updated = {
    mean: updateRunningStat(running.mean, mean, momentum),
    variance: updateRunningStat(running.variance, unbiasedVariance, momentum),
  };
  tf.dispose([mean, unbiasedVariance]);
  return { y, updated };
}
