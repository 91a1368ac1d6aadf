import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError } from '../errors';
import { formatShape } from '../asserts';

/**
 * How a grouped conv is computed. tfjs `conv2d` has no `groups`, so each is a different
 * composition of differentiable tfjs ops (gradients come for free); all give the same result:
 * - 'split': slice x into `groups` channel blocks, one conv per block, concatenate. Exactly the
 *   grouped MACs, but `groups` kernel launches plus a slice and a concat of the activations.
 * - 'blockDiagonal': one dense conv with a block-diagonal [kh,kw,I,O] kernel. One launch, but
 *   `groups`× the MACs (the zero blocks are multiplied too).
 * - 'depthwise': a depthwise conv with channel multiplier O/g, then a sum over the I/g inputs of
 *   each group. Exactly the grouped MACs in one launch, but the intermediate is (I/g)× the
 *   output, so it only pays for few input channels per group (GroupDNet's mlp_shared).
 * - 'auto' (default): pick by the rule of `groupConvMethod` (measured with `pnpm bench group-conv`).
 */
export const GROUP_CONV_METHODS = ['auto', 'split', 'blockDiagonal', 'depthwise'] as const;
export type GroupConvMethod = (typeof GROUP_CONV_METHODS)[number];

export interface GroupConv2dOptions {
  /** Default 1. */
  strides?: number;
  /** Symmetric zero padding on each side (PyTorch's `padding`). Default kernelSize // 2. */
  padding?: number;
  /** [O], added to the output. */
  bias?: tf.Tensor1D;
  /** Default 'auto'. */
  method?: GroupConvMethod;
}

/** Validates a grouped conv's channel counts; returns [I/g, O/g]. */
export function groupSizes(cin: number, cout: number, groups: number, who = 'groupConv2d'): [number, number] {
  if (!Number.isInteger(groups) || groups < 1) throw new ConfigError(`${who}: groups must be a positive integer, got ${groups}.`);
  if (cin % groups !== 0 || cout % groups !== 0)
    throw new ConfigError(`${who}: input channels (${cin}) and output channels (${cout}) must both be divisible by groups, got groups ${groups}.`);
  return [cin / groups, cout / groups];
}

/**
 * The rule 'auto' applies, from `pnpm bench group-conv` (wasm and cpu, GroupDNet's layer shapes):
 * - one group: a plain conv;
 * - ≤ 4 input channels per group (GroupDNet's mlp_shared, and mlp_gamma/beta of Cityscapes'
 *   late blocks): 'depthwise', 3–10× faster than the split-and-concatenate reference on wasm;
 * - otherwise 'split': its MACs stay the grouped ones; the dense block-diagonal conv pays g× the
 *   MACs and lost in every such case on wasm (0.09–0.48× the reference at g = 8…35, 0.3× at g = 2).
 */
export function groupConvMethod(cin: number, cout: number, groups: number): Exclude<GroupConvMethod, 'auto'> {
  const [ig] = groupSizes(cin, cout, groups);
  if (groups === 1) return 'blockDiagonal';
  return ig <= 4 ? 'depthwise' : 'split';
}

/**
 * The dense [kh,kw,I,O] kernel equal to a grouped kernel [kh,kw,I/g,O]: block (i, i) holds
 * group i's weights, every other block is zero. Differentiable in the grouped kernel.
 */
export function blockDiagonalKernel(kernel: tf.Tensor4D, groups: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [, , ig, cout] = kernel.shape;
    const og = groupSizes(ig * groups, cout, groups)[1];
    if (groups === 1) return tf.clone(kernel);
    // Tile along the input axis, then zero the off-diagonal blocks with a constant 0/1 mask.
    const tiled = tf.tile(kernel, [1, 1, groups, 1]);
    const rows = tf.floorDiv(tf.range(0, ig * groups, 1, 'int32'), ig);
    const cols = tf.floorDiv(tf.range(0, cout, 1, 'int32'), og);
    const mask = tf.cast(tf.equal(tf.reshape(rows, [-1, 1]), tf.reshape(cols, [1, -1])), 'float32');
    return tf.mul(tiled, tf.reshape(mask, [1, 1, ig * groups, cout])) as tf.Tensor4D;
  });
}

type Pad = 'same' | 'valid';

/** x padded PyTorch-style, and the tfjs pad mode that finishes the job. */
function padFor(x: tf.Tensor4D, k: number, strides: number, p: number): [tf.Tensor4D, Pad] {
  if (p === 0) return [x, 'valid'];
  // 'same' equals symmetric k//2 only at stride 1 with an odd kernel (TF pads bottom/right first).
  if (strides === 1 && k % 2 === 1 && p === (k - 1) / 2) return [x, 'same'];
  return [tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]]), 'valid'];
}

/**
 * A grouped 2-D convolution (PyTorch `Conv2d(groups=g)`), NHWC. `kernel` is [kh,kw,I/g,O]: the
 * PyTorch weight [O,I/g,kh,kw] transposed as every conv kernel is, so official keys port
 * unchanged. Output channels [i·O/g, (i+1)·O/g) see only input channels [i·I/g, (i+1)·I/g).
 */
export function groupConv2d(x: tf.Tensor4D, kernel: tf.Tensor4D, groups: number, opts: GroupConv2dOptions = {}): tf.Tensor4D {
  const [kh, kw, ig, cout] = kernel.shape;
  const { strides = 1, padding = Math.floor(kh / 2), bias, method = 'auto' } = opts;
  if (x.rank !== 4) throw new ShapeError(`groupConv2d: x must be rank 4 [N,H,W,C] (NHWC), got ${formatShape(x.shape)}.`);
  if (x.shape[3] !== ig * groups)
    throw new ShapeError(
      `groupConv2d: x must have ${ig * groups} channels (kernel ` +
        `${formatShape(kernel.shape)} × ${groups} groups), got ${formatShape(x.shape)}.`,
    );
  if (kh !== kw) throw new ShapeError(`groupConv2d: kernel must be square, got ${formatShape(kernel.shape)}.`);
  if (!GROUP_CONV_METHODS.includes(method))
    throw new ConfigError(`groupConv2d: method must be one of ${GROUP_CONV_METHODS.join(', ')}, got '${String(method)}'.`);
  const [, og] = groupSizes(ig * groups, cout, groups);
  const how = groups === 1 ? 'blockDiagonal' : method === 'auto' ? groupConvMethod(ig * groups, cout, groups) : method;
  return tf.tidy(() => {
    const [xp, pad] = padFor(x, kh, strides, padding);
    if (how === 'blockDiagonal') {
      const filter = groups === 1 ? kernel : blockDiagonalKernel(kernel, groups);
      return tf.fused.conv2d({ x: xp, filter, strides, pad, bias });
    }
    if (how === 'split') {
      const xs = tf.split(xp, groups, 3) as tf.Tensor4D[];
      const ks = tf.split(kernel, groups, 3) as tf.Tensor4D[];
      const bs = bias ? (tf.split(bias, groups) as tf.Tensor1D[]) : [];
      const ys = xs.map((xi, i) => tf.fused.conv2d({ x: xi, filter: ks[i]!, strides, pad, bias: bs[i] }));
      return tf.concat(ys, 3) as tf.Tensor4D;
    }
    // depthwise: kernel [kh,kw,Ig,g·Og] → [kh,kw,g·Ig,Og], channel c = gi·Ig + ii, multiplier m.
    const dwKernel = tf.reshape(tf.transpose(tf.reshape(kernel, [kh, kw, ig, groups, og]), [0, 1, 3, 2, 4]), [kh, kw, ig * groups, og]);
    const y = tf.depthwiseConv2d(xp, dwKernel as tf.Tensor4D, strides, pad); // channel (gi·Ig + ii)·Og + m
    const [n, h, w] = y.shape;
    const summed = ig === 1 ? y : tf.sum(tf.reshape(y, [n, h, w, groups, ig, og]), 4);
    const out = tf.reshape(summed, [n, h, w, cout]) as tf.Tensor4D;
    return bias ? (tf.add(out, bias) as tf.Tensor4D) : out;
  });
}

/**
 * The definition, for tests and benchmarks: one conv per group on sliced channels, concatenated.
 * Deliberately naive (explicit slices, no reuse of `groupConv2d`'s paths).
 */
export function groupConv2dReference(x: tf.Tensor4D, kernel: tf.Tensor4D, groups: number, opts: Omit<GroupConv2dOptions, 'method'> = {}): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, , ig, cout] = kernel.shape;
    const og = cout / groups;
    const { strides = 1, padding = Math.floor(kh / 2), bias } = opts;
    const xp = tf.pad(x, [[0, 0], [padding, padding], [padding, padding], [0, 0]]);
    const ys: tf.Tensor4D[] = [];
    for (let i = 0; i < groups; i++) {
      const xi = tf.slice(xp, [0, 0, 0, i * ig], [-1, -1, -1, ig]);
      const ki = tf.slice(kernel, [0, 0, 0, i * og], [-1, -1, -1, og]);
      ys.push(tf.conv2d(xi, ki, strides, 'valid'));
    }
    const y = tf.concat(ys, 3) as tf.Tensor4D;
    return bias ? (tf.add(y, bias) as tf.Tensor4D) : y;
  });
}
