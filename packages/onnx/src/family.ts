import { readFileSync } from 'node:fs';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, IOError, ShapeError } from '@clade/core';
import { exportLayersModelToOnnx } from './convert';
import { createSession, loadOrt, type GeneratorSession, type OrtSessionOptions, type OrtTensor } from './ort';
import { transposeNhwc, type OrtImage } from './runner';
import './converters';
import './converters-groupdnet';
import './converters-sean';

/*
 * ONNX export and onnxruntime runs of the generator families beside SPADE/CLADE: GroupDNet /
 * GroupDNet-CLADE and SEAN / SEAN-CLADE (synthesis from style codes; the style encoder stays on
 * tfjs). Structural types, so this package depends on neither family's package.
 */

/** What the exporter reads of a @clade/groupdnet GroupDNetGenerator. */
export interface ExportableGroupDNet {
  readonly model: tfl.LayersModel;
  readonly config: { labelNc: number; containDontcare: boolean; useInstance: boolean; normMode: string; arch: string };
  /** The latent's start size and width (8 channels per class). */
  readonly plan: { sh: number; sw: number; latentNc: number };
}

/** The exported GroupDNet graph's inputs and output; also stored as JSON in metadata 'clade.io'. */
export interface GroupDNetIo {
  /** int32 [N,H,W] class indices in [0, numClasses). */
  label: { height: number; width: number; numClasses: number };
  /** float32 [N,1,H,W] instance-edge map (0/1), for generators with the edge channel. */
  edge: boolean;
  /** float32 [N,latentNc,sh,sw] per-class latent, NCHW (the runner takes tfjs' NHWC and transposes). */
  z: { height: number; width: number; channels: number };
  /** float32 [N,3,H,W] in [−1, 1]. */
  image: { height: number; width: number };
}

/** The input/output contract of a GroupDNet export (label maps at the output size, as the runtime feeds them). */
export function groupdnetIo(g: ExportableGroupDNet): GroupDNetIo {
  const [, height, width] = g.model.outputs[0]!.shape as number[];
  const { sh, sw, latentNc } = g.plan;
  return {
    label: { height: height!, width: width!, numClasses: g.config.labelNc + (g.config.containDontcare ? 1 : 0) },
    edge: g.config.useInstance,
    z: { height: sh, width: sw, channels: latentNc },
    image: { height: height!, width: width! },
  };
}

/**
 * Exports a GroupDNet / GroupDNet-CLADE generator (eval mode) to ONNX bytes: inputs `label`, `edge`
 * (with the edge channel), `z`; output `image`. The one-hot seg of tfjs becomes label + edge, as
 * in exportGeneratorToOnnx.
 */
export function exportGroupDNetToOnnx(g: ExportableGroupDNet, options: { doc?: string } = {}): Uint8Array {
  const io = groupdnetIo(g);
  return exportLayersModelToOnnx(g.model, {
    inputSize: { height: io.label.height, width: io.label.width },
    inputs: { seg: { kind: 'semantic', numClasses: io.label.numClasses, edge: io.edge } },
    outputNames: ['image'],
    graphName: 'clade_groupdnet',
    doc: options.doc ?? `@clade/onnx export of a GroupDNet (${g.config.arch}, ${g.config.normMode}) generator`,
    metadata: { 'clade.io': JSON.stringify(io), 'clade.config': JSON.stringify(g.config) },
  });
}

/** One named input: flat values and the ONNX dims. */
export interface ImageFeed {
  data: Float32Array | Int32Array;
  dims: number[];
}

/**
 * An exported image generator with arbitrary named inputs, run by onnxruntime-node on the CPU;
 * its one output is an NCHW image, returned NHWC (as tfjs). Call dispose() when done.
 */
export class OrtImageGenerator {
  private disposed = false;

  private constructor(
    private readonly session: GeneratorSession,
    private readonly source: string,
  ) {}

  /** Loads a model from bytes or a .onnx path. */
  static async create(model: Uint8Array | string, options: OrtSessionOptions = {}): Promise<OrtImageGenerator> {
    const source = typeof model === 'string' ? model : 'model bytes';
    let bytes: Uint8Array;
    try {
      bytes = typeof model === 'string' ? new Uint8Array(readFileSync(model)) : model;
    } catch (e) {
      throw new IOError(`OrtImageGenerator: cannot read '${String(model)}' (${(e as Error).message}).`, { cause: e });
    }
    return new OrtImageGenerator(await createSession(bytes, source, options), source);
  }

  /** The model's input names (what `run` needs). */
  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  /** The image [N,H,W,3] for the named feeds (every model input, no other). */
  async run(feeds: Record<string, ImageFeed>): Promise<OrtImage> {
    if (this.disposed) throw new ConfigError(`OrtImageGenerator: '${this.source}' was disposed.`);
    const names = Object.keys(feeds).sort();
    const want = [...this.session.inputNames].sort();
    if (names.join() !== want.join()) throw new ShapeError(`OrtImageGenerator.run: the model takes inputs ${want.join(', ')}; got ${names.join(', ')}.`);
    const { Tensor } = await loadOrt();
    const inputs: Record<string, OrtTensor> = {};
    for (const [name, f] of Object.entries(feeds))
      inputs[name] = f.data instanceof Int32Array ? new Tensor('int32', f.data, f.dims) : new Tensor('float32', f.data, f.dims);
    let out: Awaited<ReturnType<GeneratorSession['run']>>[string];
    try {
      out = (await this.session.run(inputs)).image!;
    } catch (e) {
      throw new IOError(`OrtImageGenerator.run: onnxruntime failed on '${this.source}' (${(e as Error).message}).`, { cause: e });
    }
    const [n, , h, w] = out.dims as number[];
    const data = out.data as Float32Array;
    out.dispose();
    return { data: transposeNhwc(data, n!, h!, w!, 3, true), shape: [n!, h!, w!, 3] };
  }

  /** Releases the native session. Idempotent. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.session.release();
  }
}

/** GroupDNet's inputs on flat arrays: labels [N,H,W], edges [N,H,W] (edge-channel models), z NHWC [N,sh,sw,latentNc]. */
export interface GroupDNetFeeds {
  label: Int32Array;
  edge?: Float32Array;
  z: Float32Array;
}

/** The ONNX feeds of a GroupDNet export (io from groupdnetIo); checks the sizes. */
export function groupdnetFeeds(io: GroupDNetIo, f: GroupDNetFeeds): Record<string, ImageFeed> {
  const { height: h, width: w } = io.label;
  const n = f.label.length / (h * w);
  if (!Number.isInteger(n) || n < 1) throw new ShapeError(`groupdnetFeeds: label must be [N,${h},${w}], got ${f.label.length} values.`);
  const { height: sh, width: sw, channels: nc } = io.z;
  if (f.z.length !== n * sh * sw * nc) throw new ShapeError(`groupdnetFeeds: z must be [${n},${sh},${sw},${nc}] (NHWC), got ${f.z.length} values.`);
  if (io.edge !== (f.edge !== undefined)) throw new ShapeError(`groupdnetFeeds: this model ${io.edge ? 'needs' : 'takes no'} an edge map.`);
  if (f.edge && f.edge.length !== n * h * w) throw new ShapeError(`groupdnetFeeds: edge must be [${n},${h},${w}], got ${f.edge.length} values.`);
  return {
    label: { data: f.label, dims: [n, h, w] },
    ...(f.edge && { edge: { data: f.edge, dims: [n, 1, h, w] } }),
    z: { data: transposeNhwc(f.z, n, sh, sw, nc), dims: [n, nc, sh, sw] },
  };
}

/** What the exporter reads of a @clade/sean SeanGenerator: its synthesis model [seg, codes] → image. */
export interface ExportableSean {
  readonly synthesisModel: tfl.LayersModel;
  readonly config: { labelNc: number; containDontcare: boolean; styleLength: number; classBranch: string };
}

/** The exported SEAN graph's inputs and output; also stored as JSON in metadata 'clade.io'. */
export interface SeanIo {
  /** int32 [N,H,W] class indices in [0, numClasses). */
  label: { height: number; width: number; numClasses: number };
  /** float32 [N,K,S] per-region style codes. */
  codes: { classes: number; length: number };
  /** One float32 [N,1,h,w] input per ACE layer, named `<layer>.noise`: the draw ACE.noiseMap makes (zeros: no noise). */
  noise: { layer: string; input: string; height: number; width: number }[];
  /** float32 [N,3,H,W] in [−1, 1]. */
  image: { height: number; width: number };
}

/** The input/output contract of a SEAN export (label maps at the output size). */
export function seanIo(g: ExportableSean): SeanIo {
  const [, height, width] = g.synthesisModel.outputs[0]!.shape as number[];
  const k = g.config.labelNc + (g.config.containDontcare ? 1 : 0);
  // Every ACE runs on a feature map of a fixed size (the seg input's H, W are open, x's are not).
  const noise = g.synthesisModel.layers
    .filter((l) => l.getClassName() === 'ACE')
    .map((l) => {
      const [, h, w] = l.inboundNodes[0]!.inputTensors[0]!.shape as number[];
      return { layer: l.name, input: `${l.name}.noise`, height: h!, width: w! };
    });
  const size = { height: height!, width: width! };
  return { label: { ...size, numClasses: k }, codes: { classes: k, length: g.config.styleLength }, noise, image: size };
}

/** Exports a SEAN / SEAN-CLADE generator's synthesis (eval mode): inputs `label`, `codes`, the ACE noise maps; output `image`. */
export function exportSeanToOnnx(g: ExportableSean, options: { doc?: string } = {}): Uint8Array {
  const io = seanIo(g);
  return exportLayersModelToOnnx(g.synthesisModel, {
    inputSize: { height: io.label.height, width: io.label.width },
    inputs: { seg: { kind: 'semantic', numClasses: io.label.numClasses, edge: false } },
    outputNames: ['image'],
    graphName: 'clade_sean',
    doc: options.doc ?? `@clade/onnx export of a SEAN (${g.config.classBranch} class branch) synthesis model`,
    metadata: { 'clade.io': JSON.stringify(io), 'clade.config': JSON.stringify(g.config) },
  });
}

/** SEAN's inputs on flat arrays: labels [N,H,W], codes [N,K,S], and per ACE layer its noise [N,h,w] (absent: none). */
export interface SeanFeeds {
  label: Int32Array;
  codes: Float32Array;
  noise?: Record<string, Float32Array>;
}

/** The ONNX feeds of a SEAN export (io from seanIo); checks the sizes. Layers without a noise map get zeros. */
export function seanFeeds(io: SeanIo, f: SeanFeeds): Record<string, ImageFeed> {
  const { height: h, width: w } = io.label;
  const n = f.label.length / (h * w);
  if (!Number.isInteger(n) || n < 1) throw new ShapeError(`seanFeeds: label must be [N,${h},${w}], got ${f.label.length} values.`);
  const { classes: k, length: s } = io.codes;
  if (f.codes.length !== n * k * s) throw new ShapeError(`seanFeeds: codes must be [${n},${k},${s}], got ${f.codes.length} values.`);
  const unknown = Object.keys(f.noise ?? {}).filter((l) => !io.noise.some((e) => e.layer === l));
  if (unknown.length > 0) throw new ShapeError(`seanFeeds: no ACE layer ${unknown.join(', ')} (has ${io.noise.map((e) => e.layer).join(', ')}).`);
  const feeds: Record<string, ImageFeed> = { label: { data: f.label, dims: [n, h, w] }, codes: { data: f.codes, dims: [n, k, s] } };
  for (const e of io.noise) {
    const r = f.noise?.[e.layer] ?? new Float32Array(n * e.height * e.width);
    if (r.length !== n * e.height * e.width)
      throw new ShapeError(`seanFeeds: noise of '${e.layer}' must be [${n},${e.height},${e.width}], got ${r.length} values.`);
    feeds[e.input] = { data: r, dims: [n, 1, e.height, e.width] };
  }
  return feeds;
}
