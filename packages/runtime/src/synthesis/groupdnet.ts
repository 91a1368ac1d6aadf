import { ConfigError, labelsToSegmap } from '@clade/core';
import type { LabelMap } from '@clade/data';
import { numClassesOf, resampleClass, sampleLatent, type GroupDNetGenerator } from '@clade/groupdnet';
import * as tf from '@tensorflow/tfjs-core';
import type { RawImage } from './request';
import { checkSeed, classMapOf } from './test-inputs';
import { TfjsGeneratorSynthesizer } from './tfjs-synthesizer';

/** One GroupDNet image: a label map drawn from per-class latents. */
export interface GroupDNetRequest {
  /** Raw class ids at any size (PIL NEAREST to the model's size). */
  label: LabelMap;
  /** How messages name `label`, e.g. "--label 'mask.png'". Default 'the label'. */
  labelName?: string;
  /** Seed of the latent z ~ N(0, I) (all classes). Default 0. */
  seed?: number;
  /** Redraw this class's latent only (semantic-level multi-modal synthesis, the official --test_mask). */
  resampleClass?: number;
  /** Seed of the redrawn class latent. Default seed + 1. */
  resampleSeed?: number;
}

/** A request at the model's size, on plain arrays. */
export interface GroupDNetPreparedInput {
  width: number;
  height: number;
  classes: Int32Array;
  /** The per-class latent, float32 NHWC [1, sh, sw, 8·S]: class j owns channels 8j … 8j+7. */
  z: Float32Array;
}

/**
 * Label map → image for one GroupDNet / GroupDNet-CLADE generator (tfjs), from the latent a seed
 * draws; `resampleClass` redraws one class's part and keeps every other class's bit for bit. The
 * steps and the quantiser are those of `Synthesizer`.
 */
export class GroupDNetSynthesizer extends TfjsGeneratorSynthesizer<GroupDNetRequest, GroupDNetPreparedInput, GroupDNetGenerator> {
  constructor(generator: GroupDNetGenerator) {
    super(generator);
    // The edge channel would need an instance map; none is read here yet.
    if (generator.config.useInstance) throw new ConfigError('GroupDNetSynthesizer: generators with the instance-edge channel are not supported yet.');
  }

  /** Class channels K (labelNc + dontcare): the valid ids are 0..K−1. */
  override get numClasses(): number {
    return numClassesOf(this.generator.config);
  }

  override prepare(request: GroupDNetRequest): GroupDNetPreparedInput {
    const k = this.numClasses;
    const classes = classMapOf(request.label, this.generator.config, request.labelName ?? 'the label');
    const seed = checkSeed(request.seed ?? 0, 'the GroupDNet latent seed');
    const c = request.resampleClass;
    if (c !== undefined && !(Number.isInteger(c) && c >= 0 && c < k)) throw new ConfigError(`GroupDNet resampleClass must be a class id in 0..${k - 1}, got ${c}.`);
    const resampleSeed = checkSeed(request.resampleSeed ?? seed + 1, 'the GroupDNet resample seed');
    // tf.randomNormal with a seed: the stream the official-output tests were recorded with.
    const z = tf.tidy(() => {
      const drawn = sampleLatent(this.generator.plan, 1, seed);
      return c === undefined ? drawn : resampleClass(drawn, c, resampleSeed);
    });
    const values = z.dataSync() as Float32Array;
    z.dispose();
    const { width, height } = this.size;
    return { width, height, classes, z: values };
  }

  override async run(p: GroupDNetPreparedInput): Promise<RawImage> {
    const { sh, sw, latentNc } = this.generator.plan;
    const y = tf.tidy(() => {
      const seg = labelsToSegmap(tf.tensor3d(p.classes, [1, p.height, p.width], 'int32'), this.numClasses);
      return this.generator.apply({ seg, z: tf.tensor4d(p.z, [1, sh, sw, latentNc]) });
    });
    return this.readOutput(y);
  }
}
