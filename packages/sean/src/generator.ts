import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, NearestResize, ShapeError, SpectralConv2D, formatShape, seedFor } from '@clade/core';
import { OfficialNetwork, generatorPlan, type BlockPlan } from '@clade/spade-gen';
import { ACE, type NoiseMode } from './ace';
import { backboneConfigOf, numClassesOf, resolveSeanConfig, type SeanConfig } from './config';
import { Zencoder } from './zencoder';

type Sym = tfl.SymbolicTensor;
type Layer = tfl.layers.Layer;

/** Options of one generator or encoder pass. */
export interface SeanRunOptions {
  /** Batch statistics, running-stat updates and spectral-norm power iterations. Default false. */
  training?: boolean;
  /** Per-pixel noise in every ACE. Default 'random' (official, also at test time). */
  noise?: NoiseMode;
}

/**
 * Layers created once and applied to several graphs (official forward from an image, synthesis
 * from given codes), so all graphs share one set of weights.
 */
class LayerCache {
  private readonly made = new Map<string, Layer>();
  get<T extends Layer>(name: string, make: () => T): T {
    let l = this.made.get(name);
    if (!l) this.made.set(name, (l = make()));
    return l as T;
  }
  all(): Layer[] {
    return [...this.made.values()];
  }
}

/**
 * SEAN's generator (the official SPADEGenerator of the SEAN repository, with ACE blocks and the
 * Zencoder), NHWC, as tfjs LayersModels whose weight names are the official state-dict keys with
 * '.' → '/' ('up_0.ace_1/fc_mu3/weight', 'Zencoder/model/10/weight', 'head_0.conv_0/weight_orig').
 *
 * - `model`: [seg [N,H,W,K], image [N,H,W,3]] → image, the official forward G(seg, style image);
 *   it holds every weight (load official `*_net_G.pth` into it; count parameters on it).
 * - `synthesisModel`: [seg, codes [N,K,512]] → image (style codes given, e.g. mixed ones).
 * - `encoderModel`: [image, seg] → codes [N,K,512] (the Zencoder and region pooling).
 */
export class SeanGenerator extends OfficialNetwork {
  readonly config: SeanConfig;
  readonly model: tfl.LayersModel;
  readonly synthesisModel: tfl.LayersModel;
  readonly encoderModel: tfl.LayersModel;
  private readonly layers = new LayerCache();
  private disposed = false;

  constructor(config: Partial<SeanConfig> & { labelNc: number }) {
    super();
    this.config = resolveSeanConfig(config);
    const k = numClassesOf(this.config);
    const zencoder = this.layers.get('Zencoder', () => new Zencoder({
      name: 'Zencoder', numClasses: k, styleLength: this.config.styleLength, initGain: this.config.initGain,
      initSeed: seedFor(this.config.initSeed, 'Zencoder') ?? null,
    }));

    // Synthesis from codes first: its layers get built (and their weights named) outside any
    // other model's scope.
    const seg = tfl.input({ shape: [null, null, k], name: 'seg' }) as Sym;
    const codes = tfl.input({ shape: [k, this.config.styleLength], name: 'codes' }) as Sym;
    this.synthesisModel = tfl.model({ inputs: [seg, codes], outputs: this.body(seg, codes), name: 'netG_synthesis' });

    const image = tfl.input({ shape: [null, null, 3], name: 'image' }) as Sym;
    const encSeg = tfl.input({ shape: [null, null, k], name: 'seg' }) as Sym;
    this.encoderModel = tfl.model({ inputs: [image, encSeg], outputs: zencoder.apply([image, encSeg]) as Sym, name: 'netG_Zencoder' });

    const seg2 = tfl.input({ shape: [null, null, k], name: 'seg' }) as Sym;
    const image2 = tfl.input({ shape: [null, null, 3], name: 'image' }) as Sym;
    const codes2 = zencoder.apply([image2, seg2]) as Sym;
    this.model = tfl.model({ inputs: [seg2, image2], outputs: this.body(seg2, codes2), name: 'netG' });
  }

  /** fc → blocks → conv_img → tanh, as in the official forward. */
  private body(seg: Sym, codes: Sym): Sym {
    const c = this.config;
    const plan = generatorPlan(backboneConfigOf(c));
    const L = this.layers;
    const small = L.get('fc.resize', () => new NearestResize({ height: plan.sh, width: plan.sw, name: 'fc.resize' })).apply(seg) as Sym;
    let x = L.get('fc', () => new SpectralConv2D({
      name: 'fc', filters: 16 * c.ngf, kernelSize: 3, spectral: false, initGain: c.initGain, initSeed: seedFor(c.initSeed, 'fc') ?? null,
    })).apply(small) as Sym;
    for (const b of plan.blocks) {
      if (b.upsampleBefore) x = L.get(`${b.name}.upsample`, () => tfl.layers.upSampling2d({ size: [2, 2], name: `${b.name}.upsample` })).apply(x) as Sym;
      x = this.block(b, x, seg, codes);
    }
    const act = L.get('conv_img.actvn', () => tfl.layers.leakyReLU({ alpha: 0.2, name: 'conv_img.actvn' })).apply(x) as Sym;
    const pre = L.get('conv_img', () => new SpectralConv2D({
      name: 'conv_img', filters: 3, kernelSize: 3, spectral: false, initGain: c.initGain, initSeed: seedFor(c.initSeed, 'conv_img') ?? null,
    })).apply(act) as Sym;
    return L.get('tanh', () => tfl.layers.activation({ activation: 'tanh', name: 'tanh' })).apply(pre) as Sym;
  }

  /**
   * SEAN's residual block: x_s + conv_1(lrelu(ace_1(conv_0(lrelu(ace_0(x)))))), with the learned
   * shortcut conv_s(ace_s(x)) when fin ≠ fout. up_3 runs its ACEs without the style branch.
   */
  private block(b: BlockPlan, x: Sym, seg: Sym, codes: Sym): Sym {
    const c = this.config;
    const L = this.layers;
    const useStyle = b.name !== 'up_3';
    const ace = (suffix: string, input: Sym) => {
      const name = `${b.name}.${suffix}`;
      const layer = L.get(name, () => new ACE({
        name, numClasses: numClassesOf(c), useStyle, styleLength: c.styleLength, classBranch: c.classBranch, hiddenNc: c.spadeHiddenNc,
        paramFreeNorm: c.paramFreeNorm, initGain: c.initGain, initSeed: seedFor(c.initSeed, name) ?? null,
      }));
      return layer.apply(useStyle ? [input, seg, codes] : [input, seg]) as Sym;
    };
    const conv = (suffix: string, filters: number, kernelSize: number, useBias = true) => {
      const name = `${b.name}.${suffix}`;
      return L.get(name, () => new SpectralConv2D({
        name, filters, kernelSize, useBias, spectral: c.spectral, initGain: c.initGain, initSeed: seedFor(c.initSeed, name) ?? null,
      }));
    };
    const leaky = (suffix: string) => L.get(`${b.name}.${suffix}`, () => tfl.layers.leakyReLU({ alpha: 0.2, name: `${b.name}.${suffix}` }));
    const xs = b.learnedShortcut ? (conv('conv_s', b.fout, 1, false).apply(ace('ace_s', x)) as Sym) : x;
    let dx = conv('conv_0', b.fmid, 3).apply(leaky('actvn_0').apply(ace('ace_0', x))) as Sym;
    dx = conv('conv_1', b.fout, 3).apply(leaky('actvn_1').apply(ace('ace_1', dx))) as Sym;
    return L.get(`${b.name}.add`, () => tfl.layers.add({ name: `${b.name}.add` })).apply([xs, dx]) as Sym;
  }

  private checkSeg(seg: tf.Tensor, who: string): number {
    const k = numClassesOf(this.config);
    if (seg.rank !== 4 || seg.shape[3] !== k)
      throw new ShapeError(
        `SeanGenerator.${who}: seg must be [N,H,W,${k}] (one-hot ` +
          `classes${this.config.containDontcare ? ' + dontcare' : ''}), got ${formatShape(seg.shape)}.`,
      );
    return seg.shape[0]!;
  }

  private checkImage(image: tf.Tensor, n: number, who: string): void {
    if (image.rank !== 4 || image.shape[3] !== 3 || image.shape[0] !== n)
      throw new ShapeError(`SeanGenerator.${who}: image must be [${n},H,W,3] in [-1,1], got ${formatShape(image.shape)}.`);
  }

  private checkCodes(codes: tf.Tensor, n: number, who: string): void {
    const k = numClassesOf(this.config);
    const s = this.config.styleLength;
    if (codes.rank !== 3 || codes.shape[0] !== n || codes.shape[1] !== k || codes.shape[2] !== s)
      throw new ShapeError(`SeanGenerator.${who}: codes must be [${n},${k},${s}], got ${formatShape(codes.shape)}.`);
  }

  private kwargs(o: SeanRunOptions): Record<string, unknown> {
    return { training: o.training === true, noise: o.noise ?? 'random' };
  }

  /** Per-region style codes [N,K,512] of an image [N,H,W,3] (in [−1,1]) under its segmap. */
  encode(image: tf.Tensor4D, seg: tf.Tensor4D): tf.Tensor3D {
    const n = this.checkSeg(seg, 'encode');
    this.checkImage(image, n, 'encode');
    return this.encoderModel.apply([image, seg], { training: false }) as tf.Tensor3D;
  }

  /** The image [N,H,W,3] in [−1,1] for a segmap and per-region style codes. */
  synthesize(seg: tf.Tensor4D, codes: tf.Tensor3D, opts: SeanRunOptions = {}): tf.Tensor4D {
    const n = this.checkSeg(seg, 'synthesize');
    this.checkCodes(codes, n, 'synthesize');
    return this.synthesisModel.apply([seg, codes], this.kwargs(opts)) as tf.Tensor4D;
  }

  /** The official forward: the segmap, styled by an image (encoded under the same segmap). */
  apply(seg: tf.Tensor4D, image: tf.Tensor4D, opts: SeanRunOptions = {}): tf.Tensor4D {
    const n = this.checkSeg(seg, 'apply');
    this.checkImage(image, n, 'apply');
    return this.model.apply([seg, image], this.kwargs(opts)) as tf.Tensor4D;
  }

  /** ACE layer names in graph order ('head_0.ace_0', …, 'up_3.ace_s'). */
  aceNames(): string[] {
    return this.synthesisModel.layers.filter((l) => l instanceof ACE).map((l) => l.name);
  }

  /**
   * The style map [N,h,w,512] that one ACE layer feeds to conv_gamma/conv_beta for a segmap and
   * codes, at that layer's resolution (the block's feature size).
   */
  styleMap(aceName: string, seg: tf.Tensor4D, codes: tf.Tensor3D): tf.Tensor4D {
    const n = this.checkSeg(seg, 'styleMap');
    this.checkCodes(codes, n, 'styleMap');
    const layer = this.synthesisModel.layers.find((l) => l.name === aceName);
    if (!(layer instanceof ACE) || !layer.useStyle) {
      const supported = this.aceNames().filter((a) => !a.startsWith('up_3'));
      throw new ConfigError(
        `SeanGenerator.styleMap: aceName must name an ACE with a style branch, got '${aceName}'. Supported: ${supported.join(', ')}.`,
      );
    }
    // The generator's sizes are fixed by the config (fc starts from the segmap resized to sh×sw).
    const block = generatorPlan(backboneConfigOf(this.config)).blocks.find((b) => aceName.startsWith(`${b.name}.`))!;
    const [h, w] = [block.height, block.width];
    return layer.styleMap(seg, codes, h, w);
  }

  /** Every weight once, even though layers appear in several graphs. */
  override dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const seen = new Set<unknown>();
    for (const l of this.layers.all())
      for (const w of l.weights)
        if (!seen.has(w)) {
          seen.add(w);
          w.dispose();
        }
  }
}
