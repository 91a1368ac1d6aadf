import { IOError } from '@clade/core';
import { PRESET_NAMES, type GeneratorConfig, type PresetLabelSpec, type PresetName } from '@clade/spade-gen';
import type * as tfl from '@tensorflow/tfjs-layers';
import { checkFolderJson, type FolderJson } from './folder-json';

/**
 * A model folder: `model.json` + `weights.bin` (a tfjs LayersModel, float32 or float16 weights)
 * and `clade.json`, which rebuilds the generator's config and says how labels map to classes.
 * `clade convert` and `clade export` write it; the CLI, the demo and the evaluation script read it.
 */
export const CLADE_JSON = 'clade.json';
export const CLADE_JSON_FORMAT = 'clade-generator';

/** Contents of clade.json. */
export interface CladeModelJson extends FolderJson<typeof CLADE_JSON_FORMAT> {
  preset: PresetName;
  generator: GeneratorConfig;
  label: PresetLabelSpec;
  icpeSkipValue: number;
}

/** A generator ready to run: its config, preset, label mapping and tfjs model. */
export interface LoadedGenerator {
  preset: PresetName;
  config: GeneratorConfig;
  label: PresetLabelSpec;
  model: tfl.LayersModel;
  /** Where it came from, for messages. */
  source: string;
}

/** What the ONNX exporter needs to know of a loaded generator (its inputs follow from these). */
export function onnxExportable(g: LoadedGenerator): LoadedGenerator & { usesDist: boolean } {
  return { ...g, usesDist: g.model.inputNames.includes('dist') };
}

/** Checks parsed clade.json contents (`file` names it in errors); the generator config is resolved by the loader. */
export function parseCladeJson(v: unknown, file: string): CladeModelJson {
  const j = checkFolderJson(v, file, CLADE_JSON_FORMAT, 'model') as Partial<CladeModelJson>;
  if (!(PRESET_NAMES as readonly string[]).includes(j.preset as string))
    throw new IOError(`'${file}': preset must be one of ${PRESET_NAMES.join(', ')}, got '${String(j.preset)}'.`);
  if (!j.generator || typeof j.generator !== 'object') throw new IOError(`'${file}' has no generator config.`);
  return j as CladeModelJson;
}
