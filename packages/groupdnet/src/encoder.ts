import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, GroupConv2D, InstanceNorm, ShapeError, convCost, formatShape, nearestResize, seedFor } from '@clade/core';
import { OfficialNetwork } from '@clade/spade-gen';
import { LATENT_PER_CLASS, resolveGroupDNetConfig, semanticNcOf, type ConfigInput, type GroupDNetArch, type GroupDNetConfig } from './config';

/** The grouped encoder's base width per arch (fixed in the official ConvEncoder). */
export const ENCODER_NDF: Readonly<Record<GroupDNetArch, number>> = { deepfashion: 256, cityscapes: 350, ade20k: 604 };

/**
 * Size of the per-class crops the encoder reads: 256×256, 256×512 for Cityscapes (fixed in the
 * official code, whatever the crop size), so mu/logvar are 4×4 (4×8), z's size at the official crops.
 */
export function encoderInputSize(arch: GroupDNetArch): { height: number; width: number } {
  return { height: 256, width: arch === 'cityscapes' ? 512 : 256 };
}

/** Overrides of the official encoder shape (for small tests and experiments). */
export interface EncoderOptions {
  /** Base width. Default `ENCODER_NDF[arch]`. */
  ndf?: number;
  /** Crop size it reads. Default `encoderInputSize(arch)`. */
  inputSize?: { height: number; width: number };
}

/** Widths of layer1 … layer6 (layer6 only when cropSize ≥ 256, as the official module decides). */
export function encoderWidths(c: GroupDNetConfig, ndf = ENCODER_NDF[c.arch]): number[] {
  return [ndf, 2 * ndf, 4 * ndf, 8 * ndf, 8 * ndf, ...(c.cropSize >= 256 ? [8 * ndf] : [])];
}

/**
 * The crops of one image, one per class (the official training input of the encoder): for class j,
 * image ⊙ mask_j cropped to the bounding box of its non-zero pixels and resized (nearest, floor
 * rule) to `encoderInputSize`; an absent class gives zeros. Concatenated: [N,h,w,3·S], class j in
 * channels 3j … 3j+2. As officially, the box comes from the masked image, so black pixels of a
 * class count as outside it. `image` [N,H,W,3] in [−1,1]; `seg` [N,H,W,≥S] (extra channels ignored).
 */
export function classCrops(
  image: tf.Tensor4D,
  seg: tf.Tensor4D,
  classes: number,
  size: { height: number; width: number },
): tf.Tensor4D {
  const sameNHW = seg.shape[0] === image.shape[0] && seg.shape[1] === image.shape[1] && seg.shape[2] === image.shape[2];
  if (image.rank !== 4 || image.shape[3] !== 3 || seg.rank !== 4 || seg.shape[3] < classes || !sameNHW)
    throw new ShapeError(
      `classCrops: expected image [N,H,W,3] and seg [N,H,W,≥${classes}] of the ` +
        `same N,H,W, got ${formatShape(image.shape)} and ${formatShape(seg.shape)}.`,
    );
  const [n, h, w] = image.shape;
  return tf.tidy(() => {
    const samples: tf.Tensor4D[] = [];
    for (let i = 0; i < n; i++) {
      const img = tf.slice(image, [i, 0, 0, 0], [1, -1, -1, -1]);
      const crops: tf.Tensor4D[] = [];
      for (let j = 0; j < classes; j++) {
        const masked = tf.mul(img, tf.slice(seg, [i, 0, 0, j], [1, -1, -1, 1])) as tf.Tensor4D;
        const nz = tf.notEqual(tf.sum(masked, 3), 0).dataSync(); // the official "non-zero" test on the channel sum
        let [r0, r1, c0, c1] = [h, -1, w, -1];
        for (let p = 0; p < nz.length; p++)
          if (nz[p]) {
            const r = Math.floor(p / w);
            const c = p % w;
            r0 = Math.min(r0, r); r1 = Math.max(r1, r); c0 = Math.min(c0, c); c1 = Math.max(c1, c);
          }
        crops.push(
          r1 < 0
            ? tf.zeros([1, size.height, size.width, 3])
            : nearestResize(tf.slice(masked, [0, r0, c0, 0], [1, r1 - r0 + 1, c1 - c0 + 1, 3]), size.height, size.width),
        );
      }
      samples.push(tf.concat(crops, 3) as tf.Tensor4D);
    }
    return tf.concat(samples, 0) as tf.Tensor4D;
  });
}

/**
 * GroupDNet's grouped VAE encoder (official ConvEncoder with netE conv): stride-2 3×3 convs grouped
 * by class (spectral norm, no bias, instance norm, LeakyReLU 0.2), then grouped 3×3 fc_mu / fc_var
 * to 8 channels per class. Input `classCrops(...)`; outputs mu, logvar [N,h/2^L,w/2^L,8·S], i.e. the
 * per-class latent. Weight names follow the official keys ('layer1.0/weight_orig', 'fc_mu/weight').
 */
export class GroupDNetEncoder extends OfficialNetwork {
  readonly config: GroupDNetConfig;
  readonly model: tfl.LayersModel;

  constructor(config: ConfigInput, opts: EncoderOptions = {}) {
    super();
    this.config = resolveGroupDNetConfig(config);
    const c = this.config;
    const ndf = opts.ndf ?? ENCODER_NDF[c.arch];
    if (c.arch === 'cityscapes' && !c.useInstance)
      throw new ConfigError(`GroupDNetEncoder: useInstance must be true for arch 'cityscapes' (the official encoder skips the edge channel), got false.`);
    const s = semanticNcOf(c);
    const { height, width } = opts.inputSize ?? encoderInputSize(c.arch);
    if (!(Number.isInteger(ndf) && ndf >= 1 && ndf % s === 0))
      throw new ConfigError(`GroupDNetEncoder: ndf must be a positive multiple of the ${s} classes (one group each), got ${ndf}.`);
    const x0 = tfl.input({ shape: [height, width, 3 * s], name: 'crops' }) as tfl.SymbolicTensor;
    let x = x0;
    encoderWidths(c, ndf).forEach((filters, i) => {
      const name = `layer${i + 1}`;
      if (i > 0) x = tfl.layers.leakyReLU({ alpha: 0.2, name: `${name}.actvn` }).apply(x) as tfl.SymbolicTensor;
      x = new GroupConv2D({
        name: `${name}.0`, filters, kernelSize: 3, strides: 2, padding: 1, groups: s, useBias: false, spectral: true,
        initGain: c.initGain, initSeed: seedFor(c.initSeed, name) ?? null,
      }).apply(x) as tfl.SymbolicTensor;
      x = new InstanceNorm({ name: `${name}.1` }).apply(x) as tfl.SymbolicTensor;
    });
    x = tfl.layers.leakyReLU({ alpha: 0.2, name: 'actvn' }).apply(x) as tfl.SymbolicTensor;
    const head = (name: string) =>
      new GroupConv2D({
        name, filters: LATENT_PER_CLASS * s, kernelSize: 3, groups: s, initGain: c.initGain,
        initSeed: seedFor(c.initSeed, name) ?? null,
      }).apply(x) as tfl.SymbolicTensor;
    this.model = tfl.model({ inputs: x0, outputs: [head('fc_mu'), head('fc_var')], name: 'netE' });
  }

  /** mu and logvar of the per-class latent. `training` runs the spectral power iterations. */
  apply(crops: tf.Tensor4D, training = false): { mu: tf.Tensor4D; logvar: tf.Tensor4D } {
    const want = this.model.inputs[0]!.shape;
    if (crops.rank !== 4 || crops.shape.slice(1).some((d, i) => d !== want[i + 1]))
      throw new ShapeError(`GroupDNetEncoder: crops must be [N,${want.slice(1).join(',')}] (classCrops of the image), got ${formatShape(crops.shape)}.`);
    const [mu, logvar] = this.model.apply(crops, { training }) as tf.Tensor4D[];
    return { mu: mu!, logvar: logvar! };
  }
}

/** Size of mu/logvar: the input halved (k3 s2 p1) once per layer. */
export function encoderOutputSize(config: ConfigInput, opts: EncoderOptions = {}): { height: number; width: number } {
  const c = resolveGroupDNetConfig(config);
  let { height, width } = opts.inputSize ?? encoderInputSize(c.arch);
  for (let i = 0; i < encoderWidths(c, opts.ndf).length; i++) {
    height = Math.floor((height - 1) / 2) + 1;
    width = Math.floor((width - 1) / 2) + 1;
  }
  return { height, width };
}

/** Parameters and thop-style MACs of the grouped encoder (same conventions as `groupdnetCost`). */
export function groupdnetEncoderCost(config: ConfigInput, opts: EncoderOptions = {}): { params: number; macs: number } {
  const c = resolveGroupDNetConfig(config);
  const s = semanticNcOf(c);
  let { height: h, width: w } = opts.inputSize ?? encoderInputSize(c.arch);
  let cin = 3 * s;
  let params = 0;
  let macs = 0;
  for (const cout of encoderWidths(c, opts.ndf)) {
    h = Math.floor((h - 1) / 2) + 1;
    w = Math.floor((w - 1) / 2) + 1;
    const k = convCost({ cin: cin / s, cout, kernelSize: 3, height: h, width: w, bias: false });
    params += k.params;
    macs += k.macs;
    cin = cout;
  }
  const head = convCost({ cin: cin / s, cout: LATENT_PER_CLASS * s, kernelSize: 3, height: h, width: w });
  return { params: params + 2 * head.params, macs: macs + 2 * head.macs };
}
