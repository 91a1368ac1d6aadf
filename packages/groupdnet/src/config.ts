import { ConfigError, PARAM_FREE_NORMS, type ParamFreeNorm } from '@clade/core';
import { assertOneOf, assertPositiveInt } from '@clade/core/internal';

/**
 * The official generator variant (`--netG` with its `--dataset_mode`). It decides the block widths,
 * the default group schedule, GROUP_SPADE's hidden width and groups, and the edge handling.
 */
export const GROUPDNET_ARCHS = ['deepfashion', 'cityscapes', 'ade20k'] as const;
export type GroupDNetArch = (typeof GROUPDNET_ARCHS)[number];

/**
 * 'groupSpade': the official GROUP_SPADE norm (grouped SPADE). 'clade': every GROUP_SPADE replaced
 * by a CLADE layer (GroupDNet-CLADE, our design: see `GroupDNetConfig.normMode`).
 */
export const GROUPDNET_NORMS = ['groupSpade', 'clade'] as const;
export type GroupDNetNorm = (typeof GROUPDNET_NORMS)[number];

export const GROUPDNET_UPSAMPLING = ['normal', 'more'] as const;
export type GroupDNetUpsampling = (typeof GROUPDNET_UPSAMPLING)[number];

/** Latent channels per class: z has 8 channels per class (fixed in the official code). */
export const LATENT_PER_CLASS = 8;

/** Everything that shapes a GroupDNet generator. Defaults are the official ones. */
export interface GroupDNetConfig {
  /** Official generator variant. Required. */
  arch: GroupDNetArch;
  /** Dataset classes (DeepFashion 8, Cityscapes 35, ADE20K 150). Required. */
  labelNc: number;
  /** One extra "dontcare" class (ADE20K). Default false. */
  containDontcare: boolean;
  /**
   * Instance-edge channel last in the segmap. 'cityscapes': the edge is interleaved after every
   * class channel for the norms (their input is 2S) and is not a latent class (official
   * semantic_nc = labelNc). Other archs: the edge counts as one more class, as the official
   * semantic_nc does. Default false.
   */
  useInstance: boolean;
  /**
   * 'groupSpade' (default, official). 'clade' = GroupDNet-CLADE, our design: each GROUP_SPADE
   * becomes a CLADE layer (Γ/B tables over labelNc + dontcare classes) with the same param-free
   * norm; every grouped conv, the group schedule and the latent stay. CLADE's optional edge
   * channel is left out: it would add one input channel to conv_0/conv_1/conv_s and break their
   * grouping, so the edge map only matters for 'groupSpade'.
   */
  normMode: GroupDNetNorm;
  /** Default 'syncBatch' (official norm_G spectralspadesyncbatch3x3). */
  paramFreeNorm: ParamFreeNorm;
  /** Spectral norm on the blocks' conv_0/conv_1/conv_s. Default true. */
  spectral: boolean;
  /** Base width. Default 64 (the presets set the official 160 / 280). */
  ngf: number;
  /** Default 'more' (the official default of these generators); 'most' is not grouped officially. */
  numUpsamplingLayers: GroupDNetUpsampling;
  /** Output width. Default 256. */
  cropSize: number;
  /** W / H. Default 1. */
  aspectRatio: number;
  /**
   * Groups of fc, head_0, G_middle_0, G_middle_1, up_0 … up_3 (+ up_4 for 'ade20k'), overriding
   * the arch's schedule (`defaultGroupSchedule`). Default null.
   */
  groups: number[] | null;
  /** Xavier-normal init gain. Default 0.02. */
  initGain: number;
  /** Seed of the random init: the same seed builds the same weights. Default null (unseeded). */
  initSeed: number | null;
}

export const GROUPDNET_DEFAULTS: Omit<GroupDNetConfig, 'arch' | 'labelNc'> = {
  containDontcare: false,
  useInstance: false,
  normMode: 'groupSpade',
  paramFreeNorm: 'syncBatch',
  spectral: true,
  ngf: 64,
  numUpsamplingLayers: 'more',
  cropSize: 256,
  aspectRatio: 1,
  groups: null,
  initGain: 0.02,
  initSeed: null,
};

export type ConfigInput = Partial<GroupDNetConfig> & Pick<GroupDNetConfig, 'arch' | 'labelNc'>;

/** CLADE table rows: labelNc + dontcare. */
export function numClassesOf(c: Pick<GroupDNetConfig, 'labelNc' | 'containDontcare'>): number {
  return c.labelNc + (c.containDontcare ? 1 : 0);
}

/** Official semantic_nc S: the latent classes (8 z channels each) and the group unit. */
export function semanticNcOf(c: Pick<GroupDNetConfig, 'arch' | 'labelNc' | 'containDontcare' | 'useInstance'>): number {
  return numClassesOf(c) + (c.useInstance && c.arch !== 'cityscapes' ? 1 : 0);
}

/** Channels of the segmap the generator takes: classes + dontcare + edge. */
export function segmapNcOf(c: Pick<GroupDNetConfig, 'labelNc' | 'containDontcare' | 'useInstance'>): number {
  return numClassesOf(c) + (c.useInstance ? 1 : 0);
}

/** Channels GROUP_SPADE's mlp_shared sees: S, or 2S with Cityscapes' interleaved edges. */
export function normSegNcOf(c: GroupDNetConfig): number {
  const s = semanticNcOf(c);
  return c.arch === 'cityscapes' && c.useInstance ? 2 * s : s;
}

/** Block names in order; 'ade20k' adds up_4 (built officially; see `GroupDNetPlan.unusedBlocks`). */
export function blockNamesOf(arch: GroupDNetArch): string[] {
  return ['head_0', 'G_middle_0', 'G_middle_1', 'up_0', 'up_1', 'up_2', 'up_3', ...(arch === 'ade20k' ? ['up_4'] : [])];
}

/**
 * The official group schedule [fc, head_0, G_middle_0, G_middle_1, up_0 … up_3 (, up_4)]:
 * deepfashion 8, S, S, S/2, S/2, S/4, S/4, S/8 (fc fixed at 8); cityscapes S, S, S, 20, 14, 10, 4, 1;
 * ade20k S, S, 16, 16, 8, 4, 2, 1, 1.
 */
export function defaultGroupSchedule(c: Pick<GroupDNetConfig, 'arch' | 'labelNc' | 'containDontcare' | 'useInstance'>): number[] {
  const s = semanticNcOf(c);
  const f = Math.floor;
  if (c.arch === 'deepfashion') return [8, s, s, f(s / 2), f(s / 2), f(s / 4), f(s / 4), f(s / 8)];
  if (c.arch === 'cityscapes') return [s, s, s, 20, 14, 10, 4, 1];
  return [s, s, 16, 16, 8, 4, 2, 1, 1];
}

export function groupScheduleOf(c: GroupDNetConfig): number[] {
  return c.groups ?? defaultGroupSchedule(c);
}

export function numUpOf(u: GroupDNetUpsampling): number {
  return u === 'normal' ? 5 : 6;
}

/** Python 3's round(): halves go to the even neighbour (the official code computes sh with it). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Size of the first feature map and of z: sw = crop / 2^numUp, sh = round(sw / aspect). */
export function startSizeOf(c: Pick<GroupDNetConfig, 'cropSize' | 'aspectRatio' | 'numUpsamplingLayers'>): { sh: number; sw: number } {
  const sw = Math.floor(c.cropSize / 2 ** numUpOf(c.numUpsamplingLayers));
  return { sw, sh: roundHalfEven(sw / c.aspectRatio) };
}

const who = 'GroupDNet';

/**
 * Validates a partial config and fills in the defaults. Channel divisibility (every grouped conv's
 * widths by its groups) is checked by `groupdnetPlan`, which knows the widths.
 */
export function resolveGroupDNetConfig(partial: ConfigInput): GroupDNetConfig {
  const c: GroupDNetConfig = { ...GROUPDNET_DEFAULTS, ...partial };
  assertOneOf(c.arch, GROUPDNET_ARCHS, who, 'arch');
  for (const f of ['labelNc', 'ngf', 'cropSize'] as const) assertPositiveInt(c[f], who, f);
  assertOneOf(c.normMode, GROUPDNET_NORMS, who, 'normMode');
  assertOneOf(c.paramFreeNorm, PARAM_FREE_NORMS, who, 'paramFreeNorm');
  if ((c.numUpsamplingLayers as string) === 'most')
    throw new ConfigError(
      `${who}: numUpsamplingLayers must be one of ${GROUPDNET_UPSAMPLING.join(', ')}, ` +
        `got 'most' (the official 'most' appends an ungrouped SPADE block).`,
    );
  assertOneOf(c.numUpsamplingLayers, GROUPDNET_UPSAMPLING, who, 'numUpsamplingLayers');
  if (!(typeof c.aspectRatio === 'number' && c.aspectRatio > 0)) throw new ConfigError(`${who}: aspectRatio must be > 0, got ${String(c.aspectRatio)}.`);
  const names = ['fc', ...blockNamesOf(c.arch)];
  if (c.groups !== null) {
    if (!Array.isArray(c.groups) || c.groups.length !== names.length)
      throw new ConfigError(
        `${who}: groups must list ${names.length} group counts ` +
          `(${names.join(', ')}) for arch '${c.arch}', got ${JSON.stringify(c.groups)}.`,
      );
    c.groups.forEach((g, i) => assertPositiveInt(g, who, `groups[${i}] (${names[i]})`));
  } else {
    defaultGroupSchedule(c).forEach((g, i) => {
      if (g < 1)
        throw new ConfigError(
          `${who}: arch '${c.arch}' with ${semanticNcOf(c)} classes gives ${g} groups for ${names[i]} ` +
            `(the official schedule divides the class count); use at least 8 classes or set groups.`,
        );
    });
  }
  const { sh, sw } = startSizeOf(c);
  if (sw < 1 || sh < 1)
    throw new ConfigError(
      `${who}: cropSize must be ≥ ${2 ** numUpOf(c.numUpsamplingLayers)}·aspectRatio for '${c.numUpsamplingLayers}' ` +
        `upsampling, got cropSize ${c.cropSize} with aspectRatio ${c.aspectRatio} (first feature map ${sh}×${sw}).`,
    );
  return c;
}
