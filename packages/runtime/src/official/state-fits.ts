import type * as tfl from '@tensorflow/tfjs-layers';
import { IOError, tfjsShapeOf, torchKeyOf, torchTransformOf, type NdArray, type TorchTransform } from '@clade/core';

const IGNORED_SUFFIXES = ['num_batches_tracked'];

/** The PyTorch shape of a tfjs weight (the inverse of core's tfjsShapeOf). */
export function torchShapeOf(shape: readonly number[], t: TorchTransform): number[] {
  if (t === 'conv') return [shape[3]!, shape[2]!, shape[0]!, shape[1]!];
  if (t === 'linear') return [shape[1]!, shape[0]!];
  return [...shape];
}

/** The official state-dict keys of a tfjs model's weights with their PyTorch shapes. */
export function officialStateShapesOf(model: tfl.LayersModel): Map<string, { shape: number[] }> {
  const out = new Map<string, { shape: number[] }>();
  for (const w of model.weights)
    out.set(torchKeyOf(w.originalName), { shape: torchShapeOf(w.shape as number[], torchTransformOf(w.originalName, w.shape.length)) });
  return out;
}

function listSome(xs: string[], n = 4): string {
  return xs.length <= n ? xs.join(', ') : `${xs.slice(0, n).join(', ')}, … ${xs.length - n} more`;
}

/**
 * Throws one readable line (an IOError) when `state` does not fit `model` key for key: how many
 * keys are missing, unexpected and mis-shaped, with the first few of each, then `hint` (e.g. which
 * options to check).
 */
export function checkStateFits(model: tfl.LayersModel, state: Map<string, NdArray>, source: string, what: string, hint = ''): void {
  const missing: string[] = [];
  const misShaped: string[] = [];
  const used = new Set<string>();
  for (const w of model.weights) {
    const key = torchKeyOf(w.originalName);
    const arr = state.get(key);
    if (!arr) {
      missing.push(key);
      continue;
    }
    used.add(key);
    const t = torchTransformOf(w.originalName, w.shape.length);
    const got = tfjsShapeOf(arr.shape, t);
    if (arr.shape.length !== w.shape.length || got.some((d, i) => d !== w.shape[i]))
      misShaped.push(`${key} [${arr.shape.join(',')}] (expected [${torchShapeOf(w.shape as number[], t).join(',')}])`);
  }
  const unexpected = [...state.keys()].filter((k) => !used.has(k) && !IGNORED_SUFFIXES.some((s) => k.endsWith(s)));
  if (missing.length + unexpected.length + misShaped.length === 0) return;
  const parts = [
    missing.length ? `${missing.length} missing keys (${listSome(missing)})` : '',
    unexpected.length ? `${unexpected.length} unexpected keys (${listSome(unexpected)})` : '',
    misShaped.length ? `${misShaped.length} mis-shaped keys (${listSome(misShaped, 3)})` : '',
  ].filter(Boolean);
  throw new IOError(`checkpoint '${source}' does not fit the ${what} generator: ${parts.join('; ')}.${hint ? ` ${hint}` : ''}`);
}
