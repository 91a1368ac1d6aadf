import { mkdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { IOError, groupDigits, writeFileAtomic } from '@clade/core';
import { assertFiniteWeights } from '@clade/core/internal';
import { decodeFloatWeights, quantizeFloat16 } from './float16';

/**
 * tfjs model folders on the local file system: `model.json` (topology + weights manifest) and
 * one `weights.bin`, the layout of tfjs-node's `file://` handler (which needs the native
 * binding, so we do not use it). Writes are atomic: a reader sees a whole old or new file.
 */

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

const utf8 = (s: string) => new TextEncoder().encode(s);

/**
 * An IOHandler for `model.save()` that writes `<dir>/model.json` and `<dir>/weights.bin`;
 * `float16` stores float32 weights at half precision (decoded to float32 on load).
 */
export function fileSystemSaveHandler(dir: string, options: { float16?: boolean } = {}): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const topology = artifacts.modelTopology;
      if (!topology || topology instanceof ArrayBuffer)
        throw new IOError('fileSystemSaveHandler: only JSON model topologies are supported (save a LayersModel).');
      await mkdir(dir, { recursive: true });
      let weightData = artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0);
      let weightSpecs = artifacts.weightSpecs ?? [];
      if (options.float16) ({ specs: weightSpecs, data: weightData } = quantizeFloat16(weightSpecs, weightData));
      const modelJson: tf.io.ModelJSON = {
        modelTopology: topology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: weightSpecs }],
        ...(artifacts.trainingConfig && { trainingConfig: artifacts.trainingConfig }),
        ...(artifacts.signature && { signature: artifacts.signature }),
        ...(artifacts.userDefinedMetadata && { userDefinedMetadata: artifacts.userDefinedMetadata }),
      };
      // Weights first: a model.json never points at a weights file that is not there yet.
      await writeFileAtomic(path.join(dir, WEIGHTS_BIN), new Uint8Array(weightData));
      await writeFileAtomic(path.join(dir, MODEL_JSON), utf8(JSON.stringify(modelJson)));
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: JSON.stringify(artifacts.modelTopology).length,
          weightSpecsBytes: JSON.stringify(artifacts.weightSpecs ?? []).length,
          weightDataBytes: weightData.byteLength,
        },
      };
    },
  };
}

async function readOrThrow(file: string, what: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new IOError(`${what}: could not read '${file}' (${why}).`, { cause: e });
  }
}

/** Parses a JSON file; errors name the file. */
export async function readJsonFile(file: string, what: string): Promise<unknown> {
  const text = (await readOrThrow(file, what)).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new IOError(`${what}: '${file}' is not valid JSON (${(e as Error).message}).`, { cause: e });
  }
}

/**
 * An IOHandler for `tf.loadLayersModel()` reading `<dir>/model.json` and the weight files it
 * lists. Weights holding NaN/±Infinity (after float16 decoding) are refused, naming the file.
 */
export function fileSystemLoadHandler(dir: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const jsonPath = path.join(dir, MODEL_JSON);
      const modelJson = (await readJsonFile(jsonPath, 'fileSystemLoadHandler')) as tf.io.ModelJSON;
      if (typeof modelJson !== 'object' || modelJson === null || !modelJson.modelTopology)
        throw new IOError(`fileSystemLoadHandler: '${jsonPath}' has no modelTopology; is it a tfjs LayersModel?`);
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        const files: string[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const p of group.paths) {
            const file = path.resolve(dir, p);
            if (path.relative(dir, file).startsWith('..'))
              throw new IOError(`fileSystemLoadHandler: '${jsonPath}' lists a weight file outside its folder: '${p}'.`);
            files.push(file);
            const b = await readOrThrow(file, 'fileSystemLoadHandler');
            buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
          }
        }
        const data = tf.io.CompositeArrayBuffer.join(buffers);
        // Quantized weights are stored at their quantized width (float16, uint16: 2 bytes; uint8: 1).
        const width = (s: tf.io.WeightsManifestEntry) =>
          s.quantization ? (s.quantization.dtype === 'uint8' ? 1 : 2) : s.dtype === 'float32' || s.dtype === 'int32' ? 4 : s.dtype === 'bool' ? 1 : NaN;
        const expected = specs.reduce((a, s) => a + s.shape.reduce((p, d) => p * d, 1) * width(s), 0);
        if (Number.isFinite(expected) && data.byteLength !== expected) {
          const what = files.length === 1 ? `'${files[0]}'` : `the weight files of '${jsonPath}'`;
          throw new IOError(
            data.byteLength < expected
              ? `${what} is truncated: ${groupDigits(data.byteLength)} of the ${groupDigits(expected)} bytes its model.json lists.`
              : `${what} holds ${groupDigits(data.byteLength)} bytes, more than the ${groupDigits(expected)} its model.json lists (mismatched files).`,
          );
        }
        // Several weight files are one buffer to tfjs; then model.json names the set.
        assertFiniteWeights(files.length === 1 ? files[0]! : jsonPath, decodeFloatWeights(specs, data));
        return [specs, data];
      });
    },
  };
}
