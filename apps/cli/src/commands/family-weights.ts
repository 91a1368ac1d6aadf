import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { ConfigError, IOError, loadTorchCheckpointFile } from '@clade/core';
import type { GroupDNetGenerator } from '@clade/groupdnet';
import type { SeanGenerator } from '@clade/sean';
import { loadCheckpoint, resolveRunConfig, type RunConfig, type RunConfigInput } from '@clade/trainer';
import { presetsOf, type ModelName } from '../model-zoo';
import { parseMaxPixels, parsePositiveInt } from '../run';
import type { FamilyWeightOptions } from './synthesize-options';

// The weights of `clade synthesize --model sean|groupdnet…`: an official .pth, a `clade train` run
// (folder or checkpoint .npz), or --random-init from a preset.

export type SeanModel = Extract<ModelName, 'sean' | 'sean-clade'>;
export type GroupDNetModel = Extract<ModelName, 'groupdnet' | 'groupdnet-clade'>;
type TrainedRun = { config: RunConfig; checkpoint: string };


/**
 * A `clade train` run given as --checkpoint: its folder, or an .npz under its checkpoints/ folder
 * (run.json two levels up). Null for anything else (an official .pth).
 */
async function trainedRunOf(p: string): Promise<TrainedRun | null> {
  const isDir = existsSync(p) && statSync(p).isDirectory();
  if (!isDir && !/\.npz$/i.test(p)) return null;
  const checkpoint = isDir ? path.join(p, 'checkpoints', 'latest.npz') : p;
  const runJson = isDir ? path.join(p, 'run.json') : path.join(path.dirname(path.dirname(p)), 'run.json');
  if (!existsSync(runJson) || !existsSync(checkpoint))
    throw new IOError(`--checkpoint '${p}': a clade train run needs ${runJson} and ${checkpoint}; for official weights give their .pth.`);
  return { config: resolveRunConfig(JSON.parse(await readFile(runJson, 'utf8')) as RunConfigInput), checkpoint };
}

/** The family and variant a trained run holds, as --model names them. */
export function runModelName(config: RunConfig): string {
  if (config.model === 'sean') return config.generator.classBranch === 'clade' ? 'sean-clade' : 'sean';
  if (config.model === 'groupdnet') return config.generator.normMode === 'clade' ? 'groupdnet-clade' : 'groupdnet';
  return config.generator.normMode === 'spade' ? 'spade' : 'clade';
}

/** The weight flags, checked: a trained run or official weights, --random-init's architecture overrides, the seed. */
export interface WeightFlags {
  run: TrainedRun | null;
  overrides: { ngf?: number; cropSize?: number; initGain?: number };
  seed: number;
  maxPixels: number | undefined;
  what: string;
}

/** The checks every family makes before it reads weights or builds its generator. */
export async function weightFlags(model: SeanModel | GroupDNetModel, o: FamilyWeightOptions): Promise<WeightFlags> {
  const maxPixels = parseMaxPixels(o.maxPixels);
  const run = o.checkpoint ? await trainedRunOf(o.checkpoint) : null;
  const presets = presetsOf(model);
  if (!run && (o.preset === undefined || !presets.includes(o.preset)))
    throw new ConfigError(`--model ${model} needs --preset one of ${presets.join(', ')}, got ${o.preset === undefined ? 'none' : `'${o.preset}'`}.`);
  if (!o.checkpoint === !o.randomInit)
    throw new ConfigError(
      `--model ${model}: give --checkpoint <official latest_net_G.pth> or --random-init (untrained weights, for trying the architecture), one of them.`,
    );
  const overrides = {
    ...(o.ngf !== undefined && { ngf: parsePositiveInt(o.ngf, '--ngf') }),
    ...(o.cropSize !== undefined && { cropSize: parsePositiveInt(o.cropSize, '--crop-size') }),
  };
  if (o.initGain !== undefined && !o.randomInit) throw new ConfigError('--init-gain shapes --random-init weights; a --checkpoint brings its own.');
  const initGain = o.initGain === undefined ? undefined : Number(o.initGain);
  if (initGain !== undefined && !(initGain > 0 && Number.isFinite(initGain)))
    throw new ConfigError(`--init-gain must be a positive number, got '${o.initGain}'.`);
  const seed = Number(o.seed ?? '0');
  if (!Number.isInteger(seed)) throw new ConfigError(`--seed must be an integer, got '${o.seed}'.`);
  if (o.engine !== undefined && o.engine !== 'tfjs' && o.engine !== 'onnx') throw new ConfigError(`--engine must be tfjs or onnx, got '${o.engine}'.`);
  return {
    run, overrides: { ...overrides, ...(initGain !== undefined && { initGain }) }, seed, maxPixels,
    what: `${model} (${run ? `run ${o.checkpoint}` : o.preset})`,
  };
}

/** A trained run must be the --model asked for, and its run.json fixes the architecture. */
function checkRunFlags(model: SeanModel | GroupDNetModel, o: FamilyWeightOptions, run: TrainedRun): void {
  const trained = runModelName(run.config);
  if (trained !== model) throw new ConfigError(`--checkpoint '${o.checkpoint}' is a ${trained} run; pass --model ${trained}, got --model ${model}.`);
  for (const [flag, v] of [['--preset', o.preset], ['--ngf', o.ngf], ['--crop-size', o.cropSize], ['--random-init', o.randomInit]] as const)
    if (v !== undefined) throw new ConfigError(`${flag} does not apply to a trained run: its run.json fixes the architecture (drop ${flag}).`);
}

/**
 * The generator with its weights: a trained run's (its checkpoint .npz), or one built from the
 * preset with an official .pth's weights or --random-init's. `check` sees it before any weight is
 * loaded; it is disposed when anything fails.
 */
export async function generatorOf<T extends SeanGenerator | GroupDNetGenerator>(
  model: SeanModel | GroupDNetModel,
  o: FamilyWeightOptions,
  w: WeightFlags,
  make: { run: (c: RunConfig) => T; fresh: () => T },
  check: (g: T) => void = () => undefined,
): Promise<T> {
  if (w.run) checkRunFlags(model, o, w.run);
  const state = o.checkpoint && !w.run ? await loadTorchCheckpointFile(o.checkpoint) : null;
  const g = w.run ? make.run(w.run.config) : make.fresh();
  try {
    check(g);
    if (w.run) await loadCheckpoint(w.run.checkpoint, { models: { G: g.model }, optimizers: {} });
    else if (state) g.loadTorchStateDict(state, `'${o.checkpoint}'`);
  } catch (e) {
    g.dispose();
    throw e;
  }
  return g;
}
