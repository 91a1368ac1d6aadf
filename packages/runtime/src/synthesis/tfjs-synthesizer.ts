import * as tf from '@tensorflow/tfjs-core';
import { quantizeOutput } from '../quantize';
import type { ImageSynthesizer, RawImage, SynthesizedImage } from './request';
import { modelInputSize } from './test-geometry';

/** What the shared steps read of a tfjs generator: its config (for the size) and its release. */
export interface DisposableGenerator {
  readonly config: Parameters<typeof modelInputSize>[1];
  dispose(): void;
}

/**
 * The steps a tfjs generator's synthesizer shares with every other (the size, the output read back,
 * the quantiser, synthesize = prepare → run → toImage, a once-only release): a subclass brings its
 * class count, `prepare` and `run`.
 */
export abstract class TfjsGeneratorSynthesizer<Request, Prepared, G extends DisposableGenerator> implements ImageSynthesizer<Request, Prepared> {
  private disposed = false;

  constructor(readonly generator: G) {}

  get size(): { width: number; height: number } {
    return modelInputSize(null, this.generator.config);
  }

  /** Class channels K (labelNc + dontcare): the valid ids are 0..K−1. */
  abstract get numClasses(): number;

  abstract prepare(request: Request): Prepared;

  abstract run(input: Prepared): Promise<RawImage>;

  toImage(out: RawImage): SynthesizedImage {
    return quantizeOutput(out);
  }

  async synthesize(request: Request): Promise<SynthesizedImage> {
    return this.toImage(await this.run(this.prepare(request)));
  }

  /** Releases the generator (once). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.generator.dispose();
  }

  /** The generator's output [1, H, W, 3] read back (and released) as a raw image. */
  protected async readOutput(y: tf.Tensor4D): Promise<RawImage> {
    const [, height, width] = y.shape;
    const values = (await y.data()) as Float32Array; // async backends finish only when read
    y.dispose();
    return { values, width, height };
  }
}
