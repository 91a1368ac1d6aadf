import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type * as tf from '@tensorflow/tfjs-core';
import { ConfigError, IOError, readTorchCheckpoint, type NdArray } from '@clade/core';
import { ENCODER_DIR, ENCODER_JSON, type LoadedEncoder } from '@clade/runtime';
import { encoderDirOf, loadEncoderDir } from '@clade/runtime/node';
import { ConvEncoder, ENCODER_INPUT_SIZE, resolveEncoderConfig, type EncoderConfig } from '@clade/spade-gen';

/**
 * The VAE encoder (official `latest_net_E.pth`) for `clade synthesize --style` and
 * `clade convert --encoder`: read from the official state dict, or from the `encoder/`
 * subfolder `clade convert` writes next to the generator.
 */

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
      `--encoder '${source}' is not a VAE encoder state dict (no layer1.0.weight_orig / ` +
        `fc_mu.weight; it starts with ${some || 'nothing'}). Pass the official *_net_E.pth.`,
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
  if (!dir)
    throw new IOError(
      `--encoder folder '${p}' holds no ${ENCODER_JSON} (nor ${ENCODER_DIR}/${ENCODER_JSON}); convert one with \`clade convert --encoder\`.`,
    );
  return loadEncoderDir(dir);
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
