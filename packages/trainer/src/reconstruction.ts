import * as tf from '@tensorflow/tfjs-core';
import { disposeBatch, iterateBatches, type BatchOptions, type SamplePair } from '@clade/data';
import type { SpadeGenerator } from '@clade/spade-gen';

/**
 * Mean |G(label) − photo| over pairs (eval mode, images in [−1, 1]): a quick check that a run
 * learns the label → photo mapping (not a quality metric; use @clade/metrics for FID).
 */
export async function reconstructionL1(G: SpadeGenerator, pairs: readonly SamplePair[], options: Omit<BatchOptions, 'withImage'>): Promise<number> {
  let sum = 0;
  let pixels = 0;
  for await (const b of iterateBatches(pairs, { ...options, withImage: true })) {
    const err = tf.tidy(() => tf.sum(tf.abs(tf.sub(G.apply({ seg: b.semantics, dist: b.positional ?? undefined }), b.image!))).dataSync()[0]!);
    sum += err;
    pixels += b.image!.size;
    disposeBatch(b);
  }
  return sum / pixels;
}
