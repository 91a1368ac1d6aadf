import * as tf from '@tensorflow/tfjs';
import { registerLayers } from '@clade/core';
import { parseCladeJson, tfjsSynthesizer } from '@clade/runtime';
import { resolveGeneratorConfig } from '@clade/spade-gen';
import { GeneratorSynthesizer } from './synthesizer';

/** One generator model folder (model.json + weights.bin + clade.json), loaded over HTTP, run by tfjs through the runtime. */
export class ModelRunner extends GeneratorSynthesizer {
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

  dispose(): void {
    void this.runtime.dispose();
  }
}
