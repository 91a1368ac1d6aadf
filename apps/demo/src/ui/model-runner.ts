import * as tf from '@tensorflow/tfjs';
import { registerLayers } from '@clade/core';
import { parseCladeJson, tfjsSynthesizer, type Synthesizer } from '@clade/runtime';
import { resolveGeneratorConfig } from '@clade/spade-gen';
import type { LabelMask } from '../lib/label-mask';
import { rgbToRgba } from '../lib/mask-codec';
import { GeneratorSynthesizer, type Synthesized } from './synthesizer';

/** One generator model folder (model.json + weights.bin + clade.json), loaded over HTTP, run by tfjs through the runtime. */
export class ModelRunner extends GeneratorSynthesizer {
  private constructor(
    label: string,
    readonly runtime: Synthesizer,
  ) {
    super(label, runtime.generator.config);
  }

  static async load(label: string, url: string): Promise<ModelRunner> {
    const res = await fetch(`${url}clade.json`);
    if (!res.ok) throw new Error(`${label}: ${url}clade.json could not be fetched (HTTP ${res.status}).`);
    const json = parseCladeJson(await res.json(), `${url}clade.json`);
    const config = resolveGeneratorConfig(json.generator);
    if (config.normMode === 'cladeIcpe' || config.normPerBlock?.includes('cladeIcpe'))
      throw new Error(`${label}: CLADE-ICPE generators need a positional map, which the painter does not compute; export a CLADE or SPADE model.`);
    registerLayers(); // the bundler may have dropped the layer modules' registration side effects
    const model = await tf.loadLayersModel(`${url}model.json`);
    return new ModelRunner(label, tfjsSynthesizer({ preset: json.preset, config, label: json.label, model, source: url }));
  }

  get hasStyle(): boolean {
    return this.runtime.hasStyle;
  }

  /** Runs the generator on `mask` (brought to the model's size as `clade synthesize` does); `styleSeed` draws z for VAE models. */
  async synthesize(mask: LabelMask, styleSeed = 0): Promise<Synthesized> {
    const t0 = performance.now();
    const instance = this.config.useInstance ? { width: mask.width, height: mask.height, data: new Uint8Array(mask.ids.length) } : undefined; // no instances when painting
    const image = await this.runtime.synthesize({ label: { width: mask.width, height: mask.height, data: mask.ids }, ...(instance && { instance }), ...(this.hasStyle && { seed: styleSeed }) });
    return { rgba: rgbToRgba(image.rgb), width: image.width, height: image.height, ms: performance.now() - t0 };
  }

  dispose(): void {
    void this.runtime.dispose();
  }
}
