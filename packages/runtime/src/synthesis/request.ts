import type { LabelMap, PositionalMap } from '@clade/data';
import type { GeneratorConfig, PresetLabelSpec, PresetName } from '@clade/spade-gen';

/** A SPADE / CLADE / CLADE-ICPE generator as synthesis sees it, whatever engine runs it. */
export interface GeneratorSpec {
  preset: PresetName;
  config: GeneratorConfig;
  label: PresetLabelSpec;
  /** Which inputs beside the label map the model takes. */
  inputs: { dist: boolean; z: boolean };
  /** Where it came from, for messages. */
  source: string;
}

/** What a user gives to synthesize one image: the label map as its file holds it, and a style. */
export interface SynthesisRequest {
  /** Raw label values (dataset ids), at any size: the official test transform brings them to the model's size. */
  label: LabelMap;
  /** Instance ids of the same size (models with the edge channel). */
  instance?: LabelMap;
  /**
   * CLADE-ICPE positional map (official planar [2,H,W]) at the label's size, or at the model's
   * input size (used as is). Default: computed from the label.
   */
  positional?: PositionalMap;
  /** VAE generators: the latent itself ([zDim]), or the seed of z ~ N(0, I). Default seed 0. */
  z?: Float32Array;
  seed?: number;
  /** Names the label in messages (a file path). */
  source?: string;
}

/** A request brought to the generator's input: class indices, edges, positional map and z at the model's size. */
export interface PreparedInput {
  width: number;
  height: number;
  /** Class index per pixel, int32 [H,W]. */
  classes: Int32Array;
  /** Instance edges, 0/1 [H,W], for models with the edge channel. */
  edges: Uint8Array | null;
  /** Positional map, float32 [H,W,2], for CLADE-ICPE. */
  positional: Float32Array | null;
  /** The VAE latent [zDim]. */
  z: Float32Array | null;
}

/** One synthesized image: the generator's raw output and the 8-bit image every writer and scorer uses. */
export interface SynthesizedImage {
  width: number;
  height: number;
  /** Float32 [H,W,3] in [−1, 1] (the raw output, NaN included when the model diverged). */
  values: Float32Array;
  /** 8-bit RGB [H,W,3] from `quantizeImage`. */
  rgb: Uint8Array;
}

/** A generator's raw output: float32 [H,W,3] in [−1, 1] (NaN included when the model diverged) and its size. */
export interface RawImage {
  width: number;
  height: number;
  values: Float32Array;
}

/**
 * The steps every synthesizer has, whatever the family: `prepare` (decoded inputs → the
 * generator's inputs at its size, plain arrays), `run` (the generator), `toImage` (the one
 * quantiser); `synthesize` does all three.
 */
export interface ImageSynthesizer<Request, Prepared> {
  /** The generator's input and output size. */
  readonly size: { width: number; height: number };
  prepare(request: Request): Prepared;
  run(input: Prepared): Promise<RawImage>;
  toImage(out: RawImage): SynthesizedImage;
  synthesize(request: Request): Promise<SynthesizedImage>;
  /** Releases the generator. */
  dispose(): void | Promise<void>;
}
