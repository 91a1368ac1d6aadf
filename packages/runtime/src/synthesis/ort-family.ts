import type { GroupDNetGenerator } from '@clade/groupdnet';
import {
  OrtImageGenerator,
  exportGroupDNetToOnnx,
  exportSeanToOnnx,
  groupdnetFeeds,
  groupdnetIo,
  seanFeeds,
  seanIo,
  type GroupDNetIo,
  type SeanIo,
} from '@clade/onnx';
import type { ACE, SeanGenerator } from '@clade/sean';
import * as tf from '@tensorflow/tfjs-core';
import { GroupDNetSynthesizer, type GroupDNetPreparedInput } from './groupdnet';
import type { RawImage } from './request';
import { SeanSynthesizer, type SeanPreparedInput } from './sean';

/** Options of the onnxruntime engines of the generator families. */
export interface OrtFamilyOptions {
  /** Intra-op threads of the ORT session. Default: ORT's choice (all cores). */
  threads?: number;
}

/**
 * GroupDNet / GroupDNet-CLADE on onnxruntime-node: the generator exported in memory (our ONNX
 * writer) and run by ORT. Only `run` differs from GroupDNetSynthesizer: `prepare` (the seeded
 * latent, the resized label and edges) and the quantiser are the base class's, so both engines
 * see the same bytes in and give the same image within float rounding.
 */
export class OrtGroupDNetSynthesizer extends GroupDNetSynthesizer {
  private constructor(
    generator: GroupDNetGenerator,
    private readonly ort: OrtImageGenerator,
    private readonly io: GroupDNetIo,
  ) {
    super(generator);
  }

  /** Exports `generator` and opens its session; the synthesizer owns the generator from then on. */
  static async create(generator: GroupDNetGenerator, options: OrtFamilyOptions = {}): Promise<OrtGroupDNetSynthesizer> {
    const ort = await OrtImageGenerator.create(exportGroupDNetToOnnx(generator), options);
    return new OrtGroupDNetSynthesizer(generator, ort, groupdnetIo(generator));
  }

  override async run(p: GroupDNetPreparedInput): Promise<RawImage> {
    const feeds = groupdnetFeeds(this.io, { label: p.classes, ...(p.edges && { edge: Float32Array.from(p.edges) }), z: p.z });
    const out = await this.ort.run(feeds);
    const [, height, width] = out.shape;
    return { values: out.data, width, height };
  }

  /** Releases the ORT session and the generator (once each). */
  override async dispose(): Promise<void> {
    super.dispose();
    await this.ort.dispose();
  }
}

/** A GroupDNet generator on onnxruntime-node (see OrtGroupDNetSynthesizer). */
export function ortGroupDNetSynthesizer(generator: GroupDNetGenerator, options: OrtFamilyOptions = {}): Promise<OrtGroupDNetSynthesizer> {
  return OrtGroupDNetSynthesizer.create(generator, options);
}

/**
 * SEAN / SEAN-CLADE with its synthesis on onnxruntime-node; the style encoder (and the code edits)
 * stay on tfjs, whose codes and per-ACE noise draws are fed to the graph. `prepare` and the
 * quantiser are SeanSynthesizer's.
 */
export class OrtSeanSynthesizer extends SeanSynthesizer {
  private constructor(
    generator: SeanGenerator,
    private readonly ort: OrtImageGenerator,
    private readonly io: SeanIo,
  ) {
    super(generator);
  }

  /** Exports `generator`'s synthesis model and opens its session; the synthesizer owns the generator from then on. */
  static async create(generator: SeanGenerator, options: OrtFamilyOptions = {}): Promise<OrtSeanSynthesizer> {
    const ort = await OrtImageGenerator.create(exportSeanToOnnx(generator), options);
    return new OrtSeanSynthesizer(generator, ort, seanIo(generator));
  }

  override async run(p: SeanPreparedInput): Promise<RawImage> {
    const { codes, noise } = this.tfjsInputs(p);
    const out = await this.ort.run(seanFeeds(this.io, { label: p.classes, codes, noise }));
    const [, height, width] = out.shape;
    return { values: out.data, width, height };
  }

  /** What ORT takes from tfjs: the (edited) style codes of the encoder and every ACE's seeded noise draw. */
  private tfjsInputs(p: SeanPreparedInput): { codes: Float32Array; noise: Record<string, Float32Array> } {
    return tf.tidy(() => {
      const codes = this.styleCodes(p, this.segOf(p, p.classes));
      // The draw each ACE makes with noise = seed in tfjs (ONNX's RandomNormal has another stream).
      const noise: Record<string, Float32Array> = {};
      for (const e of this.io.noise) {
        const r = (this.generator.synthesisModel.getLayer(e.layer) as ACE).noiseMap(1, e.height, e.width, p.seed);
        if (r) noise[e.layer] = Float32Array.from(r.dataSync()); // a copy: tidy frees r
      }
      return { codes: Float32Array.from(codes.dataSync()), noise };
    });
  }

  /** Releases the ORT session and the generator (once each). */
  override async dispose(): Promise<void> {
    super.dispose();
    await this.ort.dispose();
  }
}

/** A SEAN generator with its synthesis on onnxruntime-node (see OrtSeanSynthesizer). */
export function ortSeanSynthesizer(generator: SeanGenerator, options: OrtFamilyOptions = {}): Promise<OrtSeanSynthesizer> {
  return OrtSeanSynthesizer.create(generator, options);
}
