import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError, formatShape } from '@clade/core';
import { LATENT_PER_CLASS } from './config';

/** What fixes z's shape: the generator plan's start size and latent width. */
export interface LatentShape {
  sh: number;
  sw: number;
  /** 8 channels per class. */
  latentNc: number;
}

/** z ~ N(0, I), [n, sh, sw, 8·S]; `seed` makes it reproducible. */
export function sampleLatent(shape: LatentShape, n = 1, seed?: number): tf.Tensor4D {
  return tf.randomNormal([n, shape.sh, shape.sw, shape.latentNc], 0, 1, 'float32', seed) as tf.Tensor4D;
}

function classRange(z: tf.Tensor4D, classIndex: number, who: string): number {
  if (z.rank !== 4 || z.shape[3] % LATENT_PER_CLASS !== 0)
    throw new ShapeError(`${who}: z must be [N,sh,sw,8·S], got ${formatShape(z.shape)}.`);
  const classes = z.shape[3] / LATENT_PER_CLASS;
  if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= classes)
    throw new ConfigError(`${who}: classIndex must be an integer in [0, ${classes - 1}] (z holds ${classes} classes), got ${classIndex}.`);
  return classIndex * LATENT_PER_CLASS;
}

/** Class j's latent, [N,sh,sw,8] (channels 8j … 8j+7). */
export function classLatent(z: tf.Tensor4D, classIndex: number): tf.Tensor4D {
  const start = classRange(z, classIndex, 'classLatent');
  return tf.slice(z, [0, 0, 0, start], [-1, -1, -1, LATENT_PER_CLASS]);
}

/**
 * Semantic-level multi-modal synthesis (the official `--test_mask`): a copy of z whose class
 * `classIndex` gets a fresh N(0, I) latent while every other class's channels are copied
 * bit for bit (concatenated slices, no arithmetic on them).
 */
export function resampleClass(z: tf.Tensor4D, classIndex: number, seed?: number): tf.Tensor4D {
  const start = classRange(z, classIndex, 'resampleClass');
  return tf.tidy(() => {
    const [n, h, w, c] = z.shape;
    const parts: tf.Tensor4D[] = [];
    if (start > 0) parts.push(tf.slice(z, [0, 0, 0, 0], [-1, -1, -1, start]));
    parts.push(tf.randomNormal([n, h, w, LATENT_PER_CLASS], 0, 1, 'float32', seed) as tf.Tensor4D);
    if (start + LATENT_PER_CLASS < c) parts.push(tf.slice(z, [0, 0, 0, start + LATENT_PER_CLASS], [-1, -1, -1, -1]));
    return tf.concat(parts, 3) as tf.Tensor4D;
  });
}

/** The official NCHW z [N,8S,sh,sw] (e.g. from a PyTorch run) in our NHWC layout. */
export function latentFromNCHW(z: tf.Tensor4D): tf.Tensor4D {
  return tf.transpose(z, [0, 2, 3, 1]);
}
