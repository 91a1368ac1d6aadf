import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, IOError, readTorchCheckpoint, registerLayers, writeFileAtomic, type NdArray } from '@clade/core';
import { ConvEncoder, ENCODER_INPUT_SIZE, resolveEncoderConfig, type EncoderConfig } from '@clade/spade-gen';
import { fileSystemLoadHandler, fileSystemSaveHandler, readJsonFile } from '@clade/runtime/node';

/**
 * The VAE encoder (official `latest_net_E.pth`) for `clade synthesize --style` and
 * `clade convert --encoder`: read from the official state dict, or from the `encoder/`
 * subfolder `clade convert` writes next to the generator.
 */

/** A VAE encoder ready to run: image [1,H,W,3] in [−1, 1] → [mu, logvar] [1, zDim]. */
export interface LoadedEncoder {
  config: EncoderConfig;
  model: tfl.LayersModel;
  /** Where it came from, for messages. */
  source: string;
}

/** The subfolder of a converted model folder that holds its encoder. */
export const ENCODER_DIR = 'encoder';
/** The file next to the encoder's model.json that rebuilds its config. */
export const ENCODER_JSON = 'encoder.json';
export const ENCODER_JSON_FORMAT = 'clade-encoder';

/** Contents of encoder.json. */
export interface EncoderModelJson {
  format: typeof ENCODER_JSON_FORMAT;
  formatVersion: 1;
  encoder: EncoderConfig;
  source: { file: string; sha256: string };
  versions: { tfjs: string };
}

/**
 * Encoder fields read off an official `*_net_E.pth`: ngf (layer1's width), spectral norm
 * (weight_orig), zDim (fc_mu) and whether layer6 exists (crop ≥ 256). `cropSize` only decides
 * layer6, so the generator's is kept when it agrees. Throws an IOError when the dict is not an
 * encoder's (e.g. a generator passed as --encoder).
 */
export function inferEncoderConfig(state: Map<string, NdArray>, source: string, generatorCropSize: number): EncoderConfig {
  const spectral = state.has('layer1.0.weight_orig');
  const layer1 = state.get(spectral ? 'layer1.0.weight_orig' : 'layer1.0.weight')?.shape;
  const fc = state.get('fc_mu.weight')?.shape;
  if (layer1?.length !== 4 || fc?.length !== 2) {
    const some = [...state.keys()].slice(0, 3).join(', ');
    throw new IOError(
      `--encoder '${source}' is not a VAE encoder state dict (no layer1.0.weight_orig / fc_mu.weight; it starts with ${some || 'nothing'}). Pass the official *_net_E.pth.`,
    );
  }
  const layer6 = state.has(spectral ? 'layer6.0.weight_orig' : 'layer6.0.weight');
  const cropSize = (generatorCropSize >= ENCODER_INPUT_SIZE) === layer6 ? generatorCropSize : layer6 ? ENCODER_INPUT_SIZE : ENCODER_INPUT_SIZE / 2;
  return resolveEncoderConfig({ ngf: layer1[0]!, spectral, zDim: fc[0]!, cropSize });
}

/** Reads an official encoder `.pth` and loads it strictly into a ConvEncoder. */
export async function encoderFromTorch(
  file: string,
  generatorCropSize: number,
): Promise<LoadedEncoder & { sha256: string; keys: number }> {
  const bytes = await readFile(file).catch((e: NodeJS.ErrnoException) => {
    throw new IOError(`--encoder '${file}' could not be read (${e.code === 'ENOENT' ? 'no such file' : e.message}).`, { cause: e });
  });
  const u8 = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const state = readTorchCheckpoint(u8, file);
  const config = inferEncoderConfig(state, file, generatorCropSize);
  const e = new ConvEncoder(config);
  try {
    e.loadTorchStateDict(state, `--encoder '${file}'`);
  } catch (err) {
    e.dispose();
    throw err;
  }
  return { config, model: e.model, source: file, sha256: createHash('sha256').update(u8).digest('hex'), keys: state.size };
}

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
export async function encoderFromDir(dir: string): Promise<LoadedEncoder> {
  const jsonPath = path.join(dir, ENCODER_JSON);
  const j = (await readJsonFile(jsonPath, 'encoder folder')) as Partial<EncoderModelJson> | null;
  if (!j || typeof j !== 'object' || j.format !== ENCODER_JSON_FORMAT)
    throw new IOError(`'${jsonPath}' is not a clade encoder description (format must be '${ENCODER_JSON_FORMAT}').`);
  if (j.formatVersion !== 1) throw new IOError(`'${jsonPath}': formatVersion ${String(j.formatVersion)} is not supported (this clade reads 1).`);
  const config = resolveEncoderConfig(j.encoder ?? {});
  registerLayers();
  const model = await tfl.loadLayersModel(fileSystemLoadHandler(dir)).catch((e: unknown) => {
    if (e instanceof IOError) throw e;
    throw new IOError(`encoder folder '${dir}' could not be loaded (${(e as Error).message}).`, { cause: e });
  });
  if (model.inputNames[0] !== 'image' || model.outputs.length !== 2)
    throw new IOError(`encoder folder '${dir}': model.json is not a clade VAE encoder (expected input 'image' and outputs fc_mu, fc_var).`);
  return { config, model, source: dir };
}

/** `--encoder`: an official `*_net_E.pth`, an encoder folder, or a model folder with `encoder/`. */
export async function loadEncoder(p: string, generatorCropSize: number): Promise<LoadedEncoder> {
  const isDir = await stat(p).then(
    (s) => s.isDirectory(),
    (e: NodeJS.ErrnoException) => {
      throw new IOError(`--encoder '${p}' ${e.code === 'ENOENT' ? 'does not exist' : `cannot be read (${e.message})`}.`, { cause: e });
    },
  );
  if (!isDir) return encoderFromTorch(p, generatorCropSize);
  const dir = await encoderDirOf(p);
  if (!dir) throw new IOError(`--encoder folder '${p}' holds no ${ENCODER_JSON} (nor ${ENCODER_DIR}/${ENCODER_JSON}); convert one with \`clade convert --encoder\`.`);
  return encoderFromDir(dir);
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

/** Refuses an encoder whose latent does not feed the generator. */
export function checkEncoderFits(e: LoadedEncoder, zDim: number, what: string): void {
  if (e.config.zDim !== zDim)
    throw new ConfigError(
      `encoder '${e.source}' gives z of size ${e.config.zDim}, the ${what} generator takes ${zDim} (--z-dim); they are not a pair.`,
    );
}

/** mu and logvar [1, zDim] of an image [1,H,W,3] in [−1, 1] (eval mode: stored spectral-norm u, v). */
export function encodeImage(e: LoadedEncoder, image: tf.Tensor4D): { mu: tf.Tensor2D; logvar: tf.Tensor2D } {
  const [mu, logvar] = e.model.apply(image, { training: false }) as [tf.Tensor2D, tf.Tensor2D];
  return { mu, logvar };
}
