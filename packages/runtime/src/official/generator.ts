import type { NdArray } from '@clade/core';
import { SpadeGenerator, presetLabelSpec, type GeneratorConfig, type PresetName } from '@clade/spade-gen';
import type { LoadedGenerator } from '../model-folder/clade-json';
import { checkStateFits } from './state-fits';

export interface OfficialGeneratorOptions {
  preset: PresetName;
  /** The full config to build (e.g. preset defaults, then inferGeneratorConfig, then overrides). */
  config: GeneratorConfig;
  /** Names the generator in the does-not-fit error; defaults to the preset name. */
  what?: string;
  /** Appended to the does-not-fit error, e.g. which options to check. */
  fitHint?: string;
}

/**
 * Builds the generator `config` describes and loads an official state dict into it, strictly:
 * a state dict that does not fit key for key throws an IOError (and nothing is left allocated).
 */
export function officialGeneratorFromState(state: Map<string, NdArray>, source: string, opts: OfficialGeneratorOptions): LoadedGenerator {
  const { preset, config } = opts;
  const g = new SpadeGenerator(config);
  try {
    checkStateFits(g.model, state, source, opts.what ?? preset, opts.fitHint);
    g.loadTorchStateDict(state, source);
  } catch (e) {
    g.dispose();
    throw e;
  }
  return { preset, config, label: presetLabelSpec(config), model: g.model, source };
}
