import { ConfigError, PARAM_FREE_NORMS, type ParamFreeNorm } from '@clade/core';
import { assertOneOf, assertPositiveInt } from '@clade/core/internal';

/** Normalization of one residual block. */
export const NORM_MODES = ['spade', 'clade', 'cladeIcpe'] as const;
export type NormMode = (typeof NORM_MODES)[number];

export const UPSAMPLING_MODES = ['normal', 'more', 'most'] as const;
export type Upsampling = (typeof UPSAMPLING_MODES)[number];

/** Everything that shapes a SPADE/CLADE generator. Defaults are the official ones. */
export interface GeneratorConfig {
  /** Dataset classes (ADE20K 150, COCO-Stuff 182, Cityscapes 35). Required. */
  labelNc: number;
  /** One extra "dontcare" class channel. Default false. */
  containDontcare: boolean;
  /** Instance-edge channel last in the segmap. Default false. */
  useInstance: boolean;
  /** Norm of every block; see normPerBlock to mix. Default 'spade'. */
  normMode: NormMode;
  /** Per-block norm (head_0, G_middle_0, G_middle_1, up_0 … ), overriding normMode (paper Table VI). */
  normPerBlock: NormMode[] | null;
  /** Default 'syncBatch' (official norm_G spectralspadesyncbatch3x3). */
  paramFreeNorm: ParamFreeNorm;
  /** Spectral norm on the blocks' conv_0/conv_1/conv_s. Default true. */
  spectral: boolean;
  /** Base width. Default 64. */
  ngf: number;
  /** Hidden width of SPADE's shared conv. Default 128. SPADE-light reduces it. */
  spadeHiddenNc: number;
  /** Default 'normal' (5 upsamplings); 'more' 6, 'most' 7. */
  numUpsamplingLayers: Upsampling;
  /** Output width. Default 256. */
  cropSize: number;
  /** W / H. Default 1. */
  aspectRatio: number;
  /** z → linear input instead of the downsampled segmap. Default false. */
  useVae: boolean;
  /** Default 256. */
  zDim: number;
  /** Xavier-normal init gain. Default 0.02. */
  initGain: number;
  /** Seed of the random init: the same seed builds the same weights. Default null (unseeded). */
  initSeed: number | null;
}

export const GENERATOR_DEFAULTS: Omit<GeneratorConfig, 'labelNc'> = {
  containDontcare: false,
  useInstance: false,
  normMode: 'spade',
  normPerBlock: null,
  paramFreeNorm: 'syncBatch',
  spectral: true,
  ngf: 64,
  spadeHiddenNc: 128,
  numUpsamplingLayers: 'normal',
  cropSize: 256,
  aspectRatio: 1,
  useVae: false,
  zDim: 256,
  initGain: 0.02,
  initSeed: null,
};

/** Classes of the CLADE tables: labelNc + dontcare. */
export function numClassesOf(c: Pick<GeneratorConfig, 'labelNc' | 'containDontcare'>): number {
  return c.labelNc + (c.containDontcare ? 1 : 0);
}

/** Channels of the segmap: classes + dontcare + edge. The one place this is derived. */
export function semanticNcOf(c: Pick<GeneratorConfig, 'labelNc' | 'containDontcare' | 'useInstance'>): number {
  return numClassesOf(c) + (c.useInstance ? 1 : 0);
}

export function numUpOf(u: Upsampling): number {
  return { normal: 5, more: 6, most: 7 }[u];
}

/** Python 3's round(): halves go to the even neighbour (the official code computes sh with it). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Size of the first feature map: sw = crop / 2^numUp, sh = round(sw / aspect). */
export function startSizeOf(c: Pick<GeneratorConfig, 'cropSize' | 'aspectRatio' | 'numUpsamplingLayers'>): { sh: number; sw: number } {
  const sw = Math.floor(c.cropSize / 2 ** numUpOf(c.numUpsamplingLayers));
  return { sw, sh: roundHalfEven(sw / c.aspectRatio) };
}

/** Block names in order: head_0, G_middle_0, G_middle_1, up_0..up_3 (+ up_4 for 'most'). */
export function blockNamesOf(u: Upsampling): string[] {
  return ['head_0', 'G_middle_0', 'G_middle_1', 'up_0', 'up_1', 'up_2', 'up_3', ...(u === 'most' ? ['up_4'] : [])];
}

/**
 * The largest output width a command accepts unless told otherwise (CLI `--max-crop-size`): 4× the
 * largest official model (Cityscapes, 512). Activations grow with its square (at 2048² one
 * 128-channel SPADE map is 2 GB), so a typo such as 65536 would allocate until memory runs out.
 */
export const DEFAULT_MAX_CROP_SIZE = 2048;

/** Validates a partial config and fills in the defaults. */
export function resolveGeneratorConfig(partial: Partial<GeneratorConfig> & { labelNc: number }): GeneratorConfig {
  const c: GeneratorConfig = { ...GENERATOR_DEFAULTS, ...partial };
  for (const f of ['labelNc', 'ngf', 'spadeHiddenNc', 'cropSize', 'zDim'] as const) assertPositiveInt(c[f], 'generator', f);
  assertOneOf(c.normMode, NORM_MODES, 'generator', 'normMode');
  assertOneOf(c.numUpsamplingLayers, UPSAMPLING_MODES, 'generator', 'numUpsamplingLayers');
  assertOneOf(c.paramFreeNorm, PARAM_FREE_NORMS, 'generator', 'paramFreeNorm');
  if (!(c.aspectRatio > 0)) throw new ConfigError(`generator: aspectRatio must be > 0, got ${c.aspectRatio}.`);
  const blocks = blockNamesOf(c.numUpsamplingLayers);
  if (c.normPerBlock) {
    if (c.normPerBlock.length !== blocks.length)
      throw new ConfigError(`generator: normPerBlock must list ${blocks.length} norms (${blocks.join(', ')}), got ${c.normPerBlock.length}.`);
    c.normPerBlock.forEach((m, i) => assertOneOf(m, NORM_MODES, 'generator', `normPerBlock[${i}]`));
  }
  const { sh, sw } = startSizeOf(c);
  if (sw < 1 || sh < 1)
    throw new ConfigError(
      `generator: cropSize ${c.cropSize} with aspectRatio ${c.aspectRatio} gives a ${sh}×${sw} first feature map for ` +
        `'${c.numUpsamplingLayers}' upsampling; cropSize must be ≥ ${2 ** numUpOf(c.numUpsamplingLayers)}·aspectRatio.`,
    );
  return c;
}

/** The norm of every block, in block order. */
export function blockNormsOf(c: GeneratorConfig): NormMode[] {
  return c.normPerBlock ?? blockNamesOf(c.numUpsamplingLayers).map(() => c.normMode);
}
