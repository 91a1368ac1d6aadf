import { quantizeOutput } from '../quantize';
import type { LoadedGenerator } from '../model-folder/clade-json';
import { tfjsEngine, type GeneratorEngine } from './engine';
import { generatorSpec, prepareRequest } from './prepare';
import type { GeneratorSpec, ImageSynthesizer, PreparedInput, RawImage, SynthesisRequest, SynthesizedImage } from './request';
import { modelInputSize } from './test-geometry';

/**
 * Label map → image for one SPADE / CLADE / CLADE-ICPE generator on one engine: `synthesize` does
 * it all; `prepare`, `run` and `toImage` are the steps, for callers that time or reuse them. Every
 * caller (CLI, showcase, demo, evaluation, bench) goes through here, so the same label, model and
 * seed give the same bytes everywhere.
 */
export class Synthesizer implements ImageSynthesizer<SynthesisRequest, PreparedInput> {
  constructor(
    readonly generator: GeneratorSpec,
    readonly engine: GeneratorEngine,
  ) {}

  /** The generator's input and output size. */
  get size(): { width: number; height: number } {
    return modelInputSize(this.generator.preset, this.generator.config);
  }

  /** The model takes a style vector z (a VAE generator). */
  get hasStyle(): boolean {
    return this.generator.inputs.z;
  }

  prepare(request: SynthesisRequest): PreparedInput {
    return prepareRequest(this.generator, request);
  }

  async run(input: PreparedInput): Promise<RawImage> {
    return this.engine.run(input);
  }

  /** The 8-bit image of a raw output: the official quantiser. */
  toImage(out: RawImage): SynthesizedImage {
    return quantizeOutput(out);
  }

  async synthesize(request: SynthesisRequest): Promise<SynthesizedImage> {
    return this.toImage(await this.run(this.prepare(request)));
  }

  /** Releases the engine and the model. */
  async dispose(): Promise<void> {
    await this.engine.dispose();
  }
}

/** A loaded tfjs generator on the current tfjs backend. */
export function tfjsSynthesizer(g: LoadedGenerator): Synthesizer {
  return new Synthesizer(generatorSpec(g), tfjsEngine(g));
}
