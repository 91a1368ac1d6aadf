import { ConfigError } from '@clade/core';
import type { SamplePair } from '../datasets/pairs';
import { sampleTransformParams, type TransformParams } from '../geometry';
import { numClassChannels } from '../labels/label-spec';
import { seededRng, type Rng } from '../rng';
import { collate, type Batch } from './collate';
import { prepareSample, type PrepareSampleOptions, type PreparedSample } from './prepare-sample';

export interface BatchOptions extends Omit<PrepareSampleOptions, 'params'> {
  batchSize: number;
  /** Seed of the order and of the crops/flips. Default 0. */
  seed?: number;
  /** Shuffle the order each epoch. Default false (deterministic evaluation order). */
  shuffle?: boolean;
  /** Draw random crops/flips (training). Default false: crop at (0, 0), no flip. */
  randomize?: boolean;
  /** Drop a last, smaller batch. Default false. */
  dropLast?: boolean;
  /** Batches loaded ahead while the caller works. Default 2. */
  prefetch?: number;
  /** Epochs to run. Default 1. */
  epochs?: number;
}

function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const a = items.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.randint(0, i);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/**
 * The crop/flip draws of one sample, fixed now (three uniforms taken from `rng` in order) and
 * applied once the label's size is known.
 */
function deferredParams(rng: Rng, options: BatchOptions): (w: number, h: number) => TransformParams {
  const u = [rng.random(), rng.random(), rng.random()];
  return (w, h) => {
    let i = 0;
    const next = () => u[i++]!;
    return sampleTransformParams(options.preprocess, w, h, {
      random: next,
      randint: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    });
  };
}

/**
 * Yields collated batches (tfjs tensors; the caller disposes them, e.g. with `disposeBatch`) over
 * `pairs`. The order and every sample's crop/flip come from one seeded generator, drawn in
 * iteration order, so a seed always gives the same batches whatever the prefetch depth. Up to
 * `prefetch` batches load in the background (file reads and JPEG decoding run off the main thread).
 */
export async function* iterateBatches(pairs: readonly SamplePair[], options: BatchOptions): AsyncGenerator<Batch> {
  const { batchSize, seed = 0, shuffle = false, randomize = false, dropLast = false, prefetch = 2, epochs = 1 } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new ConfigError(`iterateBatches: batchSize must be a positive integer, got ${batchSize}.`);
  if (!Number.isInteger(prefetch) || prefetch < 0)
    throw new ConfigError(`iterateBatches: prefetch must be a non-negative integer, got ${prefetch}.`);
  const rng = seededRng(seed);
  const k = numClassChannels(options.label);
  function* chunks(): Generator<SamplePair[]> {
    for (let e = 0; e < epochs; e++) {
      const order = shuffle ? shuffled(pairs, rng) : pairs.slice();
      for (let i = 0; i < order.length; i += batchSize) {
        const chunk = order.slice(i, i + batchSize);
        if (chunk.length < batchSize && dropLast) break;
        yield chunk;
      }
    }
  }
  const source = chunks();
  // The queue holds prepared samples on plain typed arrays; tensors are made only when a batch is
  // handed out, so prefetching never holds tensors (the caller's tensor count stays exact).
  const queue: Array<Promise<PreparedSample[]>> = [];
  const pump = () => {
    while (queue.length <= prefetch) {
      const next = source.next();
      if (next.done) return;
      const loads = next.value.map((pair) =>
        prepareSample(pair, { ...options, ...(randomize && { params: deferredParams(rng, options) }) }),
      );
      const samples = Promise.all(loads);
      samples.catch(() => undefined); // awaited in order below; avoid an early unhandled rejection
      queue.push(samples);
    }
  };
  try {
    pump();
    while (queue.length > 0) {
      const samples = await queue.shift()!;
      pump();
      yield collate(samples, k);
    }
  } finally {
    // The caller stopped early or a load failed: drop what was prefetched (no tensors yet).
    queue.splice(0);
  }
}
