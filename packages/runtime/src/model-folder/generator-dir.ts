import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { IOError, registerLayers, writeFileAtomic } from '@clade/core';
import { presetInfo, presetLabelSpec, resolveGeneratorConfig } from '@clade/spade-gen';
import { CLADE_JSON, CLADE_JSON_FORMAT, parseCladeJson, type CladeModelJson, type LoadedGenerator } from './clade-json';
import { MODEL_JSON, WEIGHTS_BIN, fileSystemLoadHandler, fileSystemSaveHandler, readJsonFile } from './file-io';

/** The clade.json of a model folder, checked; the config is resolved (defaults filled in). */
export async function readCladeJson(dir: string): Promise<CladeModelJson> {
  const file = path.join(dir, CLADE_JSON);
  const stored = parseCladeJson(await readJsonFile(file, 'model folder'), file);
  return { ...stored, generator: resolveGeneratorConfig(stored.generator) };
}

/** Loads a model folder (clade.json, model.json, weights.bin) as a generator ready to run. */
export async function loadGeneratorDir(dir: string): Promise<LoadedGenerator> {
  const stored = await readCladeJson(dir);
  registerLayers();
  const model = await tfl.loadLayersModel(fileSystemLoadHandler(dir)).catch((e: unknown) => {
    if (e instanceof IOError) throw e;
    throw new IOError(`model folder '${dir}': ${MODEL_JSON}/${WEIGHTS_BIN} could not be loaded (${(e as Error).message}).`, { cause: e });
  });
  const names = model.inputNames;
  if (names[0] !== 'seg') {
    model.dispose();
    throw new IOError(`model folder '${dir}': model.json is not a clade generator (inputs ${names.join(', ')}; expected seg first).`);
  }
  return { preset: stored.preset, config: stored.generator, label: presetLabelSpec(stored.generator), model, source: dir };
}

/** Saves a generator as a model folder: model.json + weights.bin (float16 on request), then clade.json. */
export async function saveGeneratorDir(
  dir: string,
  g: LoadedGenerator,
  source: { file: string; sha256: string },
  options: { float16?: boolean } = {},
): Promise<void> {
  await g.model.save(fileSystemSaveHandler(dir, options));
  const json: CladeModelJson = {
    format: CLADE_JSON_FORMAT,
    formatVersion: 1,
    preset: g.preset,
    generator: g.config,
    label: g.label,
    icpeSkipValue: presetInfo(g.preset).icpeSkipValue,
    source: { file: path.basename(source.file), sha256: source.sha256 },
    versions: { tfjs: tf.version_core },
  };
  await writeFileAtomic(path.join(dir, CLADE_JSON), new TextEncoder().encode(`${JSON.stringify(json, null, 2)}\n`));
}
