import type { Synthesizer as RuntimeSynthesizer } from '@clade/runtime';
import type { GeneratorConfig } from '@clade/spade-gen';
import type { LabelMask } from '../lib/label-mask';
import { rgbToRgba } from '../lib/mask-codec';

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

/** A painter's engine over the runtime's Synthesizer: the same steps as `clade synthesize`, any engine. */
export abstract class GeneratorSynthesizer implements Synthesizer {
  readonly config: GeneratorConfig;

  constructor(
    readonly label: string,
    readonly runtime: RuntimeSynthesizer,
  ) {
    this.config = runtime.generator.config;
  }

  get size(): { width: number; height: number } {
    return this.runtime.size;
  }

  /** "CLADE, ngf 16, 256×256". */
  get description(): string {
    const { width, height } = this.size;
    return `${this.config.normMode === 'spade' ? 'SPADE' : 'CLADE'}, ngf ${this.config.ngf}, ${width}×${height}`;
  }

  get hasStyle(): boolean {
    return this.runtime.hasStyle;
  }

  /** Runs the generator on `mask` (brought to the model's size as `clade synthesize` does); `styleSeed` draws z for VAE models. */
  async synthesize(mask: LabelMask, styleSeed = 0): Promise<Synthesized> {
    const t0 = performance.now();
    const { width, height } = mask;
    const instance = this.config.useInstance ? { width, height, data: new Uint8Array(mask.ids.length) } : undefined; // no instances when painting
    const image = await this.runtime.synthesize({
      label: { width, height, data: mask.ids },
      ...(instance && { instance }),
      ...(this.hasStyle && { seed: styleSeed }),
    });
    return { rgba: rgbToRgba(image.rgb), width: image.width, height: image.height, ms: performance.now() - t0 };
  }
}
