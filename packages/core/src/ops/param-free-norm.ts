import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../errors';
import { assertOneOf } from '../validate';
import { untaped } from './untaped';

/** The parameter-free norms of SPADE/CLADE. 'syncBatch' is 'batch' on one device. */
export const PARAM_FREE_NORMS = ['instance', 'batch', 'syncBatch'] as const;
export type ParamFreeNorm = (typeof PARAM_FREE_NORMS)[number];

export function assertParamFreeNorm(v: unknown, who: string): ParamFreeNorm {
  return assertOneOf(v, PARAM_FREE_NORMS, who, 'paramFreeNorm');
}

export function usesRunningStats(norm: ParamFreeNorm): boolean {
  return norm !== 'instance';
}

interface Standardized {
  y: tf.Tensor4D;
  /** Mean and biased variance over `axes` (kept dims), constants of the gradient tape. */
  mean: tf.Tensor;
  variance: tf.Tensor;
}

/**
 * y = (x − mean) / sqrt(var + eps) over `axes` (biased variance), with its gradient written
 * out as PyTorch's: dx = rstd · (dy − mean(dy) − (x − mean) · rstd² · mean(dy · (x − mean))).
 * Autodiff of the composed form takes about four times the passes over the activation (the
 * division's and the variance's chains, broadcasts and casts).
 *
 * The mean takes a second, corrective pass (m + mean(x − m)). PyTorch accumulates these sums in
 * double; a float32 mean's rounding, amplified by 1/σ where a channel has few pixels (G's 2×2 and
 * 4×4 blocks at batch 1) and little spread, flipped the sign of Adam's first step on weights
 * whose gradient is ~1e-7 against the official iteration (p4), on any conv rounding but one.
 */
function standardize(x: tf.Tensor4D, axes: number[], epsilon: number): Standardized {
  const mean = untaped(() => {
    const m = tf.mean(x, axes, true);
    return tf.add(m, tf.mean(tf.sub(x, m), axes, true));
  });
  const variance = untaped(() => tf.mean(tf.squaredDifference(x, mean), axes, true));
  const rstd = untaped(() => tf.rsqrt(tf.add(variance, epsilon)));
  const f = tf.customGrad(((input: tf.Tensor, m: tf.Tensor, r: tf.Tensor, save: tf.GradSaveFunc) => {
    // Only inputs are saved (an intermediate would outlive the forward's scope): x − mean is
    // recomputed in the backward pass.
    save([input, m, r]);
    return {
      value: tf.mul(tf.sub(input, m), r),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xx, mm, rr] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        const c = tf.sub(xx, mm);
        const meanDy = tf.mean(dy, axes, true);
        const k = tf.mul(tf.mean(tf.mul(dy, c), axes, true), tf.square(rr));
        // m and r are tape constants: their zero gradients go nowhere.
        return [tf.mul(tf.sub(tf.sub(dy, meanDy), tf.mul(c, k)), rr), tf.zerosLike(m), tf.zerosLike(r)];
      },
    };
  }) as Parameters<typeof tf.customGrad>[0]);
  return { y: f(x, mean, rstd) as tf.Tensor4D, mean, variance };
}

/** Per-sample, per-channel statistics over H×W, biased variance (InstanceNorm2d, affine=False). */
export function instanceNorm(x: tf.Tensor4D, epsilon = 1e-5): tf.Tensor4D {
  return tf.tidy(() => standardize(x, [1, 2], epsilon).y);
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
    const { y, mean, variance } = standardize(x, [0, 1, 2], epsilon);
    const c = x.shape[3];
    const n = x.shape[0] * x.shape[1] * x.shape[2];
    const unbiasedVariance = tf.reshape(tf.mul(variance, n > 1 ? n / (n - 1) : 1), [c]) as tf.Tensor1D;
    return { y, mean: tf.reshape(mean, [c]) as tf.Tensor1D, unbiasedVariance };
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
