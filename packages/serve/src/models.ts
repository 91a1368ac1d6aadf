import { stat } from 'node:fs/promises';
import { IOError } from '@clade/core';
import { ADE20K_PALETTE, CITYSCAPES_PALETTE, type ColorPalette } from '@clade/data';
import { modelInputSize, type CladeModelJson } from '@clade/runtime';
import { readCladeJson } from '@clade/runtime/node';
import type { ModelSource } from './options';

type PresetName = CladeModelJson['preset'];

/** A served model as `GET /v1/models` lists it. */
export interface ModelInfo {
  name: string;
  /** The generator family and its norm: 'SPADE', 'CLADE', 'CLADE-ICPE', or 'mixed' (per-block norms). */
  family: string;
  preset: PresetName;
  /** The image size it makes (labels of other sizes are resized as `clade synthesize` does). */
  size: { width: number; height: number };
  labelNc: number;
  useVae: boolean;
  /** `labels=colors` is accepted: the preset has a colour palette. */
  colorLabels: boolean;
}

/** The colour palette of a preset's label maps, or null when it has none here (COCO-Stuff, custom). */
export function presetPalette(preset: PresetName): ColorPalette | null {
  if (preset === 'ade20k' || preset === 'ade20k-outdoor') return ADE20K_PALETTE;
  if (preset === 'cityscapes') return CITYSCAPES_PALETTE;
  return null;
}

const FAMILY: Record<string, string> = { spade: 'SPADE', clade: 'CLADE', cladeIcpe: 'CLADE-ICPE' };

/** A model folder's clade.json → what clients see of it. */
export function modelInfo(name: string, j: CladeModelJson): ModelInfo {
  const g = j.generator;
  const family = g.normPerBlock && new Set(g.normPerBlock).size > 1 ? 'mixed' : (FAMILY[g.normPerBlock?.[0] ?? g.normMode] ?? g.normMode);
  return {
    name,
    family,
    preset: j.preset,
    size: modelInputSize(j.preset, g),
    labelNc: j.label.labelNc,
    useVae: g.useVae,
    colorLabels: presetPalette(j.preset) !== null,
  };
}

/**
 * Reads each model folder's clade.json (small; the weights load in the workers), so that a wrong
 * --model fails before any worker starts. IOError naming the flag and the folder.
 */
export async function readModelInfos(models: readonly ModelSource[]): Promise<ModelInfo[]> {
  return Promise.all(
    models.map(async (m) => {
      const st = await stat(m.dir).catch(() => null);
      if (!st?.isDirectory())
        throw new IOError(`--model '${m.dir}' is not a folder; pass a model folder (clade.json, model.json, weights.bin), e.g. models/default-clade.`);
      return modelInfo(m.name, await readCladeJson(m.dir));
    }),
  );
}
