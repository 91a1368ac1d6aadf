import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, IOError, ShapeError, formatShape, seededNormal } from '@clade/core';
import { NativeOrtSession } from './native';
import { createSession, loadOrt, type GeneratorSession, type OrtEngine, type OrtSessionOptions, type OrtTensor } from './ort';

/** Layout of the dist input and the returned image in `OrtGenerator.run`. */
export type ImageLayout = 'nhwc' | 'nchw';

export interface OrtGeneratorOptions extends OrtSessionOptions {
  /** Default 'onnxruntime-node'; 'native' for exports with `fusedClade` (see OrtEngine). */
  engine?: OrtEngine;
}

/** Inputs of `OrtGenerator.run`, as flat arrays (or tfjs tensors, read back). */
export interface OrtGeneratorFeeds {
  /** int32 class indices [N,H,W] in [0, numClasses). */
  label: Int32Array | tf.Tensor;
  /** Instance-edge map [N,H,W] (0/1); required when the model has an `edge` input. */
  edge?: Float32Array | tf.Tensor;
  /** CLADE-ICPE positional map: [N,H,W,2] for layout 'nhwc' (as tfjs), [N,2,H,W] for 'nchw'. */
  dist?: Float32Array | tf.Tensor;
  /** VAE latent [N,zDim]; drawn from N(0, I) with `seed` when the model takes `z` and none is given. */
  z?: Float32Array | tf.Tensor;
  /** Seed of the drawn z (default 0): core's seeded stream, so a seed gives the same image as on tfjs. */
  seed?: number;
}

export interface OrtImage {
  data: Float32Array;
  /** [N,H,W,3] ('nhwc') or [N,3,H,W] ('nchw'). */
  shape: [number, number, number, number];
}

/** The tfjs generator's inputs: one-hot seg NHWC (classes, dontcare, edge last), dist NHWC, z. */
export interface TfGeneratorInputs {
  seg: tf.Tensor4D;
  dist?: tf.Tensor4D;
  z?: tf.Tensor2D;
}

const f32 = (x: Float32Array | tf.Tensor) => (x instanceof tf.Tensor ? Float32Array.from(x.dataSync()) : x);

/** [N,H,W,C] → [N,C,H,W] (and back with `inverse`), on flat arrays. */
export function transposeNhwc(data: Float32Array, n: number, h: number, w: number, c: number, inverse = false): Float32Array {
  const out = new Float32Array(data.length);
  const hw = h * w;
  for (let b = 0; b < n; b++)
    for (let p = 0; p < hw; p++)
      for (let k = 0; k < c; k++) {
        const nhwc = (b * hw + p) * c + k;
        const nchw = (b * c + k) * hw + p;
        if (inverse) out[nhwc] = data[nchw]!;
        else out[nchw] = data[nhwc]!;
      }
  return out;
}

/**
 * A generator exported by exportGeneratorToOnnx, run by onnxruntime-node on the CPU.
 * Call dispose() when done (it releases the native session).
 */
export class OrtGenerator {
  /** Input spatial size (label/edge/dist maps). */
  readonly height: number;
  readonly width: number;
  readonly hasEdge: boolean;
  readonly hasDist: boolean;
  readonly zDim: number;
  private disposed = false;

  private constructor(
    private readonly session: GeneratorSession,
    private readonly source: string,
  ) {
    const meta = new Map(session.inputMetadata.map((m) => [m.name, m]));
    const label = meta.get('label');
    if (!label || !label.isTensor || label.shape.length !== 3)
      throw new IOError(
        `OrtGenerator: '${source}' has no int32 [N,H,W] input 'label' (inputs: ` +
          `${session.inputNames.join(', ')}); export it with exportGeneratorToOnnx.`,
      );
    const [, h, w] = label.shape;
    if (typeof h !== 'number' || typeof w !== 'number') throw new IOError(`OrtGenerator: '${source}': label H, W must be fixed, got ${String(label.shape)}.`);
    this.height = h;
    this.width = w;
    this.hasEdge = meta.has('edge');
    this.hasDist = meta.has('dist');
    const z = meta.get('z');
    this.zDim = z && z.isTensor ? Number(z.shape[1]) : 0;
  }

  /** Loads a model from bytes or a .onnx path. */
  static async create(model: Uint8Array | string, options: OrtGeneratorOptions = {}): Promise<OrtGenerator> {
    const source = typeof model === 'string' ? model : 'model bytes';
    let bytes = model;
    if (typeof model === 'string') {
      try {
        bytes = new Uint8Array(readFileSync(model));
      } catch (e) {
        throw new IOError(`OrtGenerator: cannot read '${model}' (${(e as Error).message}).`, { cause: e });
      }
    }
    if (options.threads !== undefined && !(Number.isInteger(options.threads) && options.threads >= 1))
      throw new ConfigError(`OrtGenerator: threads must be a positive integer, got ${String(options.threads)}.`);
    const engine = options.engine ?? 'onnxruntime-node';
    if (engine !== 'onnxruntime-node' && engine !== 'native')
      throw new ConfigError(`OrtGenerator: engine must be 'onnxruntime-node' or 'native', got '${String(engine)}'.`);
    const session = engine === 'native' ? await NativeOrtSession.create(bytes as Uint8Array, source, options) : await createSession(bytes, source, options);
    return new OrtGenerator(session, source);
  }

  /** The image for a label map (+ edge / dist / z), in the given layout (default 'nhwc'). */
  async run(feeds: OrtGeneratorFeeds, layout: ImageLayout = 'nhwc'): Promise<OrtImage> {
    if (this.disposed) throw new ConfigError(`OrtGenerator: '${this.source}' was disposed.`);
    if (layout !== 'nhwc' && layout !== 'nchw') throw new ConfigError(`OrtGenerator.run: layout must be 'nhwc' or 'nchw', got '${String(layout)}'.`);
    const { Tensor } = await loadOrt();
    const hw = this.height * this.width;
    const label = feeds.label instanceof tf.Tensor ? Int32Array.from(feeds.label.dataSync()) : feeds.label;
    if (label.length === 0 || label.length % hw !== 0) {
      const shape = feeds.label instanceof tf.Tensor ? ` ${formatShape(feeds.label.shape)}` : '';
      throw new ShapeError(`OrtGenerator.run: label must be [N,${this.height},${this.width}], got ${label.length} values${shape}.`);
    }
    const n = label.length / hw;
    const inputs: Record<string, OrtTensor> = { label: new Tensor('int32', label, [n, this.height, this.width]) };
    const need = (name: string, v: Float32Array | tf.Tensor | undefined, per: number, dims: number[]) => {
      if (!v) throw new ShapeError(`OrtGenerator.run: this model needs '${name}' [${dims.join(',')}], got none.`);
      const a = f32(v);
      if (a.length !== n * per) throw new ShapeError(`OrtGenerator.run: '${name}' must have ${n * per} values ([${dims.join(',')}]), got ${a.length}.`);
      return a;
    };
    if (this.hasEdge) inputs.edge = new Tensor('float32', need('edge', feeds.edge, hw, [n, this.height, this.width]), [n, 1, this.height, this.width]);
    if (this.hasDist) {
      const d = need('dist', feeds.dist, 2 * hw, layout === 'nhwc' ? [n, this.height, this.width, 2] : [n, 2, this.height, this.width]);
      inputs.dist = new Tensor('float32', layout === 'nhwc' ? transposeNhwc(d, n, this.height, this.width, 2) : d, [n, 2, this.height, this.width]);
    }
    if (this.zDim > 0)
      inputs.z = new Tensor(
        'float32',
        feeds.z ? need('z', feeds.z, this.zDim, [n, this.zDim]) : seededNormal(n * this.zDim, feeds.seed ?? 0),
        [n, this.zDim],
      );
    let out: Awaited<ReturnType<GeneratorSession['run']>>[string];
    try {
      out = (await this.session.run(inputs)).image!;
    } catch (e) {
      const msg = (e as Error).message;
      if (/out of (data )?bounds|indices/i.test(msg))
        throw new ConfigError(`OrtGenerator.run: label values must be class indices the model knows (0 ≤ id < numClasses): ${msg}`, { cause: e });
      throw new IOError(`OrtGenerator.run: onnxruntime failed on '${this.source}' (${msg}).`, { cause: e });
    }
    const [, , oh, ow] = out.dims as number[];
    const data = out.data as Float32Array;
    out.dispose();
    return layout === 'nchw'
      ? { data, shape: [n, 3, oh!, ow!] }
      : { data: transposeNhwc(data, n, oh!, ow!, 3, true), shape: [n, oh!, ow!, 3] };
  }

  /**
   * Drop-in for SpadeGenerator.apply (eval): the same NHWC one-hot seg (edge channel last), dist
   * and z; returns the NHWC image as a tfjs tensor (the caller disposes it).
   */
  async apply(inputs: TfGeneratorInputs): Promise<tf.Tensor4D> {
    const { seg, dist, z } = inputs;
    if (seg.rank !== 4 || seg.shape[1] !== this.height || seg.shape[2] !== this.width)
      throw new ShapeError(`OrtGenerator.apply: seg must be [N,${this.height},${this.width},S], got ${formatShape(seg.shape)}.`);
    const s = seg.shape[3];
    const [label, edge] = tf.tidy(() => {
      const classes = this.hasEdge ? tf.slice(seg, [0, 0, 0, 0], [-1, -1, -1, s - 1]) : seg;
      return [tf.argMax(classes, -1), this.hasEdge ? tf.slice(seg, [0, 0, 0, s - 1], [-1, -1, -1, 1]) : null];
    });
    try {
      const img = await this.run({ label: label!, ...(edge ? { edge } : {}), ...(dist ? { dist } : {}), ...(z ? { z } : {}) }, 'nhwc');
      return tf.tensor4d(img.data, img.shape);
    } finally {
      tf.dispose([label!, ...(edge ? [edge] : [])]);
    }
  }

  /** Ends ORT profiling (when created with profileFilePrefix); the profile JSON is written then. */
  endProfiling(): void {
    this.session.endProfiling();
  }

  /** Releases the native session. Idempotent. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.session.release();
  }
}
