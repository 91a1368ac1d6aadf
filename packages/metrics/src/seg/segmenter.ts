import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ConfigError, IOError } from '@clade/core';
import { resizeNearestPil, type LabelMap, type RgbImage } from '@clade/data';
import { createSession, floatTensor, type OrtSession } from '../onnx/node';
import { checkDescriptor, type SegmenterDescriptor } from './descriptor';
import { resizeBilinearPil } from '@clade/data';

/** The part of an onnxruntime output tensor read here. */
interface OrtTensorLike {
  dims: readonly number[];
  size: number;
  data: unknown;
}

export interface LoadSegmenterOptions {
  /** ORT intra-op threads. Default: ORT's choice. */
  threads?: number;
  /** Refuse a file whose sha256 differs from `descriptor.sha256`. Default true. */
  verifyHash?: boolean;
}

/** The network input for one image, and where the image sits inside it. */
export interface SegmenterInput {
  data: Float32Array;
  dims: number[];
  /** Size of the image area inside the input (smaller than the input for letterbox). */
  validWidth: number;
  validHeight: number;
}

/** sha256 of a file's bytes, hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function readModel(path: string, descriptor: SegmenterDescriptor): Promise<Uint8Array> {
  try {
    const buf = await readFile(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      const hashNote = descriptor.sha256 ? ` (sha256 ${descriptor.sha256})` : '';
      throw new IOError(
        `segmenter '${descriptor.name}': model file '${path}' does not exist. Download ${descriptor.obtain ?? descriptor.fileName}${hashNote} ` +
          `and put it at '${path}', or pass its location (--segmenter <file>).`,
        { cause: e },
      );
    }
    throw new IOError(`segmenter '${descriptor.name}': could not read '${path}' (${(e as Error).message}).`, { cause: e });
  }
}

/**
 * A segmentation network in ONNX, run through onnxruntime-node on the CPU, with the pre- and
 * post-processing its descriptor states. One image per run (batch 1).
 */
export class OnnxSegmenter {
  private constructor(
    readonly descriptor: SegmenterDescriptor,
    readonly path: string,
    /** sha256 of the loaded file (printed in the protocol). */
    readonly sha256: string,
    private session: OrtSession | null,
  ) {}

  static async load(descriptor: SegmenterDescriptor, path: string, options: LoadSegmenterOptions = {}): Promise<OnnxSegmenter> {
    checkDescriptor(descriptor);
    const bytes = await readModel(path, descriptor);
    const hash = sha256Hex(bytes);
    if ((options.verifyHash ?? true) && descriptor.sha256 && descriptor.sha256 !== hash)
      throw new IOError(
        `segmenter '${descriptor.name}': '${path}' has sha256 ${hash}, expected ${descriptor.sha256}; ` +
          `scores from another file are not comparable. Download ${descriptor.obtain ?? descriptor.fileName} again.`,
      );
    const session = await createSession(bytes, path, { threads: options.threads });
    for (const [kind, name, list] of [
      ['input', descriptor.inputName, session.inputNames],
      ['output', descriptor.outputName, session.outputNames],
    ] as const)
      if (!list.includes(name))
        throw new ConfigError(`segmenter '${descriptor.name}': the model has no ${kind} '${name}' (it has ${list.map((n) => `'${n}'`).join(', ')}).`);
    return new OnnxSegmenter(descriptor, path, hash, session);
  }

  /** The input tensor for `image`: resize per the descriptor, normalise, lay out. */
  preprocess(image: RgbImage): SegmenterInput {
    const d = this.descriptor;
    const W = d.inputWidth;
    const H = d.inputHeight;
    let vw = W;
    let vh = H;
    if (d.resize === 'letterbox') {
      const s = Math.min(W / image.width, H / image.height);
      vw = Math.max(1, Math.min(W, Math.round(image.width * s)));
      vh = Math.max(1, Math.min(H, Math.round(image.height * s)));
    }
    const img = resizeBilinearPil(image, vw, vh);
    const out = new Float32Array(3 * W * H);
    const order = d.channelOrder === 'BGR' ? [2, 1, 0] : [0, 1, 2];
    for (let c = 0; c < 3; c++) {
      const src = order[c]!;
      const mean = d.mean[c]!;
      const std = d.std[c]!;
      const pad = (d.padValue - mean) / std;
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++) {
          const v = y < vh && x < vw ? (img.data[(y * vw + x) * 3 + src]! - mean) / std : pad;
          out[d.layout === 'NCHW' ? (c * H + y) * W + x : (y * W + x) * 3 + c] = v;
        }
    }
    return { data: out, dims: d.layout === 'NCHW' ? [1, 3, H, W] : [1, H, W, 3], validWidth: vw, validHeight: vh };
  }

  /** Class ids (evaluation space, after `predMap`) at the image's own size. */
  async predict(image: RgbImage): Promise<LabelMap<Int32Array>> {
    return (await this.analyze(image, null)).labels;
  }

  /**
   * The spatial mean of a score output (`name`, [1,C,H,W] for NCHW models or [1,H,W,C]) over the
   * image area (letterbox padding excluded): a C-dim description of the image as this network sees
   * it. Fréchet distance and KID on these features need no Inception weights, but they are not FID:
   * report them under their own name, with the segmenter.
   */
  async pooledScores(image: RgbImage, name: string): Promise<Float64Array> {
    return (await this.analyze(image, name)).pooled!;
  }

  /** `predict` and `pooledScores(name)` from one run of the network. */
  async predictWithPooledScores(image: RgbImage, name: string): Promise<{ labels: LabelMap<Int32Array>; pooled: Float64Array }> {
    const r = await this.analyze(image, name, true);
    return { labels: r.labels, pooled: r.pooled! };
  }

  private async analyze(
    image: RgbImage,
    scores: string | null,
    withLabels = scores === null,
  ): Promise<{ labels: LabelMap<Int32Array>; pooled: Float64Array | null }> {
    if (!this.session) throw new ConfigError(`segmenter '${this.descriptor.name}' was disposed.`);
    const d = this.descriptor;
    if (scores !== null && !this.session.outputNames.includes(scores))
      throw new ConfigError(`segmenter '${d.name}': the model has no output '${scores}' (it has ${this.session.outputNames.map((n) => `'${n}'`).join(', ')}).`);
    const input = this.preprocess(image);
    const outputs = [...new Set([...(withLabels ? [d.outputName] : []), ...(scores !== null ? [scores] : [])])];
    const result = await this.session.run({ [d.inputName]: await floatTensor(input.data, input.dims) }, outputs);
    try {
      return {
        labels: withLabels ? this.labelsOf(result[d.outputName]!, input, image) : { width: 0, height: 0, data: new Int32Array(0) },
        pooled: scores !== null ? this.poolScores(result[scores]!, scores, input) : null,
      };
    } finally {
      for (const v of Object.values(result)) v.dispose?.();
    }
  }

  private labelsOf(t: OrtTensorLike, input: { validWidth: number; validHeight: number }, image: RgbImage): LabelMap<Int32Array> {
    const d = this.descriptor;
    const W = d.inputWidth;
    const H = d.inputHeight;
    const ids = new Int32Array(W * H);
    if (d.outputKind === 'labels') {
      const n = t.dims.reduce((a, b) => a * b, 1);
      if (n !== W * H) throw new ConfigError(`segmenter '${d.name}': output '${d.outputName}' has shape [${t.dims.join(',')}], expected [1,${H},${W}] labels.`);
      const src = t.data as ArrayLike<number | bigint>;
      for (let i = 0; i < n; i++) ids[i] = Number(src[i]!);
    } else {
      const c = t.dims.length === 4 ? (d.layout === 'NCHW' ? t.dims[1]! : t.dims[3]!) : 0;
      if (t.dims.length !== 4 || c * W * H !== t.size)
        throw new ConfigError(`segmenter '${d.name}': output '${d.outputName}' has shape [${t.dims.join(',')}], expected logits at ${H}x${W}.`);
      const s = t.data as Float32Array;
      for (let p = 0; p < W * H; p++) {
        let best = 0;
        let bv = -Infinity;
        for (let k = 0; k < c; k++) {
          const v = d.layout === 'NCHW' ? s[k * W * H + p]! : s[p * c + k]!;
          if (v > bv) { bv = v; best = k; } // first index on ties, as ArgMax
        }
        ids[p] = best;
      }
    }
    let map: LabelMap<Int32Array> = { width: W, height: H, data: ids };
    if (input.validWidth !== W || input.validHeight !== H) {
      const crop = new Int32Array(input.validWidth * input.validHeight);
      for (let y = 0; y < input.validHeight; y++) crop.set(ids.subarray(y * W, y * W + input.validWidth), y * input.validWidth);
      map = { width: input.validWidth, height: input.validHeight, data: crop };
    }
    const sized = map.width === image.width && map.height === image.height ? map : resizeNearestPil(map, image.width, image.height);
    if (d.predMap) {
      const m = d.predMap;
      const ign = d.ignoreIndex;
      for (let i = 0; i < sized.data.length; i++) sized.data[i] = m[sized.data[i]!] ?? ign;
    }
    return sized;
  }

  private poolScores(t: OrtTensorLike, name: string, input: { validWidth: number; validHeight: number }): Float64Array {
    const d = this.descriptor;
    const W = d.inputWidth;
    const H = d.inputHeight;
    const c = t.dims.length === 4 ? (d.layout === 'NCHW' ? t.dims[1]! : t.dims[3]!) : 0;
    if (t.dims.length !== 4 || c * W * H !== t.size)
      throw new ConfigError(`segmenter '${d.name}': output '${name}' has shape [${t.dims.join(',')}], expected scores at ${H}x${W}.`);
    const s = t.data as Float32Array;
    const out = new Float64Array(c);
    for (let y = 0; y < input.validHeight; y++)
      for (let x = 0; x < input.validWidth; x++) {
        const p = y * W + x;
        for (let k = 0; k < c; k++) out[k]! += d.layout === 'NCHW' ? s[k * W * H + p]! : s[p * c + k]!;
      }
    const n = input.validWidth * input.validHeight;
    for (let k = 0; k < c; k++) out[k]! /= n;
    return out;
  }

  async dispose(): Promise<void> {
    await this.session?.release();
    this.session = null;
  }
}
