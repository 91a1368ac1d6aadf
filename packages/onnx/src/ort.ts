import { IOError } from '@clade/core';
import type * as OrtNode from 'onnxruntime-node';

/**
 * The only module of @clade/onnx that touches onnxruntime-node (one place decides the ORT
 * backend). Loaded lazily, so exporting a model never loads the native binding. pnpm does not
 * run its install script; the CPU binary ships inside the npm package.
 */
export type Ort = typeof OrtNode;
export type OrtSession = OrtNode.InferenceSession;
export type OrtTensor = OrtNode.Tensor;

/** Named time budget for creating a session. */
export const MODEL_LOAD_TIMEOUT_MS = 15_000;

let ort: Promise<Ort> | undefined;

/** onnxruntime-node, imported on first use. */
export function loadOrt(): Promise<Ort> {
  ort ??= import('onnxruntime-node').then(
    (m) => ((m as unknown as { default?: Ort }).default?.InferenceSession ? (m as unknown as { default: Ort }).default : m),
    (e: unknown) => {
      ort = undefined;
      throw new IOError(
        `onnxruntime-node could not be loaded (${(e as Error).message}). Install it with \`pnpm add onnxruntime-node@1.30.0\`; its CPU binary ships in the package.`,
        { cause: e },
      );
    },
  );
  return ort;
}

export interface OrtSessionOptions {
  /** Intra-op threads. Default: ORT's choice (all cores). */
  threads?: number;
  /** Write an ORT profile (per-node timings) with this file prefix; read it after endProfiling(). */
  profileFilePrefix?: string;
}

/** A CPU session from model bytes or a path; errors name `source`. */
export async function createSession(model: Uint8Array | string, source: string, options: OrtSessionOptions = {}): Promise<OrtSession> {
  const { InferenceSession } = await loadOrt();
  const opts: OrtNode.InferenceSession.SessionOptions = {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    ...(options.threads ? { intraOpNumThreads: options.threads, interOpNumThreads: 1 } : {}),
    ...(options.profileFilePrefix ? { enableProfiling: true, profileFilePrefix: options.profileFilePrefix } : {}),
  };
  try {
    return typeof model === 'string' ? await InferenceSession.create(model, opts) : await InferenceSession.create(model, opts);
  } catch (e) {
    throw new IOError(`createSession: '${source}' is not a model onnxruntime can load (${(e as Error).message}).`, { cause: e });
  }
}
