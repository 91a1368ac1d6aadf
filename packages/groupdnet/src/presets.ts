import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '@clade/core';
import { resolveGroupDNetConfig, type GroupDNetConfig } from './config';
import { groupdnetCost, type Split } from './cost';
import { GroupDNetGenerator } from './generator';

/**
 * Datasets with an official GroupDNet training command (Seanseattle/SMIS scripts/*.sh). The paper's
 * CelebAMask-HQ row (Table VIII of the CLADE paper) has no configuration in the official code.
 */
export const GROUPDNET_PRESET_NAMES = ['deepfashion', 'cityscapes', 'ade20k'] as const;
export type GroupDNetPresetName = (typeof GROUPDNET_PRESET_NAMES)[number];

/** The CLI's model names: the official GroupDNet, and GroupDNet-CLADE (see `GroupDNetConfig.normMode`). */
export const GROUPDNET_MODELS = ['groupdnet', 'groupdnet-clade'] as const;
export type GroupDNetModel = (typeof GROUPDNET_MODELS)[number];

/** A row of the CLADE paper's Table VIII (parameters M, FLOPs G). */
export interface GroupDNetPaperFigure {
  paramsM: number;
  flopsG: number;
}

export interface GroupDNetPreset {
  name: GroupDNetPresetName;
  title: string;
  /** The generator the official training command builds (`--netG`, `--dataset_mode`, `--ngf`, dataset defaults). */
  generator: Pick<GroupDNetConfig, 'arch' | 'labelNc' | 'containDontcare' | 'useInstance' | 'ngf' | 'cropSize' | 'aspectRatio' | 'numUpsamplingLayers'>;
  /** Paper Table VIII where it reports the dataset. */
  paper: Partial<Record<GroupDNetModel, GroupDNetPaperFigure>>;
}

export const GROUPDNET_PRESETS: Readonly<Record<GroupDNetPresetName, GroupDNetPreset>> = {
  // --dataset_mode deepfashion --no_instance --ngf 160 --netG deepfashion (label_nc 8, crop 256, 'more').
  deepfashion: {
    name: 'deepfashion',
    title: 'DeepFashion',
    generator: {
      arch: 'deepfashion', labelNc: 8, containDontcare: false, useInstance: false, ngf: 160, cropSize: 256,
      aspectRatio: 1, numUpsamplingLayers: 'more',
    },
    paper: { groupdnet: { paramsM: 96.3, flopsG: 291.6 }, 'groupdnet-clade': { paramsM: 79.2, flopsG: 118.5 } },
  },
  // --dataset_mode cityscapes --ngf 280 --netG Cityscapes (label_nc 35 + instance edges, crop 512, aspect 2, 'more').
  cityscapes: {
    name: 'cityscapes',
    title: 'Cityscapes',
    generator: {
      arch: 'cityscapes', labelNc: 35, containDontcare: false, useInstance: true, ngf: 280, cropSize: 512,
      aspectRatio: 2, numUpsamplingLayers: 'more',
    },
    paper: { groupdnet: { paramsM: 76.5, flopsG: 463.6 }, 'groupdnet-clade': { paramsM: 57.7, flopsG: 434.6 } },
  },
  // --dataset_mode ade20k --no_instance --ngf 64 --netG ADE20K (label_nc 150 + dontcare, crop 256, 'more').
  ade20k: {
    name: 'ade20k',
    title: 'ADE20K',
    generator: {
      arch: 'ade20k', labelNc: 150, containDontcare: true, useInstance: false, ngf: 64, cropSize: 256, aspectRatio: 1,
      numUpsamplingLayers: 'more',
    },
    paper: {},
  },
};

export function groupdnetPresetInfo(name: string): GroupDNetPreset {
  if (!(GROUPDNET_PRESET_NAMES as readonly string[]).includes(name))
    throw new ConfigError(
      `GroupDNet: preset must be one of ${GROUPDNET_PRESET_NAMES.join(', ')}, got ` +
        `'${name}'${name === 'celebamask-hq' ? ' (the official GroupDNet code has no CelebAMask-HQ configuration)' : ''}.`,
    );
  return GROUPDNET_PRESETS[name as GroupDNetPresetName];
}

function modelNorm(model: string): GroupDNetConfig['normMode'] {
  if (!(GROUPDNET_MODELS as readonly string[]).includes(model))
    throw new ConfigError(`GroupDNet: model must be one of ${GROUPDNET_MODELS.join(', ')}, got '${model}'.`);
  return model === 'groupdnet-clade' ? 'clade' : 'groupSpade';
}

/** Fields a preset fixes: another value would be another dataset or generator. */
const FIXED = ['arch', 'labelNc', 'containDontcare'] as const;

/**
 * The config of `model` ('groupdnet' | 'groupdnet-clade') on preset `name`, with `overrides`
 * (ngf, size, groups, useInstance, paramFreeNorm, spectral, initSeed, …) applied and validated.
 * `overrides.normMode`, if given, must agree with `model`.
 */
export function groupdnetPresetConfig(name: string, overrides: Partial<GroupDNetConfig> = {}, model: string = 'groupdnet'): GroupDNetConfig {
  const p = groupdnetPresetInfo(name);
  const normMode = modelNorm(model);
  for (const k of FIXED)
    if (overrides[k] !== undefined && overrides[k] !== p.generator[k])
      throw new ConfigError(`GroupDNet: preset '${p.name}' fixes ${k} = ${String(p.generator[k])}, got ${String(overrides[k])}.`);
  if (overrides.normMode !== undefined && overrides.normMode !== normMode)
    throw new ConfigError(`GroupDNet: normMode must be '${normMode}' for model '${model}', got '${overrides.normMode}'.`);
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as Partial<GroupDNetConfig>;
  return resolveGroupDNetConfig({ ...p.generator, ...defined, normMode });
}

/** A freshly initialised generator for `model` on preset `name` (see `groupdnetPresetConfig`). */
export function createGroupDNet(name: string, overrides: Partial<GroupDNetConfig> = {}, model: string = 'groupdnet'): GroupDNetGenerator {
  return new GroupDNetGenerator(groupdnetPresetConfig(name, overrides, model));
}

/** What `clade profile --model groupdnet|groupdnet-clade --preset …` reports. */
export interface GroupDNetProfile {
  model: GroupDNetModel;
  preset: GroupDNetPresetName;
  config: GroupDNetConfig;
  params: Split;
  /** thop-style MACs, the papers' "FLOPs" (see `GroupDNetCost`). */
  flops: Split;
  /** Table VIII of the CLADE paper, when the config is exactly the preset's (null otherwise). */
  paper: GroupDNetPaperFigure | null;
}

/** Cost of `model` on preset `name` (no weights are built), next to the paper's figure. */
export function groupdnetProfile(model: string, name: string, overrides: Partial<GroupDNetConfig> = {}): GroupDNetProfile {
  const config = groupdnetPresetConfig(name, overrides, model);
  const p = groupdnetPresetInfo(name);
  const cost = groupdnetCost(config);
  const g = p.generator;
  const asPaper =
    config.ngf === g.ngf && config.useInstance === g.useInstance && config.cropSize === g.cropSize && config.aspectRatio === g.aspectRatio &&
    config.numUpsamplingLayers === g.numUpsamplingLayers && config.groups === null;
  return {
    model: model as GroupDNetModel,
    preset: p.name,
    config,
    params: cost.params,
    flops: cost.flops,
    paper: asPaper ? (p.paper[model as GroupDNetModel] ?? null) : null,
  };
}

export interface SynthesizeOptions {
  /** Latent [N,sh,sw,8·S]; sampled when absent. Not disposed. */
  z?: tf.Tensor4D;
  /** Seed of the sampled z. */
  seed?: number;
}

/**
 * Eval-mode forward: the image [N,H,W,3] in [−1, 1] and the z that made it (the caller owns both;
 * keep z to resample one class with `resampleClass` and synthesize again).
 */
export function synthesize(generator: GroupDNetGenerator, seg: tf.Tensor4D, opts: SynthesizeOptions = {}): { image: tf.Tensor4D; z: tf.Tensor4D } {
  const { sh, sw, latentNc } = generator.plan;
  const z = opts.z ?? (tf.randomNormal([seg.shape[0], sh, sw, latentNc], 0, 1, 'float32', opts.seed) as tf.Tensor4D);
  try {
    return { image: generator.apply({ seg, z }), z: opts.z ? tf.clone(opts.z) : z };
  } catch (e) {
    if (!opts.z) z.dispose();
    throw e;
  }
}
