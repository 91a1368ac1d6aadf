import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { IOError, readNpz, writeFileAtomic, writeNpz, type NdArray } from '@clade/core';
import { loadGeneratorDir } from '@clade/runtime/node';
import type { BestScore } from './eval-config';

/** Where a run stands: enough to continue exactly (every random draw derives from seed + counters). */
export interface TrainingState {
  /** Iterations completed. */
  iteration: number;
  /** Current epoch (1-based) and batches of it already consumed. */
  epoch: number;
  batchInEpoch: number;
  seed: number;
  /** The best evaluation so far (when evaluation runs), null otherwise. */
  best: BestScore | null;
}

/** The trainable objects of a run, by checkpoint prefix. */
export interface Checkpointable {
  models: Record<string, tfl.LayersModel>;
  optimizers: Record<string, tf.Optimizer>;
}

const META = '__meta__';
const textBytes = (s: string) => new TextEncoder().encode(s);

function toNd(t: tf.Tensor): NdArray {
  return { dtype: 'float32', shape: t.shape.slice(), data: Float32Array.from(t.dataSync() as Float32Array) };
}

/**
 * Serialises every weight (trainable and buffers: BN running stats, spectral-norm u/v), every
 * optimizer slot and the training state into one .npz, written atomically (temp file, fsync,
 * rename): a crash at any moment leaves either the previous checkpoint or the new one.
 */
export async function saveCheckpoint(path: string, objects: Checkpointable, state: TrainingState): Promise<void> {
  const arrays = new Map<string, NdArray>();
  const optimizerSlots: Record<string, string[]> = {};
  for (const [prefix, model] of Object.entries(objects.models)) {
    for (const w of model.weights) arrays.set(`${prefix}/${w.originalName}`, toNd(w.read()));
  }
  for (const [prefix, opt] of Object.entries(objects.optimizers)) {
    const slots = await opt.getWeights();
    optimizerSlots[prefix] = slots.map((s) => s.name);
    slots.forEach((s, i) => arrays.set(`${prefix}/${String(i).padStart(5, '0')}`, toNd(s.tensor)));
    // getWeights() makes a fresh scalar for the step count; the moments are the live variables.
    slots.filter((s) => s.name === 'iter').forEach((s) => s.tensor.dispose());
  }
  const meta = JSON.stringify({ format: 'clade-checkpoint', version: 1, state, optimizerSlots, savedAt: new Date().toISOString() });
  arrays.set(META, { dtype: 'uint8', shape: [textBytes(meta).length], data: textBytes(meta) });
  await writeFileAtomic(path, writeNpz(arrays));
}

/** Reads a checkpoint's training state without loading weights. */
export async function readCheckpointState(path: string): Promise<TrainingState> {
  return (await readCheckpoint(path)).meta.state;
}

async function readCheckpoint(path: string) {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    throw new IOError(`loadCheckpoint: cannot read '${path}': ${(e as Error).message}`, { cause: e });
  }
  const arrays = readNpz(bytes, path);
  const metaArr = arrays.get(META);
  if (!metaArr) throw new IOError(`loadCheckpoint: '${path}' is not a clade checkpoint (no ${META} entry).`);
  const meta = JSON.parse(new TextDecoder().decode(metaArr.data as Uint8Array)) as {
    state: TrainingState;
    optimizerSlots: Record<string, string[]>;
  };
  // Checkpoints written before evaluation existed have no `best`.
  meta.state = { ...meta.state, best: meta.state.best ?? null };
  return { arrays, meta };
}

type WeightWrite = [tfl.LayersModel['weights'][number], NdArray];

/** A model's weights against a checkpoint's `<prefix>/<name>` entries: what fits, and what does not (and why). */
function matchWeights(arrays: Map<string, NdArray>, prefix: string, model: tfl.LayersModel): { writes: WeightWrite[]; unmatched: string[] } {
  const writes: WeightWrite[] = [];
  const unmatched: string[] = [];
  for (const w of model.weights) {
    const a = arrays.get(`${prefix}/${w.originalName}`);
    if (!a) unmatched.push(`${w.originalName} (not in the file)`);
    else if (a.shape.join(',') !== w.shape.join(',')) unmatched.push(`${w.originalName} (file [${a.shape}], model [${w.shape}])`);
    else writes.push([w, a]);
  }
  return { writes, unmatched };
}

function writeWeights(writes: WeightWrite[]): void {
  for (const [w, a] of writes) {
    const t = tf.tensor(a.data as Float32Array, a.shape, 'float32');
    w.write(t);
    t.dispose();
  }
}

/**
 * Restores weights, optimizer slots and state from `saveCheckpoint`'s file. The models must be
 * built with the same config; a missing or mis-shaped entry is an error listing what differs.
 */
export async function loadCheckpoint(path: string, objects: Checkpointable): Promise<TrainingState> {
  const { arrays, meta } = await readCheckpoint(path);
  const problems: string[] = [];
  const writes: WeightWrite[] = [];
  for (const [prefix, model] of Object.entries(objects.models)) {
    const m = matchWeights(arrays, prefix, model);
    writes.push(...m.writes);
    problems.push(...m.unmatched.map((u) => `${prefix}/${u}`));
  }
  for (const prefix of Object.keys(objects.optimizers)) {
    if (!meta.optimizerSlots[prefix]) problems.push(`missing optimizer ${prefix}`);
  }
  if (problems.length) throw new IOError(`loadCheckpoint: '${path}' does not fit this run: ${problems.slice(0, 8).join('; ')}.`);
  writeWeights(writes);
  for (const [prefix, opt] of Object.entries(objects.optimizers)) {
    const names = meta.optimizerSlots[prefix]!;
    const slots = names.map((name, i) => {
      const a = arrays.get(`${prefix}/${String(i).padStart(5, '0')}`)!;
      return { name, tensor: tf.tensor(a.data as Float32Array, a.shape, 'float32') };
    });
    await opt.setWeights(slots);
    tf.dispose(slots.map((s) => s.tensor));
  }
  return meta.state;
}

/** What `initFromCheckpoint` did: weights copied, and those left at their fresh init (partial only). */
export interface CheckpointInit {
  loaded: number;
  kept: string[];
}

/**
 * Copies one net's weights (`<prefix>/<name>` entries) from a run checkpoint into a freshly built
 * model, to start a new run from another one. Strict by default: a weight missing from the file or
 * shaped differently is an error listing them. `partial` keeps the fresh init for those instead.
 */
export async function initFromCheckpoint(path: string, prefix: string, model: tfl.LayersModel, partial: boolean): Promise<CheckpointInit> {
  const { arrays } = await readCheckpoint(path);
  return initFromArrays(arrays, path, prefix, model, partial);
}

/**
 * The same from a model folder (`clade export`, e.g. the bundled model): its generator's weights,
 * float16 ones decoded. This is how a run continues a model across machines, since checkpoints
 * are never committed.
 */
export async function initFromModelFolder(dir: string, model: tfl.LayersModel, partial: boolean): Promise<CheckpointInit> {
  const folder = await loadGeneratorDir(dir);
  const arrays = new Map<string, NdArray>();
  for (const w of folder.model.weights)
    arrays.set(`G/${w.originalName}`, { dtype: 'float32', shape: [...w.shape] as number[], data: w.read().dataSync() as Float32Array });
  folder.model.dispose();
  return initFromArrays(arrays, dir, 'G', model, partial);
}

function initFromArrays(arrays: Map<string, NdArray>, path: string, prefix: string, model: tfl.LayersModel, partial: boolean): CheckpointInit {
  if (![...arrays.keys()].some((k) => k.startsWith(`${prefix}/`)))
    throw new IOError(`init: '${path}' holds no ${prefix} weights (entries '${prefix}/…'); is it the checkpoint of a run with that net?`);
  const { writes, unmatched: kept } = matchWeights(arrays, prefix, model);
  if (kept.length && !partial) {
    const listed = `${kept.slice(0, 6).join('; ')}${kept.length > 6 ? `; … ${kept.length - 6} more` : ''}`;
    throw new IOError(
      `init: '${path}' does not fit this ${prefix}: ${listed}. Set init.partial (--init-partial) to keep the fresh init for these.`,
    );
  }
  writeWeights(writes);
  return { loaded: writes.length, kept };
}
