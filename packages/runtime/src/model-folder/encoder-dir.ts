import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { IOError, registerLayers, writeFileAtomic } from '@clade/core';
import { resolveEncoderConfig } from '@clade/spade-gen';
import { ENCODER_DIR, ENCODER_JSON, ENCODER_JSON_FORMAT, type EncoderModelJson, type LoadedEncoder } from './encoder-json';
import { fileSystemLoadHandler, fileSystemSaveHandler, readJsonFile } from './file-io';
import { checkFolderJson } from './folder-json';

async function isFile(p: string): Promise<boolean> {
  return stat(p).then((s) => s.isFile(), () => false);
}

/**
 * The encoder folder `p` names: `p` itself when it holds encoder.json, else `p/encoder` when
 * that does (a model folder from `clade convert --encoder`); null otherwise.
 */
export async function encoderDirOf(p: string): Promise<string | null> {
  if (await isFile(path.join(p, ENCODER_JSON))) return p;
  if (await isFile(path.join(p, ENCODER_DIR, ENCODER_JSON))) return path.join(p, ENCODER_DIR);
  return null;
}

/** Loads an encoder folder (encoder.json, model.json, weights.bin). */
export async function loadEncoderDir(dir: string): Promise<LoadedEncoder> {
  const jsonPath = path.join(dir, ENCODER_JSON);
  const j = checkFolderJson(await readJsonFile(jsonPath, 'encoder folder'), jsonPath, ENCODER_JSON_FORMAT, 'encoder') as Partial<EncoderModelJson>;
  const config = resolveEncoderConfig(j.encoder ?? {});
  registerLayers();
  const model = await tfl.loadLayersModel(fileSystemLoadHandler(dir)).catch((e: unknown) => {
    if (e instanceof IOError) throw e;
    throw new IOError(`encoder folder '${dir}' could not be loaded (${(e as Error).message}).`, { cause: e });
  });
  if (model.inputNames[0] !== 'image' || model.outputs.length !== 2) {
    model.dispose();
    throw new IOError(`encoder folder '${dir}': model.json is not a clade VAE encoder (expected input 'image' and outputs fc_mu, fc_var).`);
  }
  return { config, model, source: dir };
}

/** Saves an encoder as a tfjs LayersModel folder with its encoder.json. */
export async function saveEncoderDir(dir: string, e: LoadedEncoder, source: { file: string; sha256: string }): Promise<void> {
  await e.model.save(fileSystemSaveHandler(dir));
  const json: EncoderModelJson = {
    format: ENCODER_JSON_FORMAT,
    formatVersion: 1,
    encoder: e.config,
    source: { file: path.basename(source.file), sha256: source.sha256 },
    versions: { tfjs: tf.version_core },
  };
  await writeFileAtomic(path.join(dir, ENCODER_JSON), new TextEncoder().encode(`${JSON.stringify(json, null, 2)}\n`));
}
