import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, IOError, ShapeError, readTorchCheckpoint, type NdArray } from '@clade/core';
import { readFile } from 'node:fs/promises';
import { sha256Hex } from '../seg/segmenter';
import { BN_EPSILON, FID_INCEPTION_CONVS, fidInceptionStateShapes, type ConvSpec } from './architecture';

/** Feature taps of pytorch-fid (`InceptionV3.BLOCK_INDEX_BY_DIM`). */
export const INCEPTION_DIMS = [64, 192, 768, 2048] as const;
export type InceptionDims = (typeof INCEPTION_DIMS)[number];

/** pytorch-fid's weights: `FID_WEIGHTS_URL` in pytorch_fid/inception.py. */
export const FID_WEIGHTS_FILE = 'pt_inception-2015-12-05-6726825d.pth';
export const FID_WEIGHTS_URL = `https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/${FID_WEIGHTS_FILE}`;
/** torch.hub names files `<name>-<first 8 hex of sha256>.<ext>` and checks that prefix. */
export const FID_WEIGHTS_SHA256_PREFIX = '6726825d';

/**
 * pytorch-fid's `InceptionV3` wrapper keeps the same modules in four `nn.Sequential` blocks, so a
 * state dict saved from the wrapper names them `blocks.<b>.<j>.*` (block 0: Conv2d_1a/2a/2b then
 * MaxPool; 1: Conv2d_3b/4a then MaxPool; 2: Mixed_5b…Mixed_6e; 3: Mixed_7a/7b/7c then the average
 * pool; no `fc`). Index → Inception3 name.
 */
const WRAPPER_BLOCKS: readonly (readonly string[])[] = [
  ['Conv2d_1a_3x3', 'Conv2d_2a_3x3', 'Conv2d_2b_3x3'],
  ['Conv2d_3b_1x1', 'Conv2d_4a_3x3'],
  ['Mixed_5b', 'Mixed_5c', 'Mixed_5d', 'Mixed_6a', 'Mixed_6b', 'Mixed_6c', 'Mixed_6d', 'Mixed_6e'],
  ['Mixed_7a', 'Mixed_7b', 'Mixed_7c'],
];

/** Renames `blocks.<b>.<j>.rest` keys (pytorch-fid's wrapper layout) to Inception3's; other dicts pass unchanged. */
function fromWrapperLayout(state: Map<string, NdArray>): Map<string, NdArray> {
  if (![...state.keys()].some((k) => k.startsWith('blocks.'))) return state;
  const out = new Map<string, NdArray>();
  for (const [k, v] of state) {
    const m = /^blocks\.(\d+)\.(\d+)\.(.+)$/.exec(k);
    const name = m ? WRAPPER_BLOCKS[Number(m[1])]?.[Number(m[2])] : undefined;
    out.set(name ? `${name}.${m![3]}` : k, v);
  }
  return out;
}

/** pytorch-fid `InceptionV3(resize_input, normalize_input)`; FID uses both (the defaults). */
export interface FidInceptionOptions {
  /** Bilinear-resize inputs to 299×299 (align_corners=False, no antialias). Default true. */
  resizeInput?: boolean;
  /** Map inputs from [0, 1] to [−1, 1] with 2x − 1. Default true. */
  normalizeInput?: boolean;
}

interface FoldedConv {
  spec: ConvSpec;
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
}

function f32(arr: NdArray, key: string, source: string): Float32Array | Float64Array {
  if (arr.dtype === 'float32' || arr.dtype === 'float64') return arr.data;
  throw new IOError(`FidInceptionV3: '${source}' entry '${key}' must be float32, got ${arr.dtype}.`);
}

/**
 * Checks a state dict against pytorch-fid's layout: every conv/BN key with its shape; `fc.*` and
 * `*.num_batches_tracked` are optional and unused; anything else is an error naming the key.
 */
function checkStateDict(state: Map<string, NdArray>, source: string): void {
  const expected = new Map(fidInceptionStateShapes());
  const missing = [...expected.keys()].filter((k) => !k.startsWith('fc.') && !state.has(k));
  const unexpected = [...state.keys()].filter((k) => !expected.has(k) && !k.endsWith('.num_batches_tracked'));
  const imagenetInception = unexpected.some((k) => k.startsWith('AuxLogits.')) || state.get('fc.weight')?.shape[0] === 1000;
  if (imagenetInception)
    throw new IOError(
      `FidInceptionV3: '${source}' looks like torchvision's ImageNet Inception v3 (AuxLogits / 1000 classes), not the FID weights. ` +
        `Download ${FID_WEIGHTS_URL}.`,
    );
  if (missing.length || unexpected.length) {
    const missingEg = missing.length ? ` (e.g. '${missing[0]}')` : '';
    const unexpectedEg = unexpected.length ? ` (e.g. '${unexpected[0]}')` : '';
    throw new IOError(
      `FidInceptionV3: '${source}' is not pytorch-fid's InceptionV3 state dict: ` +
        `${missing.length} missing key(s)${missingEg}, ${unexpected.length} unexpected key(s)${unexpectedEg}.`,
    );
  }
  for (const [k, shape] of expected) {
    const got = state.get(k);
    if (got && (got.shape.length !== shape.length || got.shape.some((d, i) => d !== shape[i])))
      throw new IOError(`FidInceptionV3: '${source}' entry '${k}' has shape [${got.shape.join(',')}], expected [${shape.join(',')}].`);
  }
}

/**
 * BN folded into the conv in float64, then float32: W'[kh,kw,i,o] = W[o,i,kh,kw]·s_o,
 * b_o = β_o − μ_o·s_o with s_o = γ_o / √(σ²_o + 1e-3). (Eval-mode BN is affine, so the fold is
 * exact up to one float32 rounding; measured ≤ 2e-6 relative on the features.)
 */
function fold(spec: ConvSpec, state: Map<string, NdArray>, source: string): FoldedConv {
  const g = (k: string) => f32(state.get(`${spec.name}.${k}`)!, `${spec.name}.${k}`, source);
  const w = g('conv.weight');
  const gamma = g('bn.weight');
  const beta = g('bn.bias');
  const mean = g('bn.running_mean');
  const variance = g('bn.running_var');
  const { cin, cout, kh, kw } = spec;
  const filter = new Float32Array(kh * kw * cin * cout);
  const bias = new Float32Array(cout);
  for (let o = 0; o < cout; o++) {
    const s = gamma[o]! / Math.sqrt(variance[o]! + BN_EPSILON);
    bias[o] = beta[o]! - mean[o]! * s;
    for (let i = 0; i < cin; i++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++) filter[((y * kw + x) * cin + i) * cout + o] = w[((o * cin + i) * kh + y) * kw + x]! * s;
  }
  return { spec, filter: tf.tensor4d(filter, [kh, kw, cin, cout]), bias: tf.tensor1d(bias) };
}

/**
 * pytorch-fid's InceptionV3 for FID, in TensorFlow.js (NHWC): input images in [0, 1]
 * ([N,H,W,3], float32, as ToTensor gives), bilinear resize to 299×299 (align_corners=False, no
 * antialias — tfjs `halfPixelCenters`), 2x − 1, then the network. `features` returns one tap:
 * 2048 (pool3, the FID standard), 768 (Mixed_6e), 192 (after maxpool2) or 64 (after maxpool1),
 * spatially averaged as pytorch-fid's `adaptive_avg_pool2d` does for the smaller taps.
 */
export class FidInceptionV3 {
  private readonly convs: Map<string, FoldedConv>;
  private disposed = false;

  readonly resizeInput: boolean;
  readonly normalizeInput: boolean;

  private constructor(
    convs: FoldedConv[],
    /** Where the weights came from and their sha256 (null when built from an in-memory dict). */
    readonly weightsFile: string | null,
    readonly weightsSha256: string | null,
    options: FidInceptionOptions,
  ) {
    this.convs = new Map(convs.map((c) => [c.spec.name, c]));
    this.resizeInput = options.resizeInput ?? true;
    this.normalizeInput = options.normalizeInput ?? true;
  }

  /**
   * Builds the network from a state dict in pytorch-fid's key layout: the weights file's
   * (torchvision Inception3 names, `Mixed_5b.branch1x1.conv.weight`) or that of pytorch-fid's
   * `InceptionV3` wrapper (`blocks.2.0.branch1x1.conv.weight`).
   */
  static fromStateDict(
    state: Map<string, NdArray>,
    source = 'state dict',
    sha256: string | null = null,
    options: FidInceptionOptions = {},
  ): FidInceptionV3 {
    const named = fromWrapperLayout(state);
    checkStateDict(named, source);
    const convs = FID_INCEPTION_CONVS.map((c) => fold(c, named, source));
    return new FidInceptionV3(convs, source === 'state dict' ? null : source, sha256, options);
  }

  /** Reads the user's `pt_inception-2015-12-05-*.pth` (torch.save zip or legacy format). */
  static async load(path: string, options: FidInceptionOptions = {}): Promise<FidInceptionV3> {
    let bytes: Uint8Array;
    try {
      const buf = await readFile(path);
      bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT')
        throw new IOError(
          `FID Inception weights '${path}' do not exist. Download ${FID_WEIGHTS_URL} ` +
            `(pytorch-fid's weights, ~96 MB, sha256 starting ${FID_WEIGHTS_SHA256_PREFIX}) and put it at '${path}', ` +
            `or pass its location (--inception-weights <file>).`,
          { cause: e },
        );
      throw new IOError(`FID Inception weights: could not read '${path}' (${(e as Error).message}).`, { cause: e });
    }
    const sha = sha256Hex(bytes);
    return FidInceptionV3.fromStateDict(readTorchCheckpoint(bytes, path), path, sha, options);
  }

  /** True when the weights' sha256 starts with pytorch-fid's published prefix. */
  get isOfficialWeights(): boolean {
    return this.weightsSha256?.startsWith(FID_WEIGHTS_SHA256_PREFIX) ?? false;
  }

  private conv(name: string, x: tf.Tensor4D): tf.Tensor4D {
    const c = this.convs.get(name)!;
    return tf.fused.conv2d({
      x,
      filter: c.filter,
      bias: c.bias,
      strides: c.spec.stride,
      pad: c.spec.pad,
      activation: 'relu',
    });
  }

  private chain(x: tf.Tensor4D, ...names: string[]): tf.Tensor4D {
    return names.reduce((h, n) => this.conv(n, h), x);
  }

  private blockA(p: string, x: tf.Tensor4D): tf.Tensor4D {
    const b1 = this.conv(`${p}.branch1x1`, x);
    const b5 = this.chain(x, `${p}.branch5x5_1`, `${p}.branch5x5_2`);
    const b3 = this.chain(x, `${p}.branch3x3dbl_1`, `${p}.branch3x3dbl_2`, `${p}.branch3x3dbl_3`);
    // avg_pool2d(3, 1, 1, count_include_pad=False): TF 'same' pooling averages valid pixels only.
    const bp = this.conv(`${p}.branch_pool`, tf.avgPool(x, 3, 1, 'same'));
    return tf.concat([b1, b5, b3, bp], 3);
  }

  private blockB(p: string, x: tf.Tensor4D): tf.Tensor4D {
    const b3 = this.conv(`${p}.branch3x3`, x);
    const bd = this.chain(x, `${p}.branch3x3dbl_1`, `${p}.branch3x3dbl_2`, `${p}.branch3x3dbl_3`);
    return tf.concat([b3, bd, tf.maxPool(x, 3, 2, 'valid')], 3);
  }

  private blockC(p: string, x: tf.Tensor4D): tf.Tensor4D {
    const b1 = this.conv(`${p}.branch1x1`, x);
    const b7 = this.chain(x, `${p}.branch7x7_1`, `${p}.branch7x7_2`, `${p}.branch7x7_3`);
    const bd = this.chain(x, ...[1, 2, 3, 4, 5].map((i) => `${p}.branch7x7dbl_${i}`));
    const bp = this.conv(`${p}.branch_pool`, tf.avgPool(x, 3, 1, 'same'));
    return tf.concat([b1, b7, bd, bp], 3);
  }

  private blockD(p: string, x: tf.Tensor4D): tf.Tensor4D {
    const b3 = this.chain(x, `${p}.branch3x3_1`, `${p}.branch3x3_2`);
    const b7 = this.chain(x, ...[1, 2, 3, 4].map((i) => `${p}.branch7x7x3_${i}`));
    return tf.concat([b3, b7, tf.maxPool(x, 3, 2, 'valid')], 3);
  }

  /** E_1 pools with avg (padding excluded); E_2 (Mixed_7c) with max — the TF graph's quirk. */
  private blockE(p: string, x: tf.Tensor4D, maxPool: boolean): tf.Tensor4D {
    const b1 = this.conv(`${p}.branch1x1`, x);
    const b3 = this.conv(`${p}.branch3x3_1`, x);
    const b3s = tf.concat([this.conv(`${p}.branch3x3_2a`, b3), this.conv(`${p}.branch3x3_2b`, b3)], 3);
    const bd = this.chain(x, `${p}.branch3x3dbl_1`, `${p}.branch3x3dbl_2`);
    const bds = tf.concat([this.conv(`${p}.branch3x3dbl_3a`, bd), this.conv(`${p}.branch3x3dbl_3b`, bd)], 3);
    const pooled = maxPool ? tf.maxPool(x, 3, 1, 'same') : tf.avgPool(x, 3, 1, 'same');
    return tf.concat([b1, b3s, bds, this.conv(`${p}.branch_pool`, pooled)], 3);
  }

  private checkInput(images: tf.Tensor4D): void {
    if (this.disposed) throw new ConfigError('FidInceptionV3: the model was disposed.');
    if (images.rank !== 4 || images.shape[3] !== 3)
      throw new ShapeError(`FidInceptionV3: images must be [N,H,W,3] in [0, 1], got [${images.shape.join(',')}].`);
    if (!this.resizeInput && Math.min(images.shape[1], images.shape[2]) < 75)
      throw new ShapeError(
        `FidInceptionV3: without resizeInput images must be at least 75×75 (the network's minimum), got ${images.shape[1]}×${images.shape[2]}.`,
      );
  }

  /** pytorch-fid's input handling: resize to 299² unless already that size, then 2x − 1 (each if enabled). */
  private prepare(images: tf.Tensor4D): tf.Tensor4D {
    let x = tf.cast(images, 'float32') as tf.Tensor4D;
    // F.interpolate to the same size with align_corners=False is the identity, so 299² skips it.
    if (this.resizeInput && (x.shape[1] !== 299 || x.shape[2] !== 299)) x = tf.image.resizeBilinear(x, [299, 299], false, true);
    if (this.normalizeInput) x = tf.sub(tf.mul(x, 2), 1);
    return x;
  }

  /** All four taps, each [N, dims], spatially averaged. Runs the whole network. */
  taps(images: tf.Tensor4D): Record<InceptionDims, tf.Tensor2D> {
    this.checkInput(images);
    const out = tf.tidy(() => {
      let x = this.prepare(images);
      x = this.chain(x, 'Conv2d_1a_3x3', 'Conv2d_2a_3x3', 'Conv2d_2b_3x3');
      x = tf.maxPool(x, 3, 2, 'valid');
      const t64 = tf.mean(x, [1, 2]) as tf.Tensor2D;
      x = this.chain(x, 'Conv2d_3b_1x1', 'Conv2d_4a_3x3');
      x = tf.maxPool(x, 3, 2, 'valid');
      const t192 = tf.mean(x, [1, 2]) as tf.Tensor2D;
      x = this.blockA('Mixed_5b', x);
      x = this.blockA('Mixed_5c', x);
      x = this.blockA('Mixed_5d', x);
      x = this.blockB('Mixed_6a', x);
      for (const p of ['Mixed_6b', 'Mixed_6c', 'Mixed_6d', 'Mixed_6e']) x = this.blockC(p, x);
      const t768 = tf.mean(x, [1, 2]) as tf.Tensor2D;
      x = this.blockD('Mixed_7a', x);
      x = this.blockE('Mixed_7b', x, false);
      x = this.blockE('Mixed_7c', x, true);
      const t2048 = tf.mean(x, [1, 2]) as tf.Tensor2D;
      return { 64: t64, 192: t192, 768: t768, 2048: t2048 };
    });
    return out as Record<InceptionDims, tf.Tensor2D>;
  }

  /** Features [N, dims] for images [N,H,W,3] in [0, 1]. Lower taps stop the network early. */
  features(images: tf.Tensor4D, dims: InceptionDims = 2048): tf.Tensor2D {
    if (!INCEPTION_DIMS.includes(dims))
      throw new ConfigError(`FidInceptionV3: dims must be one of ${INCEPTION_DIMS.join(', ')}, got ${dims}.`);
    if (dims === 2048) {
      const all = this.taps(images);
      tf.dispose([all[64], all[192], all[768]]);
      return all[2048];
    }
    this.checkInput(images);
    return tf.tidy(() => {
      let x = this.prepare(images);
      x = tf.maxPool(this.chain(x, 'Conv2d_1a_3x3', 'Conv2d_2a_3x3', 'Conv2d_2b_3x3'), 3, 2, 'valid');
      if (dims === 64) return tf.mean(x, [1, 2]) as tf.Tensor2D;
      x = tf.maxPool(this.chain(x, 'Conv2d_3b_1x1', 'Conv2d_4a_3x3'), 3, 2, 'valid');
      if (dims === 192) return tf.mean(x, [1, 2]) as tf.Tensor2D;
      x = this.blockA('Mixed_5b', x);
      x = this.blockA('Mixed_5c', x);
      x = this.blockA('Mixed_5d', x);
      x = this.blockB('Mixed_6a', x);
      for (const p of ['Mixed_6b', 'Mixed_6c', 'Mixed_6d', 'Mixed_6e']) x = this.blockC(p, x);
      return tf.mean(x, [1, 2]) as tf.Tensor2D;
    });
  }

  dispose(): void {
    if (this.disposed) return;
    for (const c of this.convs.values()) tf.dispose([c.filter, c.bias]);
    this.disposed = true;
  }
}
