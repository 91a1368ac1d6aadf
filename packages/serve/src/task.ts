import type { LabelCoding } from './labels';
import type { ModelSource } from './options';

/** What every worker gets at start (piscina `workerData`). */
export interface WorkerConfig {
  models: ModelSource[];
  /** onnxruntime intra-op threads. */
  threads: number;
}

/** One synthesis, sent to a worker. */
export interface SynthesisTask {
  model: string;
  /** The label file's bytes, as the client sent them. */
  body: Uint8Array;
  labels: LabelCoding;
  seed: number;
  maxPixels: number;
  /**
   * Shared with the main thread: [STARTED] the worker sets when it takes the task (so a timeout can
   * tell a request that never left the queue, 503, from one that ran too long, 504); [CANCELLED]
   * the main thread sets on timeout, and the worker stops at its next step.
   */
  flags: Int32Array;
}

/** Indices into `SynthesisTask.flags`. */
export const STARTED = 0;
export const CANCELLED = 1;

/** A fresh flags array for one task (shared memory). */
export const taskFlags = (): Int32Array => new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));

/** A worker's answer: the PNG, or a user error (bad label) as a message, since error classes do not cross threads. */
export type SynthesisResult =
  | { ok: true; png: Uint8Array; width: number; height: number; ms: number }
  | { ok: false; status: number; error: string };

/** What a worker posts to the main thread once its models are loaded, or when loading failed. */
export type WorkerMessage = { type: 'ready'; threadId: number; engine: string } | { type: 'failed'; threadId: number; error: string };

export const isWorkerMessage = (m: unknown): m is WorkerMessage =>
  typeof m === 'object' && m !== null && ((m as WorkerMessage).type === 'ready' || (m as WorkerMessage).type === 'failed');
