import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '@clade/core';
import { collate, disposeBatch, listDataset, prepareSample, type PreparedSample } from '@clade/data';
import { quantizeImage, testPreprocess } from '@clade/runtime';
import {
  ConfusionMatrix,
  DEEPLABV3_MNV2_ADE20K,
  FidInceptionV3,
  GaussianAccumulator,
  OnnxSegmenter,
  frechetDistance,
  mapGroundTruth,
  type GaussianStats,
} from '@clade/metrics';
import type { EvalConfig, EvalMetric } from './eval-config';
import { classChannelsOf, type SampleSpec, type TrainableGenerator } from './trainable';

export interface Evaluator {
  readonly metric: EvalMetric;
  /** G's image of every held-out sample, as the metric scores it: 8-bit RGB from the runtime's quantiser. */
  images(G: TrainableGenerator): AsyncGenerator<HeldOutImage>;
  /** Scores G (eval mode: nothing of the run's state changes). */
  score(G: TrainableGenerator): Promise<number>;
  dispose(): void;
}

export interface HeldOutImage {
  sample: PreparedSample;
  rgb: Uint8Array;
}

/** [N,H,W,3] in [−1, 1] → interleaved 8-bit RGB of sample `i`, quantised as every written image is. */
function toRgb8(images: tf.Tensor4D, i: number): Uint8Array {
  const [, h, w] = images.shape;
  const n = h * w * 3;
  return quantizeImage(images.dataSync().subarray(i * n, (i + 1) * n));
}

/**
 * The held-out set of a run and the scorer of its metric. The samples are prepared once, without
 * random crops or flips, at the generator's size.
 */
export async function createEvaluator(options: {
  config: EvalConfig;
  /** The generator's sample layout (`TrainableGenerator.sample`). */
  sample: SampleSpec;
  dataset: Parameters<typeof listDataset>[0];
  root: string;
}): Promise<Evaluator> {
  const { config, sample: spec } = options;
  const listing = await listDataset(options.dataset, options.root, { phase: 'val' });
  if (listing.pairs.length === 0)
    throw new ConfigError(`eval: '${options.root}' has no 'val' samples to evaluate on; add a validation split or set eval.every to 0.`);
  const pairs = listing.pairs.slice(0, config.count);
  const crop = spec.cropSize;
  const samples: PreparedSample[] = [];
  for (const pair of pairs)
    samples.push(
      await prepareSample(pair, {
        label: { labelNc: spec.labelNc, containDontcare: spec.containDontcare },
        // The test transform `clade synthesize` applies, so scored images are the ones users get.
        preprocess: testPreprocess(null, { cropSize: crop, aspectRatio: spec.aspectRatio }),
        useInstances: spec.useInstance && pair.instance !== undefined,
        withImage: config.metric === 'fid' || spec.evalNeedsImage,
        positional: spec.positional,
      }),
    );
  const numClasses = classChannelsOf(spec);
  /** G's images of every held-out sample, one at a time (bounded memory), as 8-bit RGB. */
  async function* synthesize(G: TrainableGenerator): AsyncGenerator<HeldOutImage> {
    for (const sample of samples) {
      const batch = collate([sample], numClasses);
      // A VAE draws z from the prior (as at test time without a style image); SEAN takes the photo's styles.
      const image = G.synthesize({ seg: batch.semantics, image: batch.image ?? undefined, dist: batch.positional ?? undefined }, 7);
      disposeBatch(batch);
      const rgb = toRgb8(image, 0);
      image.dispose();
      yield { sample, rgb };
    }
  }

  if (config.metric === 'miou') {
    if (!config.segmenter) throw new ConfigError(`eval: metric 'miou' needs eval.segmenter (the ${DEEPLABV3_MNV2_ADE20K.fileName} file).`);
    const segmenter = await OnnxSegmenter.load(DEEPLABV3_MNV2_ADE20K, config.segmenter);
    return {
      metric: 'miou',
      images: synthesize,
      async score(G) {
        const matrix = new ConfusionMatrix(segmenter.descriptor.numClasses, segmenter.descriptor.ignoreIndex);
        for await (const { sample, rgb } of synthesize(G)) {
          const pred = await segmenter.predict({ width: sample.width, height: sample.height, data: rgb });
          matrix.add({ width: sample.width, height: sample.height, data: mapGroundTruth(sample.classes, segmenter.descriptor) }, pred);
        }
        return matrix.scores().miou;
      },
      dispose: () => void segmenter.dispose(),
    };
  }
  if (!config.inceptionWeights) throw new ConfigError("eval: metric 'fid' needs eval.inceptionWeights (pytorch-fid's pt_inception-2015-12-05-6726825d.pth).");
  const inception = await FidInceptionV3.load(config.inceptionWeights);
  const featuresOf = (images01: tf.Tensor4D) => {
    const f = inception.features(images01, 2048);
    const data = f.dataSync().slice();
    f.dispose();
    return data;
  };
  const real = new GaussianAccumulator(2048);
  for (const s of samples) {
    const photo = tf.tidy(() => tf.div(tf.add(tf.tensor4d(s.image!, [1, s.height, s.width, 3]), 1), 2) as tf.Tensor4D);
    real.add(featuresOf(photo));
    photo.dispose();
  }
  const realStats: GaussianStats = real.stats();
  return {
    metric: 'fid',
    images: synthesize,
    async score(G) {
      const fake = new GaussianAccumulator(2048);
      for await (const { sample, rgb } of synthesize(G)) {
        // Scored as saved 8-bit images, as pytorch-fid reads them.
        const x = tf.tidy(() => tf.div(tf.tensor4d(rgb, [1, sample.height, sample.width, 3], 'float32'), 255) as tf.Tensor4D);
        fake.add(featuresOf(x));
        x.dispose();
      }
      return frechetDistance(realStats, fake.stats()).distance;
    },
    dispose: () => inception.dispose(),
  };
}
