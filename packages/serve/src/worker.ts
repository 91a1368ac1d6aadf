// The pool's worker thread: loads every served model once (onnxruntime, the fused CLADE op where
// @clade/ort-native is built), then turns label bodies into PNGs. piscina awaits the default
// export (a promise of the handler) before it sends the worker a task.
import { performance } from 'node:perf_hooks';
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { initBackend } from '@clade/backend';
import { isUserError } from '@clade/core';
import { countNonFinite } from '@clade/core/internal';
import { encodeRgbPng, type ColorPalette } from '@clade/data';
import type { Synthesizer } from '@clade/runtime';
import { loadGeneratorDir, ortSynthesizer } from '@clade/runtime/node';
import { BODY, decodeLabelBody } from './labels';
import { presetPalette } from './models';
import { CANCELLED, STARTED, type SynthesisResult, type SynthesisTask, type WorkerConfig, type WorkerMessage } from './task';

interface LoadedModel {
  synth: Synthesizer;
  palette: ColorPalette | null;
}

const post = (m: WorkerMessage) => parentPort?.postMessage(m);

/** Every model of the config on onnxruntime; tfjs (cpu) only reads the weights for the in-memory ONNX export. */
async function loadModels(config: WorkerConfig): Promise<Map<string, LoadedModel>> {
  await initBackend({ backend: 'cpu' });
  const models = new Map<string, LoadedModel>();
  for (const m of config.models) {
    const g = await loadGeneratorDir(m.dir);
    models.set(m.name, { synth: await ortSynthesizer(g, { threads: config.threads }), palette: presetPalette(g.preset) });
  }
  return models;
}

const CANCELLED_RESULT: SynthesisResult = { ok: false, status: 503, error: 'the request timed out; its task was cancelled.' };

/**
 * One request, as `clade synthesize --engine onnx --checkpoint <dir> --label <png> --seed <n>`
 * does it: the runtime's prepare (official test transform), the seeded z (VAE models only), the
 * ORT run and the one quantiser, then the same PNG encoder. User errors come back as 400s. A task
 * cancelled by a timeout stops at the next step: a running onnxruntime call cannot be interrupted,
 * and terminating the thread under it crashes the process.
 */
export async function runTask(models: ReadonlyMap<string, LoadedModel>, task: SynthesisTask): Promise<SynthesisResult> {
  // STARTED before reading CANCELLED (and the main thread the other way round): one of us sees the other.
  Atomics.store(task.flags, STARTED, 1);
  const cancelled = () => Atomics.load(task.flags, CANCELLED) === 1;
  if (cancelled()) return CANCELLED_RESULT;
  const t0 = performance.now();
  const m = models.get(task.model);
  if (!m) return { ok: false, status: 400, error: `unknown model '${task.model}'.` };
  try {
    const label = await decodeLabelBody(task.body, task.labels, m.palette, task.maxPixels);
    if (cancelled()) return CANCELLED_RESULT;
    const input = m.synth.prepare({ source: BODY, label, ...(m.synth.hasStyle && { seed: task.seed }) });
    if (cancelled()) return CANCELLED_RESULT;
    const raw = await m.synth.run(input);
    if (cancelled()) return CANCELLED_RESULT;
    const image = m.synth.toImage(raw);
    const { first } = countNonFinite(image.values);
    if (first >= 0) return { ok: false, status: 500, error: `model '${task.model}' produced a non-finite value (at index ${first}); its weights are broken.` };
    const png = encodeRgbPng({ ...image, data: image.rgb });
    return { ok: true, png, width: image.width, height: image.height, ms: performance.now() - t0 };
  } catch (e) {
    if (isUserError(e)) return { ok: false, status: 400, error: (e as Error).message };
    throw e;
  }
}

async function start(): Promise<(task: SynthesisTask) => Promise<SynthesisResult>> {
  try {
    const models = await loadModels(workerData as WorkerConfig);
    const engine = [...models.values()][0]?.synth.engine.name ?? 'none';
    post({ type: 'ready', threadId, engine });
    return (task) => runTask(models, task);
  } catch (e) {
    // The main thread shuts the server down; tasks that still reach this worker fail with the reason.
    const error = e instanceof Error ? e.message : String(e);
    post({ type: 'failed', threadId, error });
    return () => Promise.reject(new Error(`worker ${threadId} could not load its models: ${error}`));
  }
}

export default start();
