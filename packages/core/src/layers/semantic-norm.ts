import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { initializers, layers } from '@tensorflow/tfjs-layers';
import { ConfigError, ShapeError } from '../errors';
import { formatShape } from '../asserts';
import { seedFor } from './init';
import { assertParamFreeNorm, paramFreeNorm, usesRunningStats, type ParamFreeNorm } from '../ops/param-free-norm';

export type Shape = Array<number | null>;
export type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
export type Variable = ReturnType<layers.Layer['addWeight']>;

/** Args shared by every semantic norm layer. The args ARE the serialized config. */
export interface SemanticNormArgs extends LayerArgs {
  /** Parameter-free norm. Default 'syncBatch' (the official generators' `spectralspadesyncbatch3x3`). */
  paramFreeNorm?: ParamFreeNorm;
  /** Default 1e-5, as in PyTorch. */
  epsilon?: number;
  /** PyTorch-convention momentum of the running statistics (weight on the new value). Default 0.1. */
  momentum?: number;
  /** Gain of the xavier-normal init of conv kernels. Default 0.02 (the official init_variance). */
  initGain?: number;
  /** Seed of the random init (null: unseeded). Default null. */
  initSeed?: number | null;
}

/**
 * Base of SPADE/CLADE/CLADE-ICPE: owns the parameter-free norm (and its running statistics),
 * the input checks and the train/eval switch. Subclasses add their weights and modulation.
 * Inputs: [x [N,H,W,C], seg [N,H₀,W₀,S] (, dist [N,H₀,W₀,2])], NHWC.
 */
export abstract class SemanticNorm extends layers.Layer {
  readonly paramFreeNorm: ParamFreeNorm;
  readonly epsilon: number;
  readonly momentum: number;
  readonly initGain: number;
  readonly initSeed: number | null;
  protected runningMean: Variable | null = null;
  protected runningVar: Variable | null = null;
  /** Channels of x, known after build. */
  protected normNc = 0;

  constructor(args: SemanticNormArgs, who: string) {
    super(args);
    this.paramFreeNorm = assertParamFreeNorm(args.paramFreeNorm ?? 'syncBatch', who);
    this.epsilon = positive(args.epsilon ?? 1e-5, 'epsilon', who);
    this.momentum = args.momentum ?? 0.1;
    if (!(this.momentum >= 0 && this.momentum <= 1))
      throw new ConfigError(`${who}: momentum must be in [0, 1], got ${args.momentum}.`);
    this.initGain = positive(args.initGain ?? 0.02, 'initGain', who);
    this.initSeed = args.initSeed ?? null;
  }

  /** The seed of one weight's init (undefined when unseeded). */
  protected seed(weightName: string): number | undefined {
    return seedFor(this.initSeed, weightName);
  }

  /** Number of inputs the layer takes (2, or 3 with a positional map). */
  protected abstract get numInputs(): number;
  /** Channels the seg input must have. */
  protected abstract get segChannels(): number;

  protected checkInputShapes(inputShape: Shape | Shape[]): Shape[] {
    const who = this.getClassName();
    const shapes = Array.isArray(inputShape[0]) ? (inputShape as Shape[]) : null;
    const names = ['x [N,H,W,C]', `seg [N,H,W,${this.segChannels}]`, 'dist [N,H,W,2]'].slice(0, this.numInputs);
    if (!shapes || shapes.length !== this.numInputs)
      throw new ShapeError(`${who}: expected inputs [${names.join(', ')}], got ${JSON.stringify(inputShape)}.`);
    shapes.forEach((s, i) => {
      if (!s || s.length !== 4)
        throw new ShapeError(`${who}: input ${names[i]} must be rank 4 (NHWC), got ${formatShape(s ?? [])}.`);
    });
    const [x, seg, dist] = shapes as [Shape, Shape, Shape | undefined];
    if (seg[3] != null && seg[3] !== this.segChannels)
      throw new ShapeError(`${who}: seg must have ${this.segChannels} channels, got ${formatShape(seg)}.`);
    if (x[3] == null) throw new ShapeError(`${who}: x must have a known channel count, got ${formatShape(x)}.`);
    if (x[0] != null && seg[0] != null && x[0] !== seg[0])
      throw new ShapeError(`${who}: x and seg batch sizes differ: ${formatShape(x)} vs ${formatShape(seg)}.`);
    if (dist) {
      if (dist[3] != null && dist[3] !== 2)
        throw new ShapeError(`${who}: dist must have 2 channels (row, column offsets), got ${formatShape(dist)}.`);
      const same = [0, 1, 2].every((i) => dist[i] == null || seg[i] == null || dist[i] === seg[i]);
      if (!same)
        throw new ShapeError(`${who}: dist and seg must have the same N,H,W, got ${formatShape(dist)} vs ${formatShape(seg)}.`);
    }
    return shapes;
  }

  protected buildParamFreeNorm(c: number): void {
    this.normNc = c;
    if (!usesRunningStats(this.paramFreeNorm)) return;
    this.runningMean = this.addWeight('param_free_norm/running_mean', [c], 'float32', initializers.zeros(), undefined, false);
    this.runningVar = this.addWeight('param_free_norm/running_var', [c], 'float32', initializers.ones(), undefined, false);
  }

  /** x̂; in training with running stats, also writes the updated running mean/var. */
  protected normalize(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    const running =
      this.runningMean && this.runningVar ? { mean: this.runningMean.read(), variance: this.runningVar.read() } : undefined;
    const { y, updated } = paramFreeNorm(x, {
      norm: this.paramFreeNorm,
      training,
      epsilon: this.epsilon,
      momentum: this.momentum,
      running,
    });
    if (updated && this.runningMean && this.runningVar) {
      this.runningMean.write(updated.mean);
      this.runningVar.write(updated.variance);
    }
    return y;
  }

  /** Runtime checks of concrete tensors (symbolic shapes may have hidden them). */
  protected checkTensors(inputs: tf.Tensor[]): tf.Tensor4D[] {
    const shapes = this.checkInputShapes(inputs.map((t) => t.shape));
    if (shapes[0]![3] !== this.normNc)
      throw new ShapeError(`${this.getClassName()}: x must have ${this.normNc} channels (as built), got ${formatShape(shapes[0]!)}.`);
    return inputs as tf.Tensor4D[];
  }

  override getConfig(): serialization.ConfigDict {
    return {
      ...super.getConfig(),
      paramFreeNorm: this.paramFreeNorm,
      epsilon: this.epsilon,
      momentum: this.momentum,
      initGain: this.initGain,
      initSeed: this.initSeed,
    };
  }
}

export function positive(v: number, name: string, who: string): number {
  if (!(typeof v === 'number' && v > 0 && Number.isFinite(v)))
    throw new ConfigError(`${who}: ${name} must be a positive number, got ${String(v)}.`);
  return v;
}

export function toInputs(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
  return Array.isArray(inputs) ? inputs : [inputs];
}

/** A single-input layer's input, checked to be NHWC (a symbolic shape may have hidden a wrong rank). */
export function nhwcInput(inputs: tf.Tensor | tf.Tensor[], layer: layers.Layer): tf.Tensor4D {
  const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
  if (x.rank !== 4) throw new ShapeError(`${layer.getClassName()} '${layer.name}': input must be rank 4 (NHWC), got ${formatShape(x.shape)}.`);
  return x;
}
