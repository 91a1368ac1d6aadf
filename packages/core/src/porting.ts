import * as tf from '@tensorflow/tfjs-core';
import type { layers } from '@tensorflow/tfjs-layers';
import { IOError } from './errors';
import type { NdArray } from './io/ndarray';

/**
 * How an official PyTorch tensor becomes a tfjs weight (REFERENCE §1, §15.4):
 * - 'conv': [O,I,kh,kw] → [kh,kw,I,O]
 * - 'linear': [out,in] → [in,out]
 * - 'none': same layout (biases, CLADE tables [K,C], running statistics)
 */
export type TorchTransform = 'conv' | 'linear' | 'none';

/**
 * Our weight names are the official keys with '.' → '/' (layer names already use '.', e.g.
 * 'head_0.conv_0/weight_orig'); tfjs' own Dense/Conv2D call their kernel 'kernel'.
 */
export function torchKeyOf(weightName: string): string {
  return weightName.replace(/\/kernel$/, '/weight').replace(/\//g, '.');
}

/** The transform for one of our weights, from its name and rank. */
export function torchTransformOf(weightName: string, rank: number): TorchTransform {
  if (rank === 4) return 'conv';
  // CLADE's Γ/B tables are [K,C] in both frameworks (rows are gathered by class).
  if (rank === 2 && !/class_specified_affine\/(weight|bias)$/.test(weightName)) return 'linear';
  return 'none';
}

/** The tfjs shape a PyTorch tensor of `shape` takes under `transform`. */
export function tfjsShapeOf(shape: number[], transform: TorchTransform): number[] {
  if (transform === 'conv') return [shape[2]!, shape[3]!, shape[1]!, shape[0]!];
  if (transform === 'linear') return [shape[1]!, shape[0]!];
  return shape;
}

/** The PyTorch shape of a tfjs weight of `shape` under `transform` (the inverse of tfjsShapeOf). */
export function torchShapeOf(shape: number[], transform: TorchTransform): number[] {
  if (transform === 'conv') return [shape[3]!, shape[2]!, shape[0]!, shape[1]!];
  if (transform === 'linear') return [shape[1]!, shape[0]!];
  return shape;
}

/** A float tensor in tfjs layout from a PyTorch array. */
export function torchToTfjs(arr: NdArray, transform: TorchTransform): tf.Tensor {
  return tf.tidy(() => {
    const data = arr.data instanceof Float32Array ? arr.data : Float32Array.from(arr.data as ArrayLike<number>);
    const t = tf.tensor(data, arr.shape, 'float32');
    if (transform === 'conv') return tf.transpose(t, [2, 3, 1, 0]);
    if (transform === 'linear') return tf.transpose(t, [1, 0]);
    return t;
  });
}

/** Buffers that PyTorch saves but our layers do not keep. */
const IGNORED_SUFFIXES = ['num_batches_tracked'];

export interface LoadStateDictOptions {
  /** Key prefix of this layer in the state dict, e.g. 'up_0.norm_1.' (default ''). */
  prefix?: string;
  /** Label used in error messages (usually the file name). */
  source?: string;
}

/** A state dict's key problems: 'missing keys: …; unexpected keys: …; mis-shaped keys: …' (the non-empty lists), '' when none. */
export function keyMismatch(keys: { missing: string[]; unexpected: string[]; misShaped: string[] }): string {
  const { missing, unexpected, misShaped } = keys;
  return [
    missing.length ? `missing keys: ${missing.join(', ')}` : '',
    unexpected.length ? `unexpected keys: ${unexpected.join(', ')}` : '',
    misShaped.length ? `mis-shaped keys: ${misShaped.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

/**
 * A built layer's weights as a PyTorch state dict (official keys and layouts): the inverse of
 * `loadTorchStateDict`, for writing `.pth` files PyTorch code can load.
 */
export function torchStateDictOf(layer: Pick<layers.Layer, 'weights'>): Map<string, NdArray> {
  const state = new Map<string, NdArray>();
  for (const w of layer.weights) {
    const t = w.read();
    const transform = torchTransformOf(w.originalName, t.rank);
    const torch = transform === 'conv' ? tf.transpose(t, [3, 2, 0, 1]) : transform === 'linear' ? tf.transpose(t, [1, 0]) : t;
    state.set(torchKeyOf(w.originalName), { dtype: 'float32', shape: torch.shape.slice(), data: Float32Array.from(torch.dataSync()) });
    if (torch !== t) torch.dispose();
  }
  return state;
}

/**
 * Assigns a PyTorch state dict to a built layer, by name, strictly: any missing, unexpected or
 * mis-shaped key is reported — all of them in one error — and nothing is assigned.
 */
export function loadTorchStateDict(layer: layers.Layer, state: Map<string, NdArray>, opts: LoadStateDictOptions = {}): void {
  const { prefix = '', source = 'state dict' } = opts;
  if (!layer.built) throw new IOError(`loadTorchStateDict: layer '${layer.name}' must be built (call it once) before loading.`);
  const missing: string[] = [];
  const misShaped: string[] = [];
  const assignments: Array<[(typeof layer.weights)[number], NdArray, TorchTransform]> = [];
  const used = new Set<string>();
  for (const w of layer.weights) {
    // A model's weights are '<torch module path>/<weight>'; a lone layer's are named inside it.
    const isModel = 'layers' in layer;
    const name = !isModel && w.originalName.startsWith(`${layer.name}/`) ? w.originalName.slice(layer.name.length + 1) : w.originalName;
    const key = prefix + torchKeyOf(name);
    const arr = state.get(key);
    if (!arr) {
      missing.push(key);
      continue;
    }
    used.add(key);
    const transform = torchTransformOf(name, w.shape.length);
    const shape = tfjsShapeOf(arr.shape, transform);
    if (arr.shape.length !== w.shape.length || shape.some((d, i) => d !== w.shape[i])) {
      misShaped.push(`${key} [${arr.shape.join(',')}] (expected [${torchShapeOf(w.shape as number[], transform).join(',')}])`);
      continue;
    }
    assignments.push([w, arr, transform]);
  }
  const unexpected = [...state.keys()].filter(
    (k) => k.startsWith(prefix) && !used.has(k) && !IGNORED_SUFFIXES.some((s) => k.endsWith(s)),
  );
  const mismatch = keyMismatch({ missing, unexpected, misShaped });
  if (mismatch) throw new IOError(`loadTorchStateDict: ${source} does not fit layer '${layer.name}' (${layer.getClassName()}): ${mismatch}.`);
  for (const [w, arr, transform] of assignments) {
    const t = torchToTfjs(arr, transform);
    w.write(t);
    t.dispose();
  }
}
