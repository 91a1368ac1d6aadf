import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, IOError, ShapeError, formatShape, loadTorchCheckpointFile, torchToTfjs, type NdArray } from '@clade/core';
import { keyMismatch } from '@clade/core/internal';

/** torchvision vgg19 block widths (config 'E'). */
export const VGG19_WIDTHS: readonly number[] = Object.freeze([64, 128, 256, 512, 512]);

/** Convs per block in VGG19 (config 'E'); a 2×2 max-pool follows each block. */
const BLOCK_CONVS = [2, 2, 4, 4, 4] as const;

/** Indices of the convs in torchvision's `vgg19.features` (a ReLU follows each, pools between blocks). */
export const VGG19_CONV_INDICES: readonly number[] = Object.freeze([0, 2, 5, 7, 10, 12, 14, 16, 19, 21, 23, 25, 28, 30, 32, 34]);

/**
 * The perceptual loss weights of relu1_1 … relu5_1 (SPADE's VGGLoss). The slices end after
 * features index 1, 6, 11, 20 and 29: [0:2], [2:7], [7:12], [12:21], [21:30].
 */
export const VGG_LAYER_WEIGHTS: readonly number[] = Object.freeze([1 / 32, 1 / 16, 1 / 8, 1 / 4, 1]);

/** Convs (by features index) the loss runs: everything up to relu5_1 (index 29). */
const USED_CONVS = VGG19_CONV_INDICES.filter((i) => i < 30);

/** Where each slice ends: after the conv with this features index (and its ReLU). */
const SLICE_ENDS = [0, 5, 10, 19, 28];

export interface Vgg19FeaturesOptions {
  /**
   * Widths of the five blocks. Default VGG19_WIDTHS (torchvision's file); tests use tiny widths
   * with the same key layout. 'infer': read them from the first conv of each block (then the
   * remaining keys are checked against those).
   */
  widths?: readonly number[] | 'infer';
  /** Label in error messages (usually the file path). Default 'state dict'. */
  source?: string;
}

/** PyTorch shape [O,I,3,3] of every features conv, by index, for `widths`. */
function expectedConvShapes(widths: readonly number[]): Map<number, number[]> {
  const shapes = new Map<number, number[]>();
  let cin = 3;
  let k = 0;
  BLOCK_CONVS.forEach((n, b) => {
    for (let j = 0; j < n; j++) {
      shapes.set(VGG19_CONV_INDICES[k++]!, [widths[b]!, cin, 3, 3]);
      cin = widths[b]!;
    }
  });
  return shapes;
}

/** Block widths from the out-channels of each block's first conv (VGG19's where a key is absent). */
function inferWidths(state: Map<string, NdArray>): number[] {
  return [0, 5, 10, 19, 28].map((i, b) => {
    const w = state.get(`features.${i}.weight`);
    return w && w.shape.length === 4 ? w.shape[0]! : VGG19_WIDTHS[b]!;
  });
}

/**
 * The ImageNet VGG19 `features` stack up to relu5_1, NHWC, frozen (its weights are plain tensors,
 * never variables, so no optimizer can touch them). `apply` returns the five feature maps
 * relu1_1 … relu5_1. Build it with `vgg19Features(state)` or `loadVgg19Features(path)`.
 */
export class Vgg19Features {
  readonly widths: readonly number[];
  private readonly convs: Map<number, { kernel: tf.Tensor4D; bias: tf.Tensor1D }>;
  private disposed = false;

  constructor(convs: Map<number, { kernel: tf.Tensor4D; bias: tf.Tensor1D }>, widths: readonly number[]) {
    this.convs = convs;
    this.widths = widths;
  }

  /** The five feature maps of `x` ([N,H,W,3], fed in as given: no ImageNet normalisation). */
  apply(x: tf.Tensor4D): tf.Tensor4D[] {
    if (this.disposed) throw new ConfigError('Vgg19Features: used after dispose().');
    if (x.rank !== 4 || x.shape[3] !== 3) throw new ShapeError(`Vgg19Features: input must be [N,H,W,3], got ${formatShape(x.shape)}.`);
    if (x.shape[1] < 16 || x.shape[2] < 16)
      throw new ShapeError(`Vgg19Features: input must be at least 16×16 (four 2×2 pools before relu5_1), got ${formatShape(x.shape)}.`);
    return tf.tidy(() => {
      const out: tf.Tensor4D[] = [];
      let h: tf.Tensor4D = x;
      for (const i of USED_CONVS) {
        // A max-pool ends every block: before the first conv of blocks 2..5.
        if (i === 5 || i === 10 || i === 19 || i === 28) h = tf.maxPool(h, 2, 2, 'valid');
        const { kernel, bias } = this.convs.get(i)!;
        h = tf.relu(tf.add(tf.conv2d(h, kernel, 1, 'same'), bias)) as tf.Tensor4D;
        if (SLICE_ENDS.includes(i)) out.push(h);
      }
      return out;
    });
  }

  dispose(): void {
    if (this.disposed) return;
    for (const { kernel, bias } of this.convs.values()) tf.dispose([kernel, bias]);
    this.disposed = true;
  }
}

/**
 * Builds the VGG19 feature network from a torchvision `vgg19-*.pth` state dict. The feature keys
 * (`features.{0,2,5,…,34}.weight/bias`) are checked strictly against `widths` (one error lists
 * every missing, mis-shaped or unexpected one); `classifier.*` keys are ignored. Only the convs up
 * to relu5_1 (features index 28) are kept.
 */
export function vgg19Features(state: Map<string, NdArray>, options: Vgg19FeaturesOptions = {}): Vgg19Features {
  const { source = 'state dict' } = options;
  const widths = options.widths === 'infer' ? inferWidths(state) : options.widths ?? VGG19_WIDTHS;
  if (widths.length !== 5 || widths.some((w) => !Number.isInteger(w) || w < 1))
    throw new ConfigError(`vgg19Features: widths must be 5 positive integers, got [${widths.join(',')}].`);
  const shapes = expectedConvShapes(widths);
  const missing: string[] = [];
  const misShaped: string[] = [];
  for (const [i, wShape] of shapes) {
    for (const [suffix, shape] of [['weight', wShape], ['bias', [wShape[0]!]]] as const) {
      const key = `features.${i}.${suffix}`;
      const arr = state.get(key);
      if (!arr) missing.push(key);
      else if (arr.shape.join(',') !== shape.join(',')) misShaped.push(`${key} ${formatShape(arr.shape)} (expected ${formatShape(shape)})`);
      else if (!['float32', 'float64'].includes(arr.dtype)) misShaped.push(`${key} has dtype ${arr.dtype} (expected float32)`);
    }
  }
  const known = new Set([...shapes.keys()].flatMap((i) => [`features.${i}.weight`, `features.${i}.bias`]));
  const unexpected = [...state.keys()].filter((k) => k.startsWith('features.') && !known.has(k));
  const mismatch = keyMismatch({ missing, unexpected, misShaped });
  if (mismatch)
    throw new IOError(`vgg19Features: ${source} is not a torchvision vgg19 'features' state dict (widths [${widths.join(',')}]): ${mismatch}.`);
  const convs = new Map<number, { kernel: tf.Tensor4D; bias: tf.Tensor1D }>();
  for (const i of USED_CONVS) {
    convs.set(i, {
      kernel: torchToTfjs(state.get(`features.${i}.weight`)!, 'conv') as tf.Tensor4D,
      bias: torchToTfjs(state.get(`features.${i}.bias`)!, 'none') as tf.Tensor1D,
    });
  }
  return new Vgg19Features(convs, widths);
}

/** Reads a torchvision `vgg19-*.pth` (or a file with the same `features.*` layout) into `Vgg19Features`. */
export async function loadVgg19Features(path: string, options: Omit<Vgg19FeaturesOptions, 'source'> = {}): Promise<Vgg19Features> {
  return vgg19Features(await loadTorchCheckpointFile(path), { ...options, source: `'${path}'` });
}

/** Identity forward, zero gradient: what PyTorch's `.detach()` does to a tensor inside a tape. */
const detach = tf.customGrad(((x: tf.Tensor) => ({ value: tf.clone(x), gradFunc: () => tf.zerosLike(x) })) as Parameters<typeof tf.customGrad>[0]);

/**
 * SPADE's perceptual loss Σᵢ wᵢ·mean|φᵢ(fake) − φᵢ(real)| over relu1_1 … relu5_1 with weights
 * [1/32, 1/16, 1/8, 1/4, 1]; multiply by lambdaVgg outside. The real features are constants (no
 * gradient reaches `real`). `real` may also be its features from `vgg.apply(real)`, computed once
 * outside a gradient tape (cheaper: the tape then keeps nothing of the real branch).
 * The [−1, 1] images go in as they are, without ImageNet normalisation (REFERENCE §18 #12).
 */
export function vggLoss(vgg: Vgg19Features, fake: tf.Tensor4D, real: tf.Tensor4D | readonly tf.Tensor4D[]): tf.Scalar {
  return tf.tidy(() => {
    const fakeFeats = vgg.apply(fake);
    const realFeats = Array.isArray(real) ? (real as readonly tf.Tensor4D[]) : vgg.apply(real as tf.Tensor4D);
    if (realFeats.length !== fakeFeats.length)
      throw new ShapeError(`vggLoss: real must be an image or its ${fakeFeats.length} feature maps, got ${realFeats.length} maps.`);
    const terms = fakeFeats.map((f, i) => {
      const r = realFeats[i]!;
      if (r.shape.join(',') !== f.shape.join(','))
        throw new ShapeError(`vggLoss: real feature ${i} must be ${formatShape(f.shape)} like the fake one, got ${formatShape(r.shape)}.`);
      return tf.mul(tf.mean(tf.abs(tf.sub(f, detach(r) as tf.Tensor4D))), VGG_LAYER_WEIGHTS[i]!);
    });
    return tf.addN(terms) as tf.Scalar;
  });
}
