import { ConfigError, labelsToSegmap } from '@clade/core';
import type { LabelMap } from '@clade/data';
import { numClassesOf, resampleClass, sampleLatent, type GroupDNetGenerator } from '@clade/groupdnet';
import * as tf from '@tensorflow/tfjs-core';
import type { RawImage } from './request';
import { checkSeed, labelInputsOf } from './test-inputs';
import { TfjsGeneratorSynthesizer } from './tfjs-synthesizer';

/** One GroupDNet image: a label map drawn from per-class latents. */
export interface GroupDNetRequest {
  /** Raw class ids at any size (PIL NEAREST to the model's size). */
  label: LabelMap;
  /** How messages name `label`, e.g. "--label 'mask.png'". Default 'the label'. */
  labelName?: string;
  /** Instance ids of the label's size: required by generators with the edge channel (Cityscapes), refused by the others. */
  instance?: LabelMap;
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
  /** Instance edges 0/1 [H,W] (generators with the edge channel), else null. */
  edges: Uint8Array | null;
  /** The per-class latent, float32 NHWC [1, sh, sw, 8·S]: class j owns channels 8j … 8j+7. */
  z: Float32Array;
}

/**
 * Label map → image for one GroupDNet / GroupDNet-CLADE generator (tfjs), from the latent a seed
 * draws; `resampleClass` redraws one class's part and keeps every other class's bit for bit. The
 * steps and the quantiser are those of `Synthesizer`.
 */
export class GroupDNetSynthesizer extends TfjsGeneratorSynthesizer<GroupDNetRequest, GroupDNetPreparedInput, GroupDNetGenerator> {
  /** Class channels K (labelNc + dontcare): the valid ids are 0..K−1. */
  override get numClasses(): number {
    return numClassesOf(this.generator.config);
  }

  override prepare(request: GroupDNetRequest): GroupDNetPreparedInput {
    const k = this.numClasses;
    const name = request.labelName ?? 'the label';
    const edged = this.generator.config.useInstance;
    if (edged && !request.instance) throw new ConfigError(`this GroupDNet generator has the instance-edge channel: give an instance map beside ${name}.`);
    if (!edged && request.instance) throw new ConfigError('this GroupDNet generator has no instance-edge channel; it takes no instance map.');
    const { classes, edges } = labelInputsOf(request.label, request.instance ?? null, this.generator.config, name);
    const seed = checkSeed(request.seed ?? 0, 'the GroupDNet latent seed');
    const c = request.resampleClass;
    const isClassId = c === undefined || (Number.isInteger(c) && c >= 0 && c < k);
    if (!isClassId) throw new ConfigError(`GroupDNet resampleClass must be a class id in 0..${k - 1}, got ${c}.`);
    const resampleSeed = checkSeed(request.resampleSeed ?? seed + 1, 'the GroupDNet resample seed');
    // tf.randomNormal with a seed: the stream the official-output tests were recorded with.
    const z = tf.tidy(() => {
      const drawn = sampleLatent(this.generator.plan, 1, seed);
      return c === undefined ? drawn : resampleClass(drawn, c, resampleSeed);
    });
    const values = z.dataSync() as Float32Array;
    z.dispose();
    const { width, height } = this.size;
    return { width, height, classes, edges, z: values };
  }

  override async run(p: GroupDNetPreparedInput): Promise<RawImage> {
    const { sh, sw, latentNc } = this.generator.plan;
    const y = tf.tidy(() => {
      // The edge channel goes last, after the K class channels, as the official segmap is built.
      const edges = p.edges ? tf.tensor3d(Float32Array.from(p.edges), [1, p.height, p.width], 'float32') : undefined;
      const seg = labelsToSegmap(tf.tensor3d(p.classes, [1, p.height, p.width], 'int32'), this.numClasses, edges);
      return this.generator.apply({ seg, z: tf.tensor4d(p.z, [1, sh, sw, latentNc]) });
    });
    return this.readOutput(y);
  }
}
