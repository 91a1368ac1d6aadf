import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { initializers, layers } from '@tensorflow/tfjs-layers';
import { ConfigError, ShapeError, formatShape, instanceNorm, seedFor } from '@clade/core';
import { assertPositiveInt } from '@clade/core/internal';
import { STYLE_LENGTH } from './config';
import { fastXavierNormal } from './init';
import { convTranspose2d, regionAveragePool } from './ops';

type Shape = Array<number | null>;
type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
type Variable = ReturnType<layers.Layer['addWeight']>;

/**
 * The official Zencoder's convolutions, in its Sequential's numbering (`model.<index>`), with
 * their kinds; the indices in between are pads, InstanceNorms and LeakyReLUs (no weights).
 * Widths are fixed there (ngf 32, two downsamplings, one ×2 transposed conv to 256).
 */
const zencoderConvs = (styleLength: number) =>
  [
    { index: 1, cin: 3, cout: 32, stride: 1, transposed: false },
    { index: 4, cin: 32, cout: 64, stride: 2, transposed: false },
    { index: 7, cin: 64, cout: 128, stride: 2, transposed: false },
    { index: 10, cin: 128, cout: 256, stride: 2, transposed: true },
    { index: 14, cin: 256, cout: styleLength, stride: 1, transposed: false },
  ] as const;

export interface ZencoderArgs extends LayerArgs {
  /** Classes K of the segmap (codes per image). Required. */
  numClasses: number;
  /** Width of the codes (the last conv's output). Default 512 (official). */
  styleLength?: number;
  /** Xavier-normal gain of the convs (the generator's global init). Default 0.02. */
  initGain?: number;
  /** Default null (unseeded). */
  initSeed?: number | null;
}

const lrelu = (x: tf.Tensor4D) => tf.leakyRelu(x, 0.2) as tf.Tensor4D;
const reflect1 = (x: tf.Tensor4D) => tf.mirrorPad(x, [[0, 0], [1, 1], [1, 1], [0, 0]], 'reflect') as tf.Tensor4D;

/**
 * SEAN's style encoder, NHWC. Inputs [image [N,H,W,3] in [−1,1], seg [N,H,W,K]] → per-region
 * style codes [N,K,512]. The feature map (features()) is [N,⌈H/2⌉,⌈W/2⌉,512]:
 *   reflect-pad 1, conv 3→32 · IN · LReLU(0.2)
 *   conv 32→64 s2 p1 · IN · LReLU,  conv 64→128 s2 p1 · IN · LReLU
 *   transposed conv 128→256 s2 p1 output-padding 1 · IN · LReLU
 *   reflect-pad 1, conv 256→512 · tanh
 * then each class's code is the mean of the features over its region (segmap resized nearest,
 * floor rule), zero for an absent class. IN = InstanceNorm without affine or running stats.
 * Weight names: model/1/weight … model/14/bias (official `Zencoder.model.<i>.*` under the
 * generator); the transposed conv's kernel is [3,3,256,128] (PyTorch [128,256,3,3]).
 */
export class Zencoder extends layers.Layer {
  /** @nocollapse */
  static className = 'Zencoder';
  readonly numClasses: number;
  readonly styleLength: number;
  readonly initGain: number;
  readonly initSeed: number | null;
  private vars: Array<[Variable, Variable]> = [];

  constructor(args: ZencoderArgs) {
    super(args);
    this.numClasses = assertPositiveInt(args.numClasses, 'Zencoder', 'numClasses', JSON.stringify);
    this.styleLength = assertPositiveInt(args.styleLength ?? STYLE_LENGTH, 'Zencoder', 'styleLength', JSON.stringify);
    this.initGain = args.initGain ?? 0.02;
    if (!(this.initGain > 0)) throw new ConfigError(`Zencoder: initGain must be > 0, got ${this.initGain}.`);
    this.initSeed = args.initSeed ?? null;
  }

  private checkShapes(inputShape: Shape | Shape[]): Shape[] {
    const shapes = Array.isArray(inputShape[0]) ? (inputShape as Shape[]) : null;
    if (!shapes || shapes.length !== 2)
      throw new ShapeError(`Zencoder: expected inputs [image [N,H,W,3], seg [N,H,W,${this.numClasses}]], got ${JSON.stringify(inputShape)}.`);
    const [image, seg] = shapes as [Shape, Shape];
    if (image.length !== 4 || image[3] !== 3) throw new ShapeError(`Zencoder: image must be [N,H,W,3], got ${formatShape(image)}.`);
    if ((image[1] != null && image[1] < 2) || (image[2] != null && image[2] < 2))
      throw new ShapeError(`Zencoder: image must be at least 2×2 (reflection padding), got ${formatShape(image)}.`);
    if (seg.length !== 4 || (seg[3] != null && seg[3] !== this.numClasses))
      throw new ShapeError(`Zencoder: seg must be [N,H,W,${this.numClasses}], got ${formatShape(seg)}.`);
    if (image[0] != null && seg[0] != null && image[0] !== seg[0])
      throw new ShapeError(`Zencoder: image and seg batch sizes differ: ${formatShape(image)} vs ${formatShape(seg)}.`);
    return shapes;
  }

  override build(inputShape: Shape | Shape[]): void {
    this.checkShapes(inputShape);
    this.vars = zencoderConvs(this.styleLength).map(({ index, cin, cout, transposed }) => {
      // tfjs kernels: [k,k,in,out] for convs, [k,k,out,in] for the transposed conv.
      const shape = transposed ? [3, 3, cout, cin] : [3, 3, cin, cout];
      const key = `model/${index}`;
      return [
        this.addWeight(`${key}/weight`, shape, 'float32', fastXavierNormal(shape, this.initGain, seedFor(this.initSeed, key))),
        this.addWeight(`${key}/bias`, [cout], 'float32', initializers.zeros()),
      ] as [Variable, Variable];
    });
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [image] = this.checkShapes(inputShape);
    return [image![0]!, this.numClasses, this.styleLength];
  }

  /** The encoder's feature map [N,⌈H/2⌉,⌈W/2⌉,512] in [−1,1], before region pooling. */
  features(image: tf.Tensor4D): tf.Tensor4D {
    if (!this.built) throw new ConfigError(`Zencoder '${this.name}': features needs a built layer (apply it once).`);
    if (image.rank !== 4 || image.shape[3] !== 3) throw new ShapeError(`Zencoder: image must be [N,H,W,3], got ${formatShape(image.shape)}.`);
    return tf.tidy(() => {
      const [c1, c4, c7, c10, c14] = this.vars.map(([w, b]) => [w.read(), b.read()] as [tf.Tensor4D, tf.Tensor1D]);
      const conv = (x: tf.Tensor4D, [w, b]: [tf.Tensor4D, tf.Tensor1D], stride: number, pad: 'valid' | number) =>
        tf.fused.conv2d({ x, filter: w, strides: stride, pad: pad === 'valid' ? 'valid' : [[0, 0], [pad, pad], [pad, pad], [0, 0]], bias: b });
      let x = lrelu(instanceNorm(conv(reflect1(image), c1!, 1, 'valid')));
      x = lrelu(instanceNorm(conv(x, c4!, 2, 1)));
      x = lrelu(instanceNorm(conv(x, c7!, 2, 1)));
      x = lrelu(instanceNorm(convTranspose2d(x, c10![0], c10![1], 2, 1, 1)));
      return tf.tanh(conv(reflect1(x), c14!, 1, 'valid')) as tf.Tensor4D;
    });
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const list = Array.isArray(inputs) ? inputs : [inputs];
      this.checkShapes(list.map((t) => t.shape));
      const [image, seg] = list as [tf.Tensor4D, tf.Tensor4D];
      return regionAveragePool(this.features(image), seg);
    });
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), numClasses: this.numClasses, styleLength: this.styleLength, initGain: this.initGain, initSeed: this.initSeed };
  }
}
serialization.registerClass(Zencoder);
