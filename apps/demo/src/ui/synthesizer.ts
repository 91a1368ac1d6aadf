import type { GeneratorConfig } from '@clade/spade-gen';
import type { LabelMask } from '../lib/label-mask';

export interface Synthesized {
  rgba: Uint8ClampedArray;
  width: number;
  height: number;
  /** Wall time from the mask to pixels read back (upload, generator, download). */
  ms: number;
}

/** One generator on one engine (tfjs on its current backend, or onnxruntime-web). */
export interface Synthesizer {
  readonly label: string;
  readonly config: GeneratorConfig;
  readonly size: { width: number; height: number };
  /** The model takes a style vector z (a VAE generator). */
  readonly hasStyle: boolean;
  readonly description: string;
  /** Runs the generator on `mask` (resized to the model's size); `styleSeed` draws z for VAE models. */
  synthesize(mask: LabelMask, styleSeed?: number): Promise<Synthesized>;
}

/** What every engine derives from the generator config: output size and description. */
export abstract class GeneratorSynthesizer implements Synthesizer {
  constructor(
    readonly label: string,
    readonly config: GeneratorConfig,
  ) {}

  get size(): { width: number; height: number } {
    return { width: this.config.cropSize, height: Math.round(this.config.cropSize / this.config.aspectRatio) };
  }

  /** "CLADE, ngf 16, 256×256". */
  get description(): string {
    const { width, height } = this.size;
    return `${this.config.normMode === 'spade' ? 'SPADE' : 'CLADE'}, ngf ${this.config.ngf}, ${width}×${height}`;
  }

  abstract get hasStyle(): boolean;
  abstract synthesize(mask: LabelMask, styleSeed?: number): Promise<Synthesized>;
}
