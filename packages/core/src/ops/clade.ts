import * as tf from '@tensorflow/tfjs-core';
import { nearestResize } from './nearest-resize';

/** ICPE weights: two 1×1 convs, 2 → 1 channel ([1,1,2,1] kernels, [1] biases). */
export interface IcpeWeights {
  gammaKernel: tf.Tensor4D;
  gammaBias: tf.Tensor1D;
  betaKernel: tf.Tensor4D;
  betaBias: tf.Tensor1D;
}

export interface CladeWeights {
  /** Γ, [K,C]: row k scales class k. */
  gamma: tf.Tensor2D;
  /** B, [K,C]. */
  beta: tf.Tensor2D;
  /** Edge 1×1 conv (a, b) when the segmap carries an instance-edge channel last. */
  edge?: { kernel: tf.Tensor4D; bias: tf.Tensor1D };
  /** CLADE-ICPE positional modulation. */
  icpe?: IcpeWeights;
}

/**
 * Class index per pixel: argmax over the first K channels of the segmap resized to (h, w).
 * For an exact one-hot map this equals the official embedding lookup; an all-zero row gives
 * class 0 (first maximum), as torch.argmax does. Trailing (edge) channels are pushed far below
 * any class value instead of sliced off: a last-axis slice is very slow on some backends.
 */
export function classIndexMap(seg: tf.Tensor4D, numClasses: number, height: number, width: number): tf.Tensor3D {
  return tf.tidy(() => {
    const m = nearestResize(seg, height, width);
    const extra = m.shape[3] - numClasses;
    if (extra === 0) return tf.argMax(m, -1) as tf.Tensor3D;
    const penalty = tf.concat([tf.zeros([numClasses]), tf.fill([extra], -3e38)]);
    return tf.argMax(tf.add(m, penalty), -1) as tf.Tensor3D;
  });
}

/**
 * Class-index maps shared by the CLADE layers of one forward pass (see `withClassIndexCache`):
 * the arg-max of a segmap is taken once at its own resolution and nearest-resized per layer size,
 * which equals resizing the one-hot first (nearest picks whole pixels). Null outside a pass.
 */
let sharedIndexMaps: Map<string, tf.Tensor3D> | null = null;

/**
 * Runs `fn` with the class-index maps of its segmaps computed once per resolution instead of
 * once per CLADE layer: a generator's CLADE layers all read the same segmap, and its K-channel
 * arg-max dominates small generators. The maps are freed when `fn` returns, so `fn` must hold
 * every use of them: an eval forward pass, or a whole training step (its forward passes, the
 * backward passes that gather with them, and the update).
 */
export function withClassIndexCache<T>(fn: () => T): T {
  if (sharedIndexMaps) return fn(); // nested: the outer pass owns the cache
  sharedIndexMaps = new Map();
  try {
    return fn();
  } finally {
    sharedIndexMaps.forEach((t) => t.dispose());
    sharedIndexMaps = null;
  }
}

/** `classIndexMap` through the pass's cache (kept out of the caller's tidy until the pass ends). */
function cachedClassIndexMap(seg: tf.Tensor4D, numClasses: number, height: number, width: number): tf.Tensor3D {
  const cache = sharedIndexMaps!;
  const get = (key: string, make: () => tf.Tensor3D) => {
    let t = cache.get(key);
    if (!t) cache.set(key, (t = tf.keep(make())));
    return t;
  };
  const [n, h, w] = seg.shape;
  const full = get(`${seg.id}:${numClasses}`, () => classIndexMap(seg, numClasses, h, w));
  if (h === height && w === width) return full;
  return get(`${seg.id}:${numClasses}:${height}x${width}`, () =>
    // The resize returns float32 (exact for class ids); gather wants int32 indices.
    tf.tidy(() => tf.cast(tf.reshape(nearestResize(tf.reshape(full, [n, h, w, 1]) as tf.Tensor4D, height, width), [n, height, width]), 'int32') as tf.Tensor3D),
  );
}

/**
 * The edge feature a·E + b, E = the last channel of m: one 1×1 conv whose kernel selects that
 * channel scaled by a (no last-axis slice, gradients reach a and b).
 */
function edgeFeature(m: tf.Tensor4D, kernel: tf.Tensor4D, bias: tf.Tensor1D): tf.Tensor4D {
  const s = m.shape[3];
  const select = tf.reshape(tf.mul(tf.oneHot(tf.tensor1d([s - 1], 'int32'), s), tf.reshape(kernel, [1, 1])), [1, 1, s, 1]);
  return tf.fused.conv2d({ x: m, filter: select as tf.Tensor4D, strides: 1, pad: 'valid', bias });
}

/** 1×1 conv 2→1 of the (resized) positional map, then 1 + s: the ICPE factor [N,h,w,1]. */
function icpeFactor(dist: tf.Tensor4D, kernel: tf.Tensor4D, bias: tf.Tensor1D): tf.Tensor4D {
  return tf.add(tf.fused.conv2d({ x: dist, filter: kernel, strides: 1, pad: 'valid', bias }), 1) as tf.Tensor4D;
}

/** Kernel names of the fused modulation, plain and with ICPE's factors; @clade/backend registers them for wasm. */
export const CLADE_MODULATE = 'CladeModulate';
export const CLADE_MODULATE_SCALED = 'CladeModulateScaled';

/** CLADE-ICPE's per-pixel factors 1 + C(d) of Γ and B, [N,h,w,1]. */
export interface CladeScales {
  gamma: tf.Tensor4D;
  beta: tf.Tensor4D;
}

/**
 * x ⊙ Γ[cls] + B[cls] (x [N,h,w,C], cls [N,h,w] int32, Γ/B [K,C]); with `scales` (CLADE-ICPE)
 * x ⊙ (Γ[cls]·s_γ) + B[cls]·s_β. One pass where the active backend has the fused kernel (no
 * dense [N,h,w,C] γ/β maps); else gathers, Muls and an Add. Both are differentiable, with the
 * same values and gradients.
 */
export function cladeAffine(x: tf.Tensor4D, cls: tf.Tensor3D, gamma: tf.Tensor2D, beta: tf.Tensor2D, scales?: CladeScales): tf.Tensor4D {
  const kernel = scales ? CLADE_MODULATE_SCALED : CLADE_MODULATE;
  if (tf.getKernel(kernel, tf.getBackend())) {
    const inputs = { x, indices: cls, gamma, beta, ...(scales ? { gammaScale: scales.gamma, betaScale: scales.beta } : {}) };
    return tf.engine().runKernel(kernel, inputs, {}) as tf.Tensor4D;
  }
  return tf.tidy(() => {
    let g: tf.Tensor = tf.gather(gamma, cls); // guided sampling: [N,h,w,C]
    let b: tf.Tensor = tf.gather(beta, cls);
    if (scales) [g, b] = [tf.mul(g, scales.gamma), tf.mul(b, scales.beta)];
    return tf.add(tf.mul(x, g), b) as tf.Tensor4D;
  });
}

// The fused kernels' gradients, as autodiff gives them for the composed form (a gather's
// gradient is a segment sum over the pixels of each class).
function cladeGradient(dy: tf.Tensor, x: tf.Tensor, indices: tf.Tensor, gamma: tf.Tensor2D, beta: tf.Tensor2D, fg?: tf.Tensor, fb?: tf.Tensor) {
  const [k, c] = gamma.shape;
  const ids = () => tf.reshape(indices, [-1]) as tf.Tensor1D;
  const scaledBy = (t: tf.Tensor, f: tf.Tensor | undefined) => (f ? tf.mul(t, f) : t);
  return {
    x: () => tf.mul(dy, scaledBy(tf.gather(gamma, indices), fg)),
    indices: () => tf.zerosLike(indices),
    gamma: () => tf.unsortedSegmentSum(tf.reshape(scaledBy(tf.mul(dy, x), fg), [-1, c]), ids(), k),
    beta: () => tf.unsortedSegmentSum(tf.reshape(scaledBy(dy, fb), [-1, c]), ids(), k),
  };
}
tf.registerGradient({
  kernelName: CLADE_MODULATE,
  inputsToSave: ['x', 'indices', 'gamma', 'beta'],
  gradFunc: (dy, saved) => {
    const [x, indices, gamma, beta] = saved as [tf.Tensor, tf.Tensor, tf.Tensor2D, tf.Tensor2D];
    return cladeGradient(dy as tf.Tensor, x, indices, gamma, beta);
  },
});
tf.registerGradient({
  kernelName: CLADE_MODULATE_SCALED,
  inputsToSave: ['x', 'indices', 'gamma', 'beta', 'gammaScale', 'betaScale'],
  gradFunc: (dy, saved) => {
    const [x, indices, gamma, beta, fg, fb] = saved as [tf.Tensor, tf.Tensor, tf.Tensor2D, tf.Tensor2D, tf.Tensor, tf.Tensor];
    const d = dy as tf.Tensor;
    const perPixel = (t: tf.Tensor, like: tf.Tensor) => tf.reshape(tf.sum(t, -1, true), like.shape);
    return {
      ...cladeGradient(d, x, indices, gamma, beta, fg, fb),
      gammaScale: () => perPixel(tf.mul(tf.mul(d, x), tf.gather(gamma, indices)), fg),
      betaScale: () => perPixel(tf.mul(d, tf.gather(beta, indices)), fb),
    };
  },
});

/**
 * CLADE modulation of an already normalised x̂ (NHWC): x̂ ⊙ Γ[c] + B[c] (no "1 +"), with
 * CLADE-ICPE Γ[c]⊙(1+Cγ(d)), B[c]⊙(1+Cβ(d)), and the edge channel a·E + b concatenated last.
 * `seg` holds K class channels (+1 edge channel last when weights.edge is given); `dist` is the
 * 2-channel positional map (row offset, column offset) at seg's resolution.
 */
export function cladeModulate(
  xNorm: tf.Tensor4D,
  seg: tf.Tensor4D,
  weights: CladeWeights,
  dist?: tf.Tensor4D,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [, h, w] = xNorm.shape;
    const numClasses = weights.gamma.shape[0];
    const cls = sharedIndexMaps ? cachedClassIndexMap(seg, numClasses, h, w) : classIndexMap(seg, numClasses, h, w);
    let scales: CladeScales | undefined;
    if (weights.icpe && dist) {
      const d = nearestResize(dist, h, w);
      scales = { gamma: icpeFactor(d, weights.icpe.gammaKernel, weights.icpe.gammaBias), beta: icpeFactor(d, weights.icpe.betaKernel, weights.icpe.betaBias) };
    }
    const out = cladeAffine(xNorm, cls, weights.gamma, weights.beta, scales);
    if (!weights.edge) return out;
    const e = edgeFeature(nearestResize(seg, h, w), weights.edge.kernel, weights.edge.bias);
    return tf.concat([out, e], 3);
  });
}
