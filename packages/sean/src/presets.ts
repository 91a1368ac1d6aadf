import { ConfigError } from '@clade/core';
import { resolveSeanConfig, type ClassBranch, type SeanConfig } from './config';
import { SeanGenerator } from './generator';

export const SEAN_PRESET_NAMES = ['celebamask-hq', 'deepfashion', 'cityscapes'] as const;
export type SeanPresetName = (typeof SEAN_PRESET_NAMES)[number];

/** A figure of the CLADE paper's Table VIII. */
export interface SeanPaperFigure {
  paramsM: number;
  flopsG: number;
}

/** What a dataset fixes about a SEAN generator. */
export interface SeanPreset {
  name: SeanPresetName;
  title: string;
  /** The generator fields the dataset decides. */
  generator: Pick<SeanConfig, 'labelNc' | 'containDontcare' | 'cropSize' | 'aspectRatio' | 'numUpsamplingLayers'>;
  /** The official options this preset reproduces. */
  officialOptions: string;
  /** CLADE paper Table VIII (ngf 64). */
  paper: Record<ClassBranch, SeanPaperFigure>;
}

/**
 * The official training settings per dataset. CelebAMask-HQ is SEAN's README command
 * (`--dataset_mode custom --label_nc 19 --no_instance --load_size 256 --crop_size 256`: 19
 * channels, no dontcare, 'normal'). SEAN ships no commands for the others; these follow the
 * datasets' SPADE/SMIS settings and match Table VIII's counts: Cityscapes 35 classes without
 * the instance channel at 512×256 with 'more' upsampling; DeepFashion 8 classes at 256×256 with
 * SEAN's default 'normal' upsampling (GroupDNet uses 'more' there; upsampling changes no
 * parameter, and 'normal' is what reproduces the paper's 342.9 G).
 */
export const SEAN_PRESETS: Readonly<Record<SeanPresetName, SeanPreset>> = {
  'celebamask-hq': {
    name: 'celebamask-hq',
    title: 'CelebAMask-HQ',
    generator: { labelNc: 19, containDontcare: false, cropSize: 256, aspectRatio: 1, numUpsamplingLayers: 'normal' },
    officialOptions: '--dataset_mode custom --label_nc 19 --no_instance --load_size 256 --crop_size 256',
    paper: { spade: { paramsM: 266.9, flopsG: 420.8 }, clade: { paramsM: 241.3, flopsG: 247.1 } },
  },
  deepfashion: {
    name: 'deepfashion',
    title: 'DeepFashion',
    generator: { labelNc: 8, containDontcare: false, cropSize: 256, aspectRatio: 1, numUpsamplingLayers: 'normal' },
    officialOptions: '--label_nc 8 --no_instance --load_size 256 --crop_size 256',
    paper: { spade: { paramsM: 223.2, flopsG: 342.9 }, clade: { paramsM: 197.8, flopsG: 247.1 } },
  },
  cityscapes: {
    name: 'cityscapes',
    title: 'Cityscapes',
    generator: { labelNc: 35, containDontcare: false, cropSize: 512, aspectRatio: 2, numUpsamplingLayers: 'more' },
    officialOptions: '--dataset_mode cityscapes --no_instance --crop_size 512 --aspect_ratio 2 --num_upsampling_layers more',
    paper: { spade: { paramsM: 330.4, flopsG: 681.8 }, clade: { paramsM: 304.5, flopsG: 476.1 } },
  },
};

/** The preset, or one ConfigError naming the supported ones. */
export function seanPreset(name: string): SeanPreset {
  if (!(SEAN_PRESET_NAMES as readonly string[]).includes(name))
    throw new ConfigError(`sean: preset must be one of ${SEAN_PRESET_NAMES.join(', ')}, got '${name}'.`);
  return SEAN_PRESETS[name as SeanPresetName];
}

/** A full, validated config: the preset's dataset fields, then the overrides (e.g. classBranch, ngf). */
export function seanPresetConfig(name: string, overrides: Partial<SeanConfig> = {}): SeanConfig {
  return resolveSeanConfig({ ...seanPreset(name).generator, ...overrides });
}

/** A fresh (randomly initialised) generator for a preset; load weights into `.model` afterwards. */
export function buildSeanGenerator(name: string, overrides: Partial<SeanConfig> = {}): SeanGenerator {
  return new SeanGenerator(seanPresetConfig(name, overrides));
}

/** Table VIII's figure when `config` is the one it measured (the preset at ngf 64), else null. */
export function seanPaperFigureOf(name: string, config: SeanConfig): SeanPaperFigure | null {
  const preset = seanPreset(name);
  const g = preset.generator;
  const same =
    config.ngf === 64 && config.spadeHiddenNc === 128 && config.labelNc === g.labelNc && config.containDontcare === g.containDontcare &&
    config.cropSize === g.cropSize && config.aspectRatio === g.aspectRatio && config.numUpsamplingLayers === g.numUpsamplingLayers;
  return same ? preset.paper[config.classBranch] : null;
}
