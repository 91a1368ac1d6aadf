import { ConfigError } from '@clade/core';
import {
  LATENT_PER_CLASS,
  blockNamesOf,
  groupScheduleOf,
  normSegNcOf,
  semanticNcOf,
  startSizeOf,
  type GroupDNetConfig,
} from './config';

/** GROUP_SPADE's modulation network: mlp_shared (seg → hidden), mlp_gamma/mlp_beta (hidden → C). */
export interface GroupSpadePlan {
  /** Channels of the segmap it reads (S, or 2S with Cityscapes' interleaved edges). */
  segNc: number;
  hiddenNc: number;
  sharedGroups: number;
  /** Groups of mlp_gamma and mlp_beta. */
  groups: number;
}

/** One SPADEV2ResnetBlock: grouped conv_0/conv_1/conv_s with the block's group count. */
export interface GroupBlockPlan {
  name: string;
  fin: number;
  fout: number;
  fmid: number;
  groups: number;
  learnedShortcut: boolean;
  /** ×2 nearest upsampling right before the block. */
  upsampleBefore: boolean;
  /** Feature size inside the block. */
  height: number;
  width: number;
  /** False for ADE20K's up_4: the official module builds it (its weights are in the state dict) but never runs it. */
  used: boolean;
  /** GROUP_SPADE of this block (all three of its norms share it); unused under 'clade'. */
  norm: GroupSpadePlan;
}

export interface GroupDNetPlan {
  /** Size of z and of the first feature map. */
  sh: number;
  sw: number;
  /** Latent classes S (official semantic_nc). */
  semanticNc: number;
  /** z channels: 8 per class. */
  latentNc: number;
  /** fc: grouped 3×3 conv latentNc → fcOut. */
  fc: { cin: number; cout: number; groups: number };
  blocks: GroupBlockPlan[];
  /** Channels into conv_img (3×3 → 3). */
  convImgNc: number;
}

/** GROUP_SPADE's hidden width and groups for block groups g (REFERENCE §17). */
function groupSpadePlan(c: GroupDNetConfig, g: number): GroupSpadePlan {
  const s = semanticNcOf(c);
  const segNc = normSegNcOf(c);
  if (c.arch === 'deepfashion') return { segNc, hiddenNc: 128, sharedGroups: g, groups: g };
  if (c.arch === 'cityscapes') return { segNc, hiddenNc: s * g, sharedGroups: s, groups: s };
  return { segNc, hiddenNc: s % g === 0 ? 2 * s : s * g, sharedGroups: s, groups: g };
}

/** The one place GroupDNet's widths, groups, resolutions and upsampling points are derived. */
export function groupdnetPlan(c: GroupDNetConfig): GroupDNetPlan {
  const nf = c.ngf;
  const s = semanticNcOf(c);
  const { sh, sw } = startSizeOf(c);
  const groups = groupScheduleOf(c);
  const ade = c.arch === 'ade20k';
  const widths: Record<string, [number, number]> = ade
    ? {
        head_0: [16 * s, 16 * s], G_middle_0: [16 * s, 32 * nf], G_middle_1: [32 * nf, 16 * nf],
        up_0: [16 * nf, 16 * nf], up_1: [16 * nf, 8 * nf], up_2: [8 * nf, 4 * nf], up_3: [4 * nf, 2 * nf],
        up_4: [2 * nf, nf],
      }
    : {
        head_0: [16 * nf, 16 * nf], G_middle_0: [16 * nf, 16 * nf], G_middle_1: [16 * nf, 16 * nf],
        up_0: [16 * nf, 8 * nf], up_1: [8 * nf, 4 * nf], up_2: [4 * nf, 2 * nf], up_3: [2 * nf, nf],
      };
  const fc = { cin: LATENT_PER_CLASS * s, cout: ade ? 16 * s : 16 * nf, groups: groups[0]! };
  let h = sh;
  let w = sw;
  const blocks = blockNamesOf(c.arch).map((name, i): GroupBlockPlan => {
    const used = name !== 'up_4';
    const upsampleBefore = used && (name === 'G_middle_0' || name.startsWith('up_') || (name === 'G_middle_1' && c.numUpsamplingLayers === 'more'));
    if (upsampleBefore) {
      h *= 2;
      w *= 2;
    }
    const [fin, fout] = widths[name]!;
    const g = groups[i + 1]!;
    return {
      name, fin, fout, fmid: Math.min(fin, fout), groups: g, learnedShortcut: fin !== fout, upsampleBefore, height: h,
      width: w, used, norm: groupSpadePlan(c, g),
    };
  });
  const plan: GroupDNetPlan = { sh, sw, semanticNc: s, latentNc: LATENT_PER_CLASS * s, fc, blocks, convImgNc: ade ? 2 * nf : nf };
  checkDivisibility(c, plan);
  return plan;
}

/** Every grouped conv must split its input and output channels evenly: one clear error naming the layer. */
function checkDivisibility(c: GroupDNetConfig, p: GroupDNetPlan): void {
  const check = (layer: string, cin: number, cout: number, g: number, field: string) => {
    if (cin % g !== 0 || cout % g !== 0)
      throw new ConfigError(
        `GroupDNet: ${layer} (${cin} → ${cout} channels) must divide into its ${g} groups (${field}); got arch '${c.arch}', ` +
          `ngf ${c.ngf}, ${p.semanticNc} classes. Choose ngf (or groups) so that every width is a multiple of its groups.`,
      );
  };
  check('fc', p.fc.cin, p.fc.cout, p.fc.groups, 'groups[0]');
  p.blocks.forEach((b, i) => {
    const field = c.groups ? `groups[${i + 1}]` : `the '${c.arch}' schedule`;
    check(`${b.name}.conv_0`, b.fin, b.fmid, b.groups, field);
    check(`${b.name}.conv_1`, b.fmid, b.fout, b.groups, field);
    if (c.normMode !== 'groupSpade') return;
    const n = b.norm;
    check(`${b.name}.norm_0.mlp_shared`, n.segNc, n.hiddenNc, n.sharedGroups, 'GROUP_SPADE');
    for (const [k, nc] of [['norm_0', b.fin], ['norm_1', b.fmid]] as const) check(`${b.name}.${k}.mlp_gamma`, n.hiddenNc, nc, n.groups, 'GROUP_SPADE');
  });
}
