import { ConfigError } from '@clade/core';
import { GROUPDNET_MODELS, GROUPDNET_PRESET_NAMES, groupdnetProfile } from '@clade/groupdnet';
import { SEAN_PRESET_NAMES, seanCost, seanPaperFigureOf, seanPresetConfig } from '@clade/sean';
import type { ModelFlags } from './model-options';
import { parsePositiveInt } from './run';

/**
 * `--model`: the generator family. 'spade' is the SPADE/CLADE generator (its norm picked by
 * --norm); the others are the SPADE-based methods of the CLADE paper's Table VIII, each in its
 * original and its CLADE form.
 */
export const MODEL_NAMES = ['spade', 'sean', 'sean-clade', 'groupdnet', 'groupdnet-clade'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export function parseModel(v: string | undefined): ModelName {
  if (v === undefined) return 'spade';
  if (!(MODEL_NAMES as readonly string[]).includes(v)) throw new ConfigError(`--model must be one of ${MODEL_NAMES.join(', ')}, got '${v}'.`);
  return v as ModelName;
}

/** The presets each family has (built like the official training commands). */
export function presetsOf(model: Exclude<ModelName, 'spade'>): readonly string[] {
  return model.startsWith('sean') ? SEAN_PRESET_NAMES : GROUPDNET_PRESET_NAMES;
}

/** Params and FLOPs of a SEAN / GroupDNet generator (`clade profile --model …`). */
export interface FamilyProfile {
  model: ModelName;
  preset: string;
  generator: unknown;
  /** `total` plus the family's own split (backbone, norm, encoder…). */
  params: Record<string, number> & { total: number };
  /** thop-style MACs (the papers' FLOPs). */
  flops: Record<string, number> & { total: number };
  paper: { source: string; paramsM: number; flopsG: number } | null;
}


/** Flags that shape only the SPADE/CLADE generator: refused with another --model. */
const SPADE_ONLY: Array<[keyof ModelFlags, string]> = [
  ['norm', '--norm'],
  ['normPerBlock', '--norm-per-block'],
  ['vae', '--vae'],
  ['zDim', '--z-dim'],
  ['spadeHidden', '--spade-hidden'],
  ['upsampling', '--upsampling'],
  ['labelNc', '--label-nc'],
];

export function familyProfile(model: Exclude<ModelName, 'spade'>, flags: ModelFlags): FamilyProfile {
  for (const [key, flag] of SPADE_ONLY)
    if (flags[key] !== undefined)
      throw new ConfigError(
        `${flag} shapes the SPADE/CLADE generator (--model spade); --model ${model} is fixed by its preset (only --ngf and --crop-size apply).`,
      );
  const presets = presetsOf(model);
  if (flags.preset === undefined || !presets.includes(flags.preset))
    throw new ConfigError(`--model ${model} needs --preset one of ${presets.join(', ')}, got ${flags.preset === undefined ? 'none' : `'${flags.preset}'`}.`);
  const overrides = {
    ...(flags.ngf !== undefined && { ngf: parsePositiveInt(flags.ngf, '--ngf') }),
    ...(flags.cropSize !== undefined && { cropSize: parsePositiveInt(flags.cropSize, '--crop-size') }),
  };
  if (model === 'sean' || model === 'sean-clade') {
    const config = seanPresetConfig(flags.preset, { ...overrides, classBranch: model === 'sean' ? 'spade' : 'clade' });
    const cost = seanCost(config);
    const paper = seanPaperFigureOf(flags.preset, config);
    return {
      model,
      preset: flags.preset,
      generator: config,
      params: { ...cost.params },
      flops: { ...cost.flops, total: cost.thopFlops, projectConvention: cost.flops.total },
      paper: paper ? { source: 'CLADE paper, Table VIII', ...paper } : null,
    };
  }
  if (!(GROUPDNET_MODELS as readonly string[]).includes(model)) throw new ConfigError(`unknown model '${model}'.`);
  const p = groupdnetProfile(model, flags.preset, overrides);
  return {
    model,
    preset: flags.preset,
    generator: p.config,
    params: { ...p.params },
    flops: { ...p.flops },
    paper: p.paper ? { source: 'CLADE paper, Table VIII', ...p.paper } : null,
  };
}
