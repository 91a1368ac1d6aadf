import * as tf from '@tensorflow/tfjs-core';
import { untaped } from './untaped';

/*
 * PyTorch's spectral_norm for a tfjs conv kernel K [kh,kw,I,O]. PyTorch's W_mat is the torch
 * weight [O,I,kh,kw] flattened to [O, I·kh·kw]; its buffers u [O] and v [I·kh·kw] keep that
 * layout, so official checkpoints load unchanged. Rather than transposing the (large) kernel on
 * every call, we use K viewed as [kh·kw·I, O] = W_matᵀ up to a permutation of rows, and permute
 * only the (small) vector v between the two row orders.
 */

/** v in torch order (I, kh, kw) → kernel row order (kh, kw, I), as a [1, kh·kw·I] row. */
function vToKernelOrder(v: tf.Tensor1D, kernelShape: number[]): tf.Tensor2D {
  const [kh, kw, cin] = kernelShape as [number, number, number];
  return tf.reshape(tf.transpose(tf.reshape(v, [cin, kh, kw]), [1, 2, 0]), [1, -1]) as tf.Tensor2D;
}

/** A [1, kh·kw·I] row in kernel order → v in torch order. */
function vToTorchOrder(row: tf.Tensor, kernelShape: number[]): tf.Tensor1D {
  const [kh, kw, cin] = kernelShape as [number, number, number];
  return tf.reshape(tf.transpose(tf.reshape(row, [kh, kw, cin]), [2, 0, 1]), [-1]) as tf.Tensor1D;
}

function normalize<T extends tf.Tensor>(y: T, eps: number): T {
  return tf.div(y, tf.maximum(tf.norm(y), eps)) as T;
}

/** W_mat [O, I·kh·kw] of PyTorch (for reference and tests; the hot path avoids it). */
export function spectralWeightMatrix(kernel: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => tf.reshape(tf.transpose(kernel, [3, 2, 0, 1]), [kernel.shape[3], -1]) as tf.Tensor2D);
}

/**
 * One power iteration (training): v = normalize(W_matᵀu), u = normalize(W_mat v). Values only:
 * u and v are constants for autograd (PyTorch runs it under `no_grad`), so no gradient flows
 * through them into the kernel.
 */
export function powerIteration(kernel: tf.Tensor4D, u: tf.Tensor1D, eps = 1e-12): { u: tf.Tensor1D; v: tf.Tensor1D } {
  return tf.tidy(() => {
    const kMat = () => tf.reshape(kernel, [-1, kernel.shape[3]]); // [kh·kw·I, O]
    const vRow = untaped(() => normalize(tf.reshape(tf.matMul(kMat(), tf.reshape(u, [-1, 1])), [1, -1]), eps));
    const u2 = untaped(() => normalize(tf.reshape(tf.matMul(vRow, kMat()), [-1]), eps)) as tf.Tensor1D;
    return { u: u2, v: vToTorchOrder(vRow, kernel.shape) };
  });
}

/** σ = uᵀ W_mat v, differentiable in the kernel (u, v are constants, as in PyTorch). */
export function spectralSigma(kernel: tf.Tensor4D, u: tf.Tensor1D, v: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const kMat = tf.reshape(kernel, [-1, kernel.shape[3]]);
    return tf.sum(tf.mul(tf.reshape(tf.matMul(vToKernelOrder(v, kernel.shape), kMat), [-1]), u)) as tf.Scalar;
  });
}

/** A layer weight as spectral norm's buffers are held: read and written in place. */
interface Buffer1D {
  read(): tf.Tensor;
  write(t: tf.Tensor): void;
}

/** Fills u and v with normalised N(0, 1) draws, as torch.nn.utils.spectral_norm initialises them. */
export function initSpectralVectors(
  u: Buffer1D & { shape: Array<number | null> },
  v: Buffer1D & { shape: Array<number | null> },
  seeds: { u: number; v: number },
): void {
  for (const [w, seed] of [
    [u, seeds.u],
    [v, seeds.v],
  ] as const) {
    const t = tf.tidy(() => {
      const r = tf.randomNormal([w.shape[0] as number], 0, 1, 'float32', seed);
      return tf.div(r, tf.norm(r));
    });
    w.write(t);
    t.dispose();
  }
}

/**
 * weight_orig / σ with the stored u, v. In training one power iteration runs first and its u, v
 * are written back (torch's spectral_norm forward pre-hook); in eval the stored ones are used.
 */
export function spectralKernel(kernel: tf.Tensor4D, u: Buffer1D, v: Buffer1D, training: boolean): tf.Tensor4D {
  return tf.tidy(() => {
    let uu = u.read() as tf.Tensor1D;
    let vv = v.read() as tf.Tensor1D;
    if (training) {
      const it = powerIteration(kernel, uu);
      u.write(it.u);
      v.write(it.v);
      uu = it.u;
      vv = it.v;
    }
    return tf.div(kernel, spectralSigma(kernel, uu, vv)) as tf.Tensor4D;
  });
}
