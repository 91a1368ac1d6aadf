import * as tf from '@tensorflow/tfjs-core';
import { nearestResize } from './nearest-resize';

/** Weights of one SPADE modulation network, tfjs layouts ([kh,kw,in,out] kernels). */
export interface SpadeWeights {
  sharedKernel: tf.Tensor4D; // [k,k,S,hidden]
  sharedBias: tf.Tensor1D;
  gammaKernel: tf.Tensor4D; // [k,k,hidden,C]
  gammaBias: tf.Tensor1D;
  betaKernel: tf.Tensor4D; // [k,k,hidden,C]
  betaBias: tf.Tensor1D;
}

/** γ and β of SPADE from the segmap resized to x's size (stride-1 'same' convs = PyTorch pad k//2 for odd k). */
export function spadeGammaBeta(seg: tf.Tensor4D, height: number, width: number, w: SpadeWeights): [tf.Tensor4D, tf.Tensor4D] {
  return tf.tidy(() => {
    const m = nearestResize(seg, height, width);
    // Fused conv+bias(+relu): one kernel on wasm/webgl/tfjs-node, gradients included.
    const actv = tf.fused.conv2d({ x: m, filter: w.sharedKernel, strides: 1, pad: 'same', bias: w.sharedBias, activation: 'relu' });
    const gamma = tf.fused.conv2d({ x: actv, filter: w.gammaKernel, strides: 1, pad: 'same', bias: w.gammaBias });
    const beta = tf.fused.conv2d({ x: actv, filter: w.betaKernel, strides: 1, pad: 'same', bias: w.betaBias });
    return [gamma, beta];
  });
}

/** SPADE modulation of an already normalised x̂: x̂·(1 + γ) + β. */
export function spadeModulate(xNorm: tf.Tensor4D, seg: tf.Tensor4D, w: SpadeWeights): tf.Tensor4D {
  return tf.tidy(() => {
    const [gamma, beta] = spadeGammaBeta(seg, xNorm.shape[1], xNorm.shape[2], w);
    return tf.add(tf.mul(xNorm, tf.add(gamma, 1)), beta) as tf.Tensor4D;
  });
}
