import { labelsToSegmap, withClassIndexCache } from '@clade/core';
import { numClassesOf } from '@clade/spade-gen';
import * as tf from '@tensorflow/tfjs-core';
import type { LoadedGenerator } from '../model-folder/clade-json';
import type { PreparedInput } from './request';

/** Runs a generator on prepared inputs: tfjs here, onnxruntime in the Node entry. */
export interface GeneratorEngine {
  /** For messages and summaries, e.g. 'tfjs (native)'. */
  readonly name: string;
  /** The raw output, float32 [H,W,3] in [−1, 1], and its size. */
  run(input: PreparedInput): Promise<{ values: Float32Array; width: number; height: number }>;
  dispose(): void | Promise<void>;
}

/** The generator's tfjs inputs by name: one-hot seg (+ edge channel), dist NHWC, z. */
export function tfjsFeeds(g: LoadedGenerator, p: PreparedInput): Record<string, tf.Tensor> {
  return tf.tidy(() => {
    const { width: w, height: h } = p;
    const labels = tf.tensor3d(p.classes, [1, h, w], 'int32');
    const edges = p.edges ? tf.tensor3d(Float32Array.from(p.edges), [1, h, w], 'float32') : undefined;
    const feeds: Record<string, tf.Tensor> = { seg: labelsToSegmap(labels, numClassesOf(g.config), edges) };
    if (p.positional) feeds.dist = tf.tensor4d(p.positional, [1, h, w, 2]);
    if (p.z) feeds.z = tf.tensor2d(p.z, [1, p.z.length]);
    return feeds;
  });
}

/** The loaded tfjs LayersModel on the current tfjs backend (eval mode). */
export function tfjsEngine(g: LoadedGenerator, backendName = tf.getBackend()): GeneratorEngine {
  return {
    name: `tfjs (${backendName})`,
    async run(p) {
      const y = tf.tidy(() => {
        const feeds = tfjsFeeds(g, p);
        const missing = g.model.inputNames.filter((n) => !feeds[n]);
        if (missing.length) throw new Error(`generator input(s) ${missing.join(', ')} were not prepared.`);
        // One class-index map per resolution for all CLADE layers (bit-identical, less work).
        return withClassIndexCache(() => g.model.apply(g.model.inputNames.map((n) => feeds[n]!), { training: false }) as tf.Tensor4D);
      });
      const [, height, width] = y.shape;
      const values = (await y.data()) as Float32Array; // async backends (webgl) finish only when read
      y.dispose();
      return { values, width, height };
    },
    dispose: () => void g.model.dispose(),
  };
}
