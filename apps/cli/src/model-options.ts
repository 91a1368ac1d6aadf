import { ConfigError } from '@clade/core';
import {
  DEFAULT_MAX_CROP_SIZE,
  NORM_MODES,
  PRESET_NAMES,
  UPSAMPLING_MODES,
  blockNamesOf,
  presetGeneratorConfig,
  presetInfo,
  type GeneratorConfig,
  type NormMode,
  type PresetName,
  type Upsampling,
} from '@clade/spade-gen';
import type { Command } from 'commander';
import { parsePositiveInt } from './run';

/** The generator-shaping flags shared by synthesize, convert and profile (strings as commander gives them). */
export interface ModelFlags {
  preset?: string;
  labelNc?: string;
  dontcare?: boolean;
  instanceEdges?: boolean;
  norm?: string;
  normPerBlock?: string;
  ngf?: string;
  cropSize?: string;
  aspectRatio?: string;
  upsampling?: string;
  vae?: boolean;
  zDim?: string;
  spadeHidden?: string;
  maxCropSize?: string;
}

/** CLI spelling of the norms: kebab-case on the command line, lowerCamel in configs. */
export const CLI_NORMS = ['spade', 'clade', 'clade-icpe'] as const;
const NORM_OF: Record<string, NormMode> = { spade: 'spade', clade: 'clade', 'clade-icpe': 'cladeIcpe' };
export const cliNormOf = (m: NormMode): string => CLI_NORMS[NORM_MODES.indexOf(m)]!;
/** What --norm also accepts: SPADE-light (paper Table IV) and SPADE in blocks 1..K, CLADE after (Table VI). */
export const CLI_NORM_SHORTHANDS = ['spade-light', 'mixed:K'] as const;
const NORM_FLAG_HELP =
  `normalization: ${CLI_NORMS.join(', ')} for every block; spade-light = SPADE at CLADE-like FLOPs (paper Table IV: ` +
  `ngf 8, Cityscapes 32; --ngf overrides); mixed:K = SPADE in blocks 1..K, CLADE after (Table VI; blocks 1-7 = ` +
  `head_0, G_middle_0, G_middle_1, up_0..up_3) (default: from the checkpoint, else spade)`;

/** Adds the shared generator options. `presetRequired`: whether --preset must be given. */
export function addModelOptions(cmd: Command, presetRequired: boolean): Command {
  const presetHelp = `dataset preset: ${PRESET_NAMES.join(', ')} (label mapping, label count, size, upsampling)`;
  if (presetRequired) cmd.requiredOption('--preset <name>', presetHelp);
  else cmd.option('--preset <name>', presetHelp);
  return cmd
    .option('--norm <mode>', NORM_FLAG_HELP)
    .option('--norm-per-block <list>', 'comma-separated norm per block, head_0 … up_3 (paper Table VI), e.g. spade,clade,clade,…')
    .option('--label-nc <n>', 'number of label classes (custom preset; default 13)')
    .option('--dontcare', 'custom preset: an extra dontcare channel (raw 255 maps to it)')
    .option('--instance-edges', 'the model has an instance-edge channel (default: the preset\'s)')
    .option('--no-instance-edges', 'the model has no instance-edge channel (trained with --no_instance)')
    .option('--ngf <n>', 'base width (default 64)')
    .option('--crop-size <n>', 'output width (default: the preset\'s, 256; Cityscapes 512)')
    .option('--aspect-ratio <r>', 'output width / height (default: the preset\'s, 1; Cityscapes 2)')
    .option('--upsampling <mode>', `upsampling layers: ${UPSAMPLING_MODES.join(', ')} (default: the preset's)`)
    .option('--vae', 'VAE generator: a z vector (--z, else N(0, I) from --seed) instead of the downsampled label')
    .option('--z-dim <n>', 'VAE latent size (default 256)')
    .option('--spade-hidden <n>', 'SPADE hidden width (default 128, hard-coded in the official SPADE; SPADE-light keeps it)')
    .option('--max-crop-size <n>', `the largest --crop-size accepted (default ${DEFAULT_MAX_CROP_SIZE}; memory grows with its square)`);
}


function positiveNumber(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n)) throw new ConfigError(`${flag} must be a positive number, got '${v}'.`);
  return n;
}

export function parseNorm(v: string, flag = '--norm'): NormMode {
  const m = NORM_OF[v];
  if (!m) throw new ConfigError(`${flag} must be one of ${CLI_NORMS.join(', ')}, got '${v}'.`);
  return m;
}

/**
 * The generator fields `--norm` sets: one norm for every block; 'spade-light' (SPADE with the
 * preset's Table IV width, `spadeLightConfig`; an explicit --ngf wins); or 'mixed:K' (SPADE in
 * blocks 1..K, CLADE after: `normPerBlock`, 8 entries with 'most' upsampling, up_4 CLADE).
 */
function normFlagOverrides(flags: ModelFlags): Partial<GeneratorConfig> {
  const v = flags.norm;
  if (v === undefined) return {};
  if (v === 'spade-light') {
    if (flags.ngf !== undefined) return { normMode: 'spade' };
    const light = flags.preset !== undefined && (PRESET_NAMES as readonly string[]).includes(flags.preset) ? presetInfo(flags.preset).spadeLight : null;
    if (!light)
      throw new ConfigError(
        `--norm spade-light takes its width from the preset (paper Table IV: ${PRESET_NAMES.filter((n) => presetInfo(n).spadeLight).join(', ')}); ` +
          `got ${flags.preset === undefined ? 'no --preset' : `--preset ${flags.preset}`}: pass one of those or --ngf.`,
      );
    return { normMode: 'spade', ngf: light.ngf };
  }
  const mixed = /^mixed:(.*)$/.exec(v);
  if (mixed) {
    const blocks = blockNamesOf(flags.upsampling === 'most' ? 'most' : 'normal');
    const k = Number(mixed[1]);
    if (mixed[1] === '' || !Number.isInteger(k) || k < 0 || k > blocks.length)
      throw new ConfigError(`--norm mixed:K needs an integer K from 0 (all CLADE) to ${blocks.length} (all SPADE), got '${v}'.`);
    return { normPerBlock: blocks.map((_, i): NormMode => (i < k ? 'spade' : 'clade')) };
  }
  const m = NORM_OF[v];
  if (!m) throw new ConfigError(`--norm must be one of ${[...CLI_NORMS, ...CLI_NORM_SHORTHANDS].join(', ')}, got '${v}'.`);
  return { normMode: m };
}

/** The preset name, checked. */
export function parsePreset(v: string | undefined, fallback?: PresetName): PresetName {
  if (v === undefined) {
    if (fallback) return fallback;
    throw new ConfigError(`--preset is required: one of ${PRESET_NAMES.join(', ')}.`);
  }
  if (!(PRESET_NAMES as readonly string[]).includes(v))
    throw new ConfigError(`--preset must be one of ${PRESET_NAMES.join(', ')}, got '${v}'.`);
  return presetInfo(v).name;
}

/** The flag that sets each generator field. */
export const FLAG_OF: Record<string, string> = {
  labelNc: '--label-nc',
  containDontcare: '--dontcare',
  useInstance: '--instance-edges',
  normMode: '--norm',
  normPerBlock: '--norm-per-block',
  ngf: '--ngf',
  cropSize: '--crop-size',
  aspectRatio: '--aspect-ratio',
  numUpsamplingLayers: '--upsampling',
  useVae: '--vae',
  zDim: '--z-dim',
  spadeHiddenNc: '--spade-hidden',
};

/** The generator fields the user set explicitly (undefined = not given). */
export function explicitOverrides(flags: ModelFlags): Partial<GeneratorConfig> {
  const upsampling = flags.upsampling;
  if (upsampling !== undefined && !(UPSAMPLING_MODES as readonly string[]).includes(upsampling))
    throw new ConfigError(`--upsampling must be one of ${UPSAMPLING_MODES.join(', ')}, got '${upsampling}'.`);
  if (flags.norm !== undefined && flags.normPerBlock !== undefined)
    throw new ConfigError('--norm and --norm-per-block exclude each other; give one.');
  const normPerBlock = flags.normPerBlock?.split(',').map((s, i) => parseNorm(s.trim(), `--norm-per-block[${i}]`));
  const norm = normFlagOverrides(flags);
  const o: Partial<GeneratorConfig> = {
    labelNc: parsePositiveInt(flags.labelNc, '--label-nc'),
    containDontcare: flags.dontcare,
    useInstance: flags.instanceEdges,
    normMode: norm.normMode,
    normPerBlock: normPerBlock ?? norm.normPerBlock,
    ngf: parsePositiveInt(flags.ngf, '--ngf') ?? norm.ngf,
    cropSize: parsePositiveInt(flags.cropSize, '--crop-size'),
    aspectRatio: positiveNumber(flags.aspectRatio, '--aspect-ratio'),
    numUpsamplingLayers: upsampling as Upsampling | undefined,
    useVae: flags.vae,
    zDim: parsePositiveInt(flags.zDim, '--z-dim'),
    spadeHiddenNc: parsePositiveInt(flags.spadeHidden, '--spade-hidden'),
  };
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<GeneratorConfig>;
}

/** The full generator config: preset defaults, then `inferred` (from a checkpoint), then the explicit flags. */
export function modelConfigFromFlags(
  flags: ModelFlags,
  inferred: Partial<GeneratorConfig> = {},
): { preset: PresetName; config: GeneratorConfig } {
  const preset = parsePreset(flags.preset);
  const explicit = explicitOverrides(flags);
  const merged: Partial<GeneratorConfig> = { ...inferred, ...explicit };
  // An explicit --norm replaces an inferred per-block list, and vice versa.
  if (explicit.normMode) merged.normPerBlock = null;
  if (explicit.normPerBlock) delete merged.normMode;
  const config = presetGeneratorConfig(preset, merged);
  const max = parsePositiveInt(flags.maxCropSize, '--max-crop-size') ?? DEFAULT_MAX_CROP_SIZE;
  if (config.cropSize > max)
    throw new ConfigError(
      `--crop-size ${config.cropSize} is over the limit of ${max} (an output of ` +
        `${config.cropSize}×${Math.round(config.cropSize / config.aspectRatio)} pixels; memory ` +
        `grows with its square); raise the limit with --max-crop-size if you mean it.`,
    );
  return { preset, config };
}

/** One line describing a config, for logs and error messages. */
export function describeConfig(preset: string, c: GeneratorConfig): string {
  const norm = c.normPerBlock ? c.normPerBlock.map(cliNormOf).join(',') : cliNormOf(c.normMode);
  return (
    `${preset} ${norm} (labelNc ${c.labelNc}${c.containDontcare ? '+dontcare' : ''}${c.useInstance ? '+edges' : ''}, ` +
    `ngf ${c.ngf}, crop ${c.cropSize}, aspect ${c.aspectRatio}, ${c.numUpsamplingLayers}${c.useVae ? `, vae z${c.zDim}` : ''})`
  );
}
