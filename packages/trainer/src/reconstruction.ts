import * as tf from '@tensorflow/tfjs-core';
import { disposeBatch, iterateBatches, type BatchOptions, type SamplePair } from '@clade/data';
import { SpadeGenerator } from '@clade/spade-gen';
import { spadeTrainable, type TrainableGenerator } from './trainable';

/**
 * Mean |G(label) − photo| over pairs (eval mode, images in [−1, 1]): a quick check that a run
 * learns the label → photo mapping (not a quality metric; use @clade/metrics for FID). Generators
 * with an encoder reconstruct from the photo (the VAE's mean, SEAN's region styles).
 */
export async function reconstructionL1(
  G: SpadeGenerator | TrainableGenerator,
  pairs: readonly SamplePair[],
  options: Omit<BatchOptions, 'withImage'>,
): Promise<number> {
  const gen = G instanceof SpadeGenerator ? spadeTrainable(G) : G;
  let sum = 0;
  let pixels = 0;
  for await (const b of iterateBatches(pairs, { ...options, withImage: true })) {
    const err = tf.tidy(() => {
      const fake = gen.reconstruct({ seg: b.semantics, image: b.image!, dist: b.positional ?? undefined });
      return tf.sum(tf.abs(tf.sub(fake, b.image!))).dataSync()[0]!;
    });
    sum += err;
    pixels += b.image!.size;
    disposeBatch(b);
  }
  return sum / pixels;
}
