import { ConfigError, PARAM_FREE_NORMS, type ParamFreeNorm } from '@clade/core';
import { assertOneOf, assertPositiveInt } from '@clade/core/internal';
import { resolveGeneratorConfig, type GeneratorConfig } from '@clade/spade-gen';

/** Width of a style code and of the ACE style map (fixed at 512 in the official code; the default). */
export const STYLE_LENGTH = 512;

/**
 * The class-conditioned branch that ACE blends with the style branch: 'spade' (SEAN, the
 * official code) or 'clade' (SEAN-CLADE, paper Table VIII; our wiring, see ACEArgs.classBranch).
 */
export const CLASS_BRANCHES = ['spade', 'clade'] as const;
export type ClassBranch = (typeof CLASS_BRANCHES)[number];

/**
 * 'normal' (5 upsamplings) and 'more' (6). The official SEAN generator builds up_4 for 'most' but
 * never runs it, and then feeds ngf channels to a conv_img built for ngf/2: it cannot run, so
 * we refuse it.
 */
export const SEAN_UPSAMPLING_MODES = ['normal', 'more'] as const;
export type SeanUpsampling = (typeof SEAN_UPSAMPLING_MODES)[number];

/** Everything that shapes a SEAN / SEAN-CLADE generator. Defaults are the official ones. */
export interface SeanConfig {
  /** Dataset classes (CelebAMask-HQ 19, DeepFashion 8, Cityscapes 35). Required. */
  labelNc: number;
  /** One extra "dontcare" class channel. Default false (SEAN's custom dataset mode). */
  containDontcare: boolean;
  /** 'spade' (SEAN) or 'clade' (SEAN-CLADE). Default 'spade'. */
  classBranch: ClassBranch;
  /**
   * Param-free norm of every ACE. Default 'syncBatch': the official ACE hard-codes
   * spadesyncbatch3x3 whatever norm_G says. 'instance' is our addition (no running statistics).
   */
  paramFreeNorm: ParamFreeNorm;
  /** Spectral norm on the blocks' conv_0/conv_1/conv_s. Default true (norm_G 'spectral…'). */
  spectral: boolean;
  /** Base width. Default 64. */
  ngf: number;
  /** Hidden width of the SPADE branch. Default 128 (hard-coded in the official code). */
  spadeHiddenNc: number;
  /**
   * Width of the style codes, the Zencoder's output and the ACE style maps. Default 512 (fixed in
   * the official code). Smaller widths make small experiments affordable: each style ACE holds
   * K projections of styleLength² weights.
   */
  styleLength: number;
  /** Default 'normal'; Cityscapes uses 'more'. */
  numUpsamplingLayers: SeanUpsampling;
  /** Output width. Default 256. */
  cropSize: number;
  /** W / H. Default 1. */
  aspectRatio: number;
  /** Xavier-normal init gain of convs and linears. Default 0.02 (official init_variance). */
  initGain: number;
  /** Seed of the random init: the same seed builds the same weights. Default null (unseeded). */
  initSeed: number | null;
}

export const SEAN_DEFAULTS: Omit<SeanConfig, 'labelNc'> = {
  containDontcare: false,
  classBranch: 'spade',
  paramFreeNorm: 'syncBatch',
  spectral: true,
  ngf: 64,
  spadeHiddenNc: 128,
  styleLength: STYLE_LENGTH,
  numUpsamplingLayers: 'normal',
  cropSize: 256,
  aspectRatio: 1,
  initGain: 0.02,
  initSeed: null,
};

/** Fields a SeanConfig may have (anything else is a typo we report). */
const FIELDS = ['labelNc', ...Object.keys(SEAN_DEFAULTS)];

/**
 * Classes = segmap channels = style codes per image = per-class projections fc_mu{j} per ACE.
 * The official code hard-codes 19 projections (CelebAMask-HQ); we make one per class, so other
 * label sets work (Cityscapes needs 35; its paper count, 330.4 M, implies the same).
 */
export function numClassesOf(c: Pick<SeanConfig, 'labelNc' | 'containDontcare'>): number {
  return c.labelNc + (c.containDontcare ? 1 : 0);
}

/** A rejected value in a message: strings quoted, anything else as JSON. */
const shown = (value: unknown): string => (typeof value === 'string' ? `'${value}'` : JSON.stringify(value));

function fail(field: string, rule: string, value: unknown): never {
  throw new ConfigError(`sean: ${field} must be ${rule}, got ${shown(value)}.`);
}

/** Validates a partial config and fills in the defaults; one ConfigError names the field. */
export function resolveSeanConfig(partial: Partial<SeanConfig> & { labelNc: number }): SeanConfig {
  if (partial === null || typeof partial !== 'object') fail('config', 'an object with labelNc', partial);
  for (const k of Object.keys(partial))
    if (!FIELDS.includes(k)) throw new ConfigError(`sean: unknown config field '${k}'. Supported: ${FIELDS.join(', ')}.`);
  const c: SeanConfig = { ...SEAN_DEFAULTS, ...partial };
  for (const f of ['labelNc', 'ngf', 'spadeHiddenNc', 'styleLength', 'cropSize'] as const) assertPositiveInt(c[f], 'sean', f, shown);
  assertOneOf(c.classBranch, CLASS_BRANCHES, 'sean', 'classBranch', shown);
  assertOneOf(c.paramFreeNorm, PARAM_FREE_NORMS, 'sean', 'paramFreeNorm', shown);
  assertOneOf(c.numUpsamplingLayers, SEAN_UPSAMPLING_MODES, 'sean', 'numUpsamplingLayers', shown);
  if (typeof c.containDontcare !== 'boolean') fail('containDontcare', 'true or false', c.containDontcare);
  if (typeof c.spectral !== 'boolean') fail('spectral', 'true or false', c.spectral);
  if (!(typeof c.aspectRatio === 'number' && c.aspectRatio > 0 && Number.isFinite(c.aspectRatio))) fail('aspectRatio', 'a number > 0', c.aspectRatio);
  if (!(typeof c.initGain === 'number' && c.initGain > 0)) fail('initGain', 'a number > 0', c.initGain);
  if (c.initSeed !== null && !Number.isInteger(c.initSeed)) fail('initSeed', 'an integer or null', c.initSeed);
  backboneConfigOf(c); // the block layout's own checks (first feature map at least 1×1)
  return c;
}

/**
 * The equivalent SPADE generator config: SEAN keeps SPADE's block layout (widths, resolutions,
 * upsampling points), so @clade/spade-gen's generatorPlan describes it.
 */
export function backboneConfigOf(c: SeanConfig): GeneratorConfig {
  try {
    return resolveGeneratorConfig({
      labelNc: c.labelNc,
      containDontcare: c.containDontcare,
      useInstance: false,
      normMode: 'spade',
      paramFreeNorm: c.paramFreeNorm,
      spectral: c.spectral,
      ngf: c.ngf,
      spadeHiddenNc: c.spadeHiddenNc,
      numUpsamplingLayers: c.numUpsamplingLayers,
      cropSize: c.cropSize,
      aspectRatio: c.aspectRatio,
      initGain: c.initGain,
      initSeed: c.initSeed,
    });
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(e.message.replace(/^generator:/, 'sean:'));
    throw e;
  }
}
