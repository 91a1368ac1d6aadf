import { ConfigError, convCost } from '@clade/core';
import { generatorPlan } from '@clade/spade-gen';
import { backboneConfigOf, numClassesOf, resolveSeanConfig, type SeanConfig } from './config';

/** A total split into the generator backbone, the ACE layers and the Zencoder. */
export interface SeanSplit {
  total: number;
  /** fc, the blocks' conv_0/conv_1/conv_s and conv_img. */
  backbone: number;
  /** The ACE layers: class branch (SPADE or CLADE), style branch (fc_mu*, conv_gamma/beta), blending, noise. */
  norm: number;
  /** The Zencoder (and, in flops, its region pooling). */
  encoder: number;
}

export interface SeanCostOptions {
  /**
   * Size [H, W] of the style image the Zencoder encodes. Default: the output size. (The paper's
   * CelebAMask-HQ SEAN figure, 420.8 G, matches a 512×512 style image; see README.)
   */
  styleSize?: [number, number];
  /** Classes present in the segmap: one fc_mu call each per style ACE. Default: all of them. */
  presentClasses?: number;
}

/**
 * Cost of one forward pass at batch 1 (seg + style image → image, Zencoder included).
 * - `params`: trainable scalars as PyTorch counts them (buffers excluded).
 * - `flops`: MACs in the project's convention (@clade/core cost.ts): k²·Cin·Cout per conv output
 *   pixel, plus one per output element of a biased conv; the transposed conv counts its real
 *   multiply-adds (per input pixel); a Linear counts in·out plus its bias; inside ACE each
 *   elementwise multiply or add counts one (noise 2, blend 6, modulation 3 per element); table
 *   lookups, activations, upsampling, residual adds and param-free norms count zero; region
 *   pooling counts one add per feature element.
 * - `thopFlops`: what thop reports on the official modules (the paper's measuring tool): convs
 *   as above, the transposed conv per *output* element (4× its real work at stride 2), Linears
 *   without bias, nothing elementwise.
 */
export interface SeanCost {
  params: SeanSplit;
  flops: SeanSplit;
  thopFlops: number;
  /** The style image size the figures are for. */
  styleSize: [number, number];
}

/** The Zencoder's convolutions as [cin, cout, stride, transposed]; widths are fixed officially. */
const zencoderConvs = (styleLength: number) =>
  [
    [3, 32, 1, false],
    [32, 64, 2, false],
    [64, 128, 2, false],
    [128, 256, 2, true],
    [256, styleLength, 1, false],
  ] as const;

/** Zencoder cost for a style image h×w: [params, macs, thop MACs]. */
function zencoderCost(h: number, w: number, styleLength: number): [number, number, number] {
  let params = 0;
  let macs = 0;
  let thop = 0;
  for (const [cin, cout, stride, transposed] of zencoderConvs(styleLength)) {
    params += 9 * cin * cout + cout;
    if (transposed) {
      const [oh, ow] = [2 * h, 2 * w]; // k3 s2 p1 output-padding 1
      macs += 9 * cin * cout * h * w + cout * oh * ow;
      thop += (9 * cin + 1) * cout * oh * ow;
      [h, w] = [oh, ow];
    } else {
      // k3 with reflect-pad 1 (stride 1) or zero-pad 1 (stride 2): output ⌈size/stride⌉.
      [h, w] = [Math.ceil(h / stride), Math.ceil(w / stride)];
      const c = convCost({ cin, cout, kernelSize: 3, height: h, width: w }).macs;
      macs += c;
      thop += c;
    }
  }
  macs += h * w * styleLength; // region pooling: each feature element added to its class sum
  return [params, macs, thop];
}

export function seanCost(config: Partial<SeanConfig> & { labelNc: number }, opts: SeanCostOptions = {}): SeanCost {
  const c = resolveSeanConfig(config);
  const k = numClassesOf(c);
  const plan = generatorPlan(backboneConfigOf(c));
  const last = plan.blocks[plan.blocks.length - 1]!;
  const styleSize = opts.styleSize ?? [last.height, last.width];
  if (!(styleSize.length === 2 && styleSize.every((d) => Number.isInteger(d) && d >= 2)))
    throw new ConfigError(`seanCost: styleSize must be [H, W] with integers ≥ 2, got ${JSON.stringify(opts.styleSize)}.`);
  const present = opts.presentClasses ?? k;
  if (!(Number.isInteger(present) && present >= 0 && present <= k))
    throw new ConfigError(`seanCost: presentClasses must be an integer in [0, ${k}], got ${JSON.stringify(opts.presentClasses)}.`);

  const p = { backbone: 0, norm: 0, encoder: 0 };
  const f = { backbone: 0, norm: 0, encoder: 0 };
  let thop = 0;
  const conv = (cin: number, cout: number, kernelSize: number, height: number, width: number, bias = true) =>
    convCost({ cin, cout, kernelSize, height, width, bias });
  const backbone = (cost: { params: number; macs: number }) => {
    p.backbone += cost.params;
    f.backbone += cost.macs;
    thop += cost.macs;
  };

  const ace = (ch: number, height: number, width: number, useStyle: boolean) => {
    const hw = height * width;
    let params = 2 + ch; // blending_gamma, blending_beta, noise_var
    let macs = 2 * ch * hw + 3 * ch * hw; // noise r·v + x, then x̂·(1+γ)+β
    if (c.classBranch === 'spade') {
      const convs = [conv(k, c.spadeHiddenNc, 3, height, width), conv(c.spadeHiddenNc, ch, 3, height, width), conv(c.spadeHiddenNc, ch, 3, height, width)];
      for (const x of convs) {
        params += x.params;
        macs += x.macs;
        thop += x.macs;
      }
    } else {
      params += 2 * k * ch; // Γ, B tables; the lookup is not arithmetic
    }
    if (useStyle) {
      const s = c.styleLength;
      const linear = s * s;
      params += k * (linear + s);
      macs += present * (linear + s);
      thop += present * linear;
      for (let i = 0; i < 2; i++) {
        const x = conv(s, ch, 3, height, width);
        params += x.params;
        macs += x.macs;
        thop += x.macs;
      }
      macs += 6 * ch * hw; // σ(a)·s + (1−σ(a))·o for γ and β
    }
    p.norm += params;
    f.norm += macs;
  };

  backbone(conv(k, 16 * c.ngf, 3, plan.sh, plan.sw));
  for (const b of plan.blocks) {
    const useStyle = b.name !== 'up_3';
    ace(b.fin, b.height, b.width, useStyle);
    ace(b.fmid, b.height, b.width, useStyle);
    backbone(conv(b.fin, b.fmid, 3, b.height, b.width));
    backbone(conv(b.fmid, b.fout, 3, b.height, b.width));
    if (b.learnedShortcut) {
      ace(b.fin, b.height, b.width, useStyle);
      backbone(conv(b.fin, b.fout, 1, b.height, b.width, false));
    }
  }
  backbone(conv(plan.finalNc, 3, 3, last.height, last.width));

  const [zp, zm, zt] = zencoderCost(styleSize[0], styleSize[1], c.styleLength);
  p.encoder = zp;
  f.encoder = zm;
  thop += zt;
  const split = (s: typeof p): SeanSplit => ({ total: s.backbone + s.norm + s.encoder, ...s });
  return { params: split(p), flops: split(f), thopFlops: thop, styleSize };
}
