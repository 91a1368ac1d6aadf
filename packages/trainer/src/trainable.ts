import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, seededNormal } from '@clade/core';
import {
  GroupDNetEncoder,
  GroupDNetGenerator,
  classCrops,
  encoderInputSize,
  encoderOutputSize,
  encoderWidths,
  sampleLatent,
  semanticNcOf,
  type GroupDNetConfig,
} from '@clade/groupdnet';
import { SeanGenerator } from '@clade/sean';
import { ConvEncoder, SpadeGenerator } from '@clade/spade-gen';
import { kldLoss } from './losses';
import type { GroupDNetEncoderConfig, ModelFamily, ModelSection } from './run-config';

/** What one iteration consumes, NHWC. */
export interface StepBatch {
  seg: tf.Tensor4D;
  image: tf.Tensor4D;
  dist?: tf.Tensor4D;
}

/** How the data loader must prepare a family's samples. */
export interface SampleSpec {
  labelNc: number;
  containDontcare: boolean;
  useInstance: boolean;
  cropSize: number;
  aspectRatio: number;
  /** CLADE-ICPE's intra-class positional map. */
  positional: boolean;
  /** Evaluation synthesizes from the held-out photo (SEAN's region styles), not from the segmap alone. */
  evalNeedsImage: boolean;
}

/** A family's sample layout: the label fields and crop of its generator config, then what it adds. */
function sampleOf(
  c: Pick<SampleSpec, 'labelNc' | 'containDontcare' | 'cropSize' | 'aspectRatio'>,
  own: Pick<SampleSpec, 'useInstance' | 'positional' | 'evalNeedsImage'>,
): SampleSpec {
  return {
    labelNc: c.labelNc,
    containDontcare: c.containDontcare,
    useInstance: own.useInstance,
    cropSize: c.cropSize,
    aspectRatio: c.aspectRatio,
    positional: own.positional,
    evalNeedsImage: own.evalNeedsImage,
  };
}

/** Class channels of the one-hot segmap (labelNc + dontcare; an edge channel may follow). */
export function classChannelsOf(spec: Pick<SampleSpec, 'labelNc' | 'containDontcare'>): number {
  return spec.labelNc + (spec.containDontcare ? 1 : 0);
}

/**
 * A generator as the training loop sees it: the nets it checkpoints (G and its encoder), the
 * variables the G optimizer trains, and its fake image for a batch. Each family's extra objective
 * (the VAE's KLD) comes back with the fake.
 */
export interface TrainableGenerator {
  readonly family: ModelFamily;
  /** LayersModels by checkpoint prefix ('G', 'E'). */
  readonly nets: Record<string, tfl.LayersModel>;
  readonly sample: SampleSpec;
  /** Every variable the G optimizer updates: G's and its encoder's (the official G parameter list). */
  variables(): tf.Variable[];
  /**
   * The fake [N,H,W,3] for a batch and, for VAEs, the unweighted KLD of the encoding. `draw` seeds
   * every random draw of the pass (reparameterization noise, SEAN's per-pixel noise), so a resumed
   * run redraws the same values. Call inside a tape or a tidy.
   */
  fake(batch: StepBatch, training: boolean, draw: number): { fake: tf.Tensor4D; kld: tf.Scalar | null };
  /** Eval mode, for image grids: the reconstruction of the batch (the encoder's mean, or its styles). */
  reconstruct(batch: StepBatch): tf.Tensor4D;
  /** Eval mode, for evaluation: a VAE's z from the prior (seeded), SEAN's styles from `image`. */
  synthesize(batch: { seg: tf.Tensor4D; image?: tf.Tensor4D; dist?: tf.Tensor4D }, seed: number): tf.Tensor4D;
  dispose(): void;
}

const trainableOf = (model: tfl.LayersModel) => model.trainableWeights.map((w) => w.read() as tf.Variable);

/**
 * The VAE noise of one draw, [...shape] from a 32-bit mix of the draw seed: core's seeded stream,
 * the one the CLI, the demo and ONNX Runtime draw z from, so evaluation's prior samples are the
 * images `clade synthesize --seed` makes.
 */
function epsLike(shape: number[], draw: number): tf.Tensor {
  return tf.tensor(seededNormal(shape.reduce((a, b) => a * b, 1), draw >>> 0), shape, 'float32');
}

/** SPADE, CLADE and CLADE-ICPE generators (spade-gen), with the VAE encoder when G uses one. */
export function spadeTrainable(G: SpadeGenerator, E: ConvEncoder | null = null): TrainableGenerator {
  const c = G.config;
  return {
    family: 'spade',
    nets: { G: G.model, ...(E && { E: E.model }) },
    sample: sampleOf(c, { useInstance: c.useInstance, positional: G.usesDist, evalNeedsImage: false }),
    variables: () => (E ? [...trainableOf(G.model), ...trainableOf(E.model)] : trainableOf(G.model)),
    fake({ seg, image, dist }, training, draw) {
      if (!E) return { fake: G.apply({ seg, dist }, training), kld: null };
      const enc = E.encode(image, training, epsLike([image.shape[0], E.config.zDim], draw) as tf.Tensor2D);
      return { fake: G.apply({ seg, dist, z: enc.z }, training), kld: kldLoss(enc.mu, enc.logvar) };
    },
    reconstruct: ({ seg, image, dist }) =>
      tf.tidy(() => G.apply({ seg, dist, z: E ? E.apply(image, false).mu : undefined }, false)),
    synthesize: ({ seg, dist }, seed) =>
      tf.tidy(() => G.apply({ seg, dist, z: E ? (epsLike([seg.shape[0], E.config.zDim], seed) as tf.Tensor2D) : undefined }, false)),
    dispose() {
      G.dispose();
      E?.dispose();
    },
  };
}

/** SEAN and SEAN-CLADE: the style encoder is part of G, which reads the real image's region styles. */
export function seanTrainable(G: SeanGenerator): TrainableGenerator {
  const c = G.config;
  return {
    family: 'sean',
    nets: { G: G.model },
    sample: sampleOf(c, { useInstance: false, positional: false, evalNeedsImage: true }),
    variables: () => trainableOf(G.model),
    // The ACE noise is seeded per pass (each ACE mixes in its name), so resume redraws it.
    fake: ({ seg, image }, training, draw) => ({ fake: G.apply(seg, image, { training, noise: draw >>> 0 }), kld: null }),
    reconstruct: ({ seg, image }) => G.apply(seg, image, { noise: 0 }),
    synthesize({ seg, image }, seed) {
      if (!image) throw new ConfigError('SEAN synthesizes from a style image: the evaluation samples must carry their photos.');
      return G.apply(seg, image, { noise: seed });
    },
    dispose: () => G.dispose(),
  };
}

/**
 * The grouped encoder's input size: the official 256² (256×512) where its mu is z's size, else
 * z's size times 2^layers (small configs), unless the config fixes it.
 */
export function groupdnetEncoderInput(G: GroupDNetGenerator, e: GroupDNetEncoderConfig): { height: number; width: number } {
  if (e.inputSize) return e.inputSize;
  const official = encoderInputSize(G.config.arch);
  const out = encoderOutputSize(G.config, { inputSize: official });
  if (out.height === G.plan.sh && out.width === G.plan.sw) return official;
  const scale = 2 ** encoderWidths(G.config).length; // each layer halves (k3 s2 p1)
  return { height: G.plan.sh * scale, width: G.plan.sw * scale };
}

/** GroupDNet and GroupDNet-CLADE: always a VAE; the grouped encoder reads one crop per class. */
export function groupdnetTrainable(G: GroupDNetGenerator, E: GroupDNetEncoder, inputSize: { height: number; width: number }): TrainableGenerator {
  const c: GroupDNetConfig = G.config;
  const classes = semanticNcOf(c);
  const out = encoderOutputSize(c, { inputSize });
  if (out.height !== G.plan.sh || out.width !== G.plan.sw)
    throw new ConfigError(
      `groupdnet training: the encoder's mu is ${out.height}×${out.width} for ${inputSize.height}×${inputSize.width} ` +
        `crops, but z must be ${G.plan.sh}×${G.plan.sw}; set encoder.inputSize to ` +
        `${G.plan.sh * (inputSize.height / out.height)}×${G.plan.sw * (inputSize.width / out.width)} or leave it unset.`,
    );
  // The crops are a pure function of the batch, read back per class: an iteration's G pass, D pass
  // and grid reuse the last batch's crops instead of cutting them again.
  let last: { image: tf.Tensor4D; seg: tf.Tensor4D; crops: tf.Tensor4D } | null = null;
  const cropsOf = (image: tf.Tensor4D, seg: tf.Tensor4D) => {
    if (last?.image !== image || last.seg !== seg) {
      last?.crops.dispose();
      last = { image, seg, crops: tf.keep(classCrops(image, seg, classes, inputSize)) };
    }
    return last.crops;
  };
  const encode = (image: tf.Tensor4D, seg: tf.Tensor4D, training: boolean) => E.apply(cropsOf(image, seg), training);
  return {
    family: 'groupdnet',
    nets: { G: G.model, E: E.model },
    sample: sampleOf(c, { useInstance: c.useInstance, positional: false, evalNeedsImage: false }),
    variables: () => [...trainableOf(G.model), ...trainableOf(E.model)],
    fake({ seg, image }, training, draw) {
      const { mu, logvar } = encode(image, seg, training);
      const z = tf.add(mu, tf.mul(epsLike(mu.shape, draw), tf.exp(tf.mul(logvar, 0.5)))) as tf.Tensor4D;
      return { fake: G.apply({ seg, z }, training), kld: kldLoss(mu, logvar) };
    },
    reconstruct: ({ seg, image }) => tf.tidy(() => G.apply({ seg, z: encode(image, seg, false).mu }, false)),
    synthesize: ({ seg }, seed) => tf.tidy(() => G.apply({ seg, z: sampleLatent(G.plan, seg.shape[0], seed) }, false)),
    dispose() {
      last?.crops.dispose();
      G.dispose();
      E.dispose();
    },
  };
}

/** The trainable generator a run config describes (fresh weights from its init seeds). */
export function buildTrainable(section: ModelSection): TrainableGenerator {
  if (section.model === 'sean') return seanTrainable(new SeanGenerator(section.generator));
  if (section.model === 'groupdnet') {
    const G = new GroupDNetGenerator(section.generator);
    const e = section.encoder;
    const inputSize = groupdnetEncoderInput(G, e);
    const E = new GroupDNetEncoder({ ...section.generator, initSeed: e.initSeed ?? section.generator.initSeed }, { ndf: e.ndf ?? undefined, inputSize });
    return groupdnetTrainable(G, E, inputSize);
  }
  return spadeTrainable(new SpadeGenerator(section.generator), section.encoder ? new ConvEncoder(section.encoder) : null);
}
