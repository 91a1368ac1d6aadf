import * as tf from '@tensorflow/tfjs-core';
import { assertPositiveInt } from '@clade/core/internal';
import { loadImage, type RgbImage } from '@clade/data';
import { FeatureBuffer } from '../stats/features';
import { GaussianAccumulator } from '../stats/gaussian';
import type { FidInceptionV3, InceptionDims } from '../inception/fid-inception';

export interface ImageFeatureOptions {
  /** Feature tap. Default 2048. */
  dims?: InceptionDims;
  /** Images per forward pass (consecutive images of equal size are batched). Default 8. */
  batchSize?: number;
  /** Keep the feature vectors (KID needs them). Default false. */
  keepFeatures?: boolean;
  /** Called after each batch. */
  onProgress?: (done: number, total: number) => void;
  /** Image decoder; default @clade/data's loadImage (PIL convert('RGB') semantics). */
  load?: (path: string) => Promise<RgbImage>;
}

export interface ImageFeatures {
  stats: GaussianAccumulator;
  features: FeatureBuffer | null;
  count: number;
}

/** [N,H,W,3] float32 in [0,1] from 8-bit RGB images of one size: x/255, as ToTensor(). */
function toTensor(images: RgbImage[]): tf.Tensor4D {
  const { width, height } = images[0]!;
  const n = width * height * 3;
  const data = new Float32Array(images.length * n);
  images.forEach((im, b) => {
    for (let i = 0; i < n; i++) data[b * n + i] = im.data[i]! / 255;
  });
  return tf.tensor4d(data, [images.length, height, width, 3]);
}

/**
 * Inception features of image files, streamed: float64 statistics always, the vectors themselves
 * with `keepFeatures`. Every image counts (pytorch-fid ≤ 0.1 dropped the last partial batch).
 */
export async function imageFeatures(model: FidInceptionV3, files: string[], options: ImageFeatureOptions = {}): Promise<ImageFeatures> {
  const dims = options.dims ?? 2048;
  const batchSize = options.batchSize ?? 8;
  assertPositiveInt(batchSize, 'imageFeatures', 'batchSize');
  const load = options.load ?? loadImage;
  const stats = new GaussianAccumulator(dims);
  const features = options.keepFeatures ? new FeatureBuffer(dims, files.length) : null;
  let pending: RgbImage[] = [];
  let done = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    const x = toTensor(pending);
    const f = model.features(x, dims);
    const data = (await f.data()) as Float32Array;
    tf.dispose([x, f]);
    stats.add(data, pending.length);
    features?.add(data);
    done += pending.length;
    pending = [];
    options.onProgress?.(done, files.length);
  };
  for (const file of files) {
    const img = await load(file);
    const head = pending[0];
    if (head && (head.width !== img.width || head.height !== img.height)) await flush();
    pending.push(img);
    if (pending.length >= batchSize) await flush();
  }
  await flush();
  return { stats, features, count: done };
}
