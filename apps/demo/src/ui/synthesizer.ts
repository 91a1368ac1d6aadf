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

/** Output size of a generator config. */
export function outputSize(c: GeneratorConfig): { width: number; height: number } {
  return { width: c.cropSize, height: Math.round(c.cropSize / c.aspectRatio) };
}

/** "CLADE, ngf 16, 256×256". */
export function describeModel(c: GeneratorConfig): string {
  const { width, height } = outputSize(c);
  return `${c.normMode === 'spade' ? 'SPADE' : 'CLADE'}, ngf ${c.ngf}, ${width}×${height}`;
}
