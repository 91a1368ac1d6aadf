import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { SpectralConv2D, seedFor } from '@clade/core';

type Sym = tfl.SymbolicTensor;

/** A generator's graph: its inputs, the image, and named intermediate outputs (fc, blocks, conv_img). */
export interface GeneratorGraph {
  inputs: Sym[];
  output: Sym;
  activations: Map<string, Sym>;
}

/**
 * The official generators' last layers: conv_img (a plain 3×3 conv to RGB) after a 0.2 leaky
 * ReLU, then tanh. Records conv_img's output (pre-tanh) in `activations`; returns the image.
 */
export function imageHead(x: Sym, c: { initGain: number; initSeed: number | null }, activations: Map<string, Sym>): Sym {
  const conv = new SpectralConv2D({
    name: 'conv_img', filters: 3, kernelSize: 3, spectral: false, initGain: c.initGain,
    initSeed: seedFor(c.initSeed, 'conv_img') ?? null,
  });
  const pre = conv.apply(tfl.layers.leakyReLU({ alpha: 0.2, name: 'conv_img.actvn' }).apply(x)) as Sym;
  activations.set('conv_img', pre);
  return tfl.layers.activation({ activation: 'tanh', name: 'tanh' }).apply(pre) as Sym;
}

/**
 * Eval-mode reads of a graph's named intermediate outputs, through a second LayersModel over the
 * same layers (no weights of its own), built on first use.
 */
export class NamedActivations {
  private model: tfl.LayersModel | null = null;

  constructor(private readonly graph: GeneratorGraph) {}

  /** The named outputs for `feed` (the graph's inputs, in order); the caller owns them. */
  read(feed: tf.Tensor[]): Map<string, tf.Tensor4D> {
    const named = this.graph.activations;
    this.model ??= tfl.model({ inputs: this.graph.inputs, outputs: [...named.values()] });
    const outs = this.model.apply(feed, { training: false }) as tf.Tensor4D[];
    return new Map([...named.keys()].map((name, i) => [name, outs[i]!]));
  }
}
