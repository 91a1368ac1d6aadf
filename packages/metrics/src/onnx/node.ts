import { IOError } from '@clade/core';
import type * as OrtNode from 'onnxruntime-node';

/**
 * The only module that touches onnxruntime-node (one place decides the ORT backend, as in
 * transformers.js). It is loaded lazily, so FID/KID users never load the native binding.
 * pnpm does not run its install script (not in onlyBuiltDependencies; .npmrc
 * `onnxruntime-node-install=skip`): the CPU binary ships inside the npm package.
 */
export type Ort = typeof OrtNode;
export type OrtSession = OrtNode.InferenceSession;
export type OrtTensor = OrtNode.Tensor;

/** Named time budgets, as transformers.js does. */
export const MODEL_LOAD_TIMEOUT_MS = 15_000;

let ort: Promise<Ort> | undefined;

/** onnxruntime-node, imported on first use. */
export function loadOrt(): Promise<Ort> {
  ort ??= import('onnxruntime-node').then(
    (m) => ((m as unknown as { default?: Ort }).default?.InferenceSession ? (m as unknown as { default: Ort }).default : m),
    (e: unknown) => {
      ort = undefined;
      throw new IOError(
        `onnxruntime-node could not be loaded (${(e as Error).message}). Install it with \`pnpm add onnxruntime-node@1.30.0\`; its CPU binary ships in the package, no install script is needed.`,
        { cause: e },
      );
    },
  );
  return ort;
}

export interface SessionOptions {
  /** Intra-op threads. Default: ORT's choice (all cores). */
  threads?: number;
}

/** Creates an inference session from model bytes; errors name `source`. */
export async function createSession(bytes: Uint8Array, source: string, options: SessionOptions = {}): Promise<OrtSession> {
  const { InferenceSession } = await loadOrt();
  try {
    return await InferenceSession.create(bytes, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      ...(options.threads ? { intraOpNumThreads: options.threads, interOpNumThreads: 1 } : {}),
    });
  } catch (e) {
    throw new IOError(`createSession: '${source}' is not a model onnxruntime can load (${(e as Error).message}).`, { cause: e });
  }
}

/** A float32 tensor for `feeds`. */
export async function floatTensor(data: Float32Array, dims: number[]): Promise<OrtTensor> {
  const { Tensor } = await loadOrt();
  return new Tensor('float32', data, dims);
}
