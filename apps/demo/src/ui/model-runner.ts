import * as tf from '@tensorflow/tfjs';
import { registerLayers, seededNormal, withClassIndexCache } from '@clade/core';
import { numClassesOf, resolveGeneratorConfig, type GeneratorConfig } from '@clade/spade-gen';
import { resizeMaskNearest, type LabelMask } from '../lib/label-mask';
import { imageToRgba } from '../lib/mask-codec';
import { GeneratorSynthesizer, type Synthesized } from './synthesizer';

/** One generator model folder (model.json + weights.bin + clade.json), loaded over HTTP, run by tfjs. */
export class ModelRunner extends GeneratorSynthesizer {
  private constructor(
    label: string,
    config: GeneratorConfig,
    readonly model: tf.LayersModel,
  ) {
    super(label, config);
  }

  static async load(label: string, url: string): Promise<ModelRunner> {
    const res = await fetch(`${url}clade.json`);
    if (!res.ok) throw new Error(`${label}: ${url}clade.json could not be fetched (HTTP ${res.status}).`);
    const json = (await res.json()) as { generator?: Partial<GeneratorConfig> & { labelNc: number } };
    if (!json.generator) throw new Error(`${label}: ${url}clade.json has no generator config (write it with clade export).`);
    const config = resolveGeneratorConfig(json.generator);
    if (config.normMode === 'cladeIcpe' || config.normPerBlock?.includes('cladeIcpe'))
      throw new Error(`${label}: CLADE-ICPE generators need a positional map, which the painter does not compute; export a CLADE or SPADE model.`);
    registerLayers(); // the bundler may have dropped the layer modules' registration side effects
    const model = await tf.loadLayersModel(`${url}model.json`);
    return new ModelRunner(label, config, model);
  }

  get hasStyle(): boolean {
    return this.model.inputNames.includes('z');
  }

  /** Runs the generator on `mask` (resized to the model's size); `styleSeed` draws z for VAE models. */
  async synthesize(mask: LabelMask, styleSeed = 0): Promise<Synthesized> {
    const t0 = performance.now();
    const { width, height } = this.size;
    const m = resizeMaskNearest(mask, width, height);
    const y = tf.tidy(() => {
      const ids = tf.tensor3d(Int32Array.from(m.ids), [1, height, width], 'int32');
      // Channel = raw ADE20K value (the official loader's quirk the models are trained with).
      let seg: tf.Tensor = tf.cast(tf.oneHot(ids, numClassesOf(this.config)), 'float32');
      if (this.config.useInstance) seg = tf.concat([seg, tf.zeros([1, height, width, 1])], 3); // no instance edges when painting
      const feed: Record<string, tf.Tensor> = { seg };
      if (this.hasStyle) feed.z = tf.tensor2d(seededNormal(this.config.zDim, styleSeed), [1, this.config.zDim]);
      // One class-index map per resolution for all CLADE layers (bit-identical, less work).
      return withClassIndexCache(() => this.model.predict(this.model.inputNames.map((n) => feed[n]!)) as tf.Tensor4D);
    });
    const data = await y.data(); // async backends (webgl) finish only when read
    y.dispose();
    return { rgba: imageToRgba(data), width, height, ms: performance.now() - t0 };
  }

  dispose(): void {
    this.model.dispose();
  }
}
