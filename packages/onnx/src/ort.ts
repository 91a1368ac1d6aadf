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
        `onnxruntime-node could not be loaded (${(e as Error).message}). Install it ` +
          `with \`pnpm add onnxruntime-node@1.30.0\`; its CPU binary ships in the package.`,
        { cause: e },
      );
    },
  );
  return ort;
}

/**
 * What runs a generator session: onnxruntime-node, or 'native' (@clade/ort-native, the same
 * onnxruntime with clade's fused CLADE op registered; needed by exports with `fusedClade`).
 */
export type OrtEngine = 'onnxruntime-node' | 'native';

/** An input tensor as both engines take it (onnxruntime-node's Tensor has these fields). */
export interface SessionFeed {
  readonly dims: readonly number[];
  readonly data: unknown;
}

/** The slice of onnxruntime-node's InferenceSession the generator runner uses (both engines). */
export interface GeneratorSession {
  readonly inputNames: readonly string[];
  readonly inputMetadata: readonly ({ name: string; isTensor: true; shape: readonly (number | string)[] } | { name: string; isTensor: false })[];
  run(feeds: Record<string, SessionFeed>): Promise<Record<string, { dims: readonly number[]; data: unknown; dispose(): void }>>;
  endProfiling(): unknown;
  release(): Promise<void>;
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
    // A memory pattern gives every run one fresh block for all intermediates; where first-touch
    // page faults are slow (this VM) that cost more than the CLADE layers (see @clade/ort-native).
    enableMemPattern: false,
    ...(options.threads ? { intraOpNumThreads: options.threads, interOpNumThreads: 1 } : {}),
    ...(options.profileFilePrefix ? { enableProfiling: true, profileFilePrefix: options.profileFilePrefix } : {}),
  };
  try {
    return typeof model === 'string' ? await InferenceSession.create(model, opts) : await InferenceSession.create(model, opts);
  } catch (e) {
    const msg = (e as Error).message;
    const hint = /ai\.clade|CladeModulate/.test(msg) ? " It uses clade's fused CLADE op: run it with engine 'native' (@clade/ort-native)." : '';
    throw new IOError(`createSession: '${source}' is not a model onnxruntime can load (${msg}).${hint}`, { cause: e });
  }
}
