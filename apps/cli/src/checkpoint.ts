import { stat } from 'node:fs/promises';
import { ConfigError, IOError, type NdArray } from '@clade/core';
import { inferGeneratorConfig, officialGeneratorFromState, type CladeModelJson, type LoadedGenerator } from '@clade/runtime';
import { loadGeneratorDir, readCladeJson, readOfficialCheckpoint } from '@clade/runtime/node';
import type { GeneratorConfig, NormMode } from '@clade/spade-gen';
import { FLAG_OF, cliNormOf, describeConfig, explicitOverrides, modelConfigFromFlags, parsePreset, type ModelFlags } from './model-options';

/**
 * Generators for the CLI's --checkpoint: an official `.pth` (@clade/runtime infers its config from
 * the state dict's keys; the model flags here win) or a model folder (@clade/runtime; flags must
 * agree with it). This file only turns flags into options and names flags in its errors.
 */

const FIT_HINT = 'Check --preset, --norm, --ngf, --label-nc, --upsampling and --vae.';

// ---------------------------------------------------------------------------------------------
// Loading

async function isDirectory(p: string, flag: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new IOError(`${flag} '${p}' ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${(e as Error).message})`}.`, { cause: e });
  }
}

/**
 * Reads an official `.pth` and builds the generator it fits: preset defaults, then what the
 * state dict shows (norm, ngf, …), then the explicit flags. Loading is strict.
 */
export async function generatorFromTorch(
  file: string,
  flags: ModelFlags,
  hints: Partial<GeneratorConfig> = {},
): Promise<LoadedGenerator & { state: Map<string, NdArray>; sha256: string }> {
  const preset = parsePreset(flags.preset);
  const { state, sha256 } = await readOfficialCheckpoint(file, '--checkpoint');
  const explicit = explicitOverrides(flags);
  const inferred = inferGeneratorConfig(state, {
    preset,
    containDontcare: explicit.containDontcare,
    labelNc: explicit.labelNc,
    useInstance: explicit.useInstance ?? hints.useInstance,
  });
  const { config } = modelConfigFromFlags(flags, { ...hints, ...inferred });
  const g = officialGeneratorFromState(state, file, { preset, config, what: describeConfig(preset, config), fitHint: FIT_HINT });
  return { ...g, state, sha256 };
}

const shown = (k: string, v: unknown): string =>
  k === 'normMode' ? cliNormOf(v as NormMode) : Array.isArray(v) ? v.map((m) => cliNormOf(m as NormMode)).join(',') : String(v);

/** Refuses model flags that contradict a converted model's stored config. */
function checkFlagsAgree(flags: ModelFlags, stored: CladeModelJson, dir: string): void {
  if (flags.preset !== undefined && parsePreset(flags.preset) !== stored.preset)
    throw new ConfigError(`--preset ${flags.preset} contradicts model folder '${dir}', which holds a '${stored.preset}' generator; omit --preset.`);
  const explicit = explicitOverrides(flags);
  const stores = stored.generator as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(explicit)) {
    if (k === 'normMode' && stored.generator.normPerBlock) {
      if (stored.generator.normPerBlock.every((m) => m === v)) continue;
    } else if (JSON.stringify(stores[k]) === JSON.stringify(v)) continue;
    throw new ConfigError(
      `model folder '${dir}' holds a ${describeConfig(stored.preset, stored.generator)} generator; ` +
        `${FLAG_OF[k] ?? k} ${shown(k, v)} contradicts it. Omit model flags with a converted model.`,
    );
  }
}

/** Loads a folder written by `clade convert`/`export`, refusing model flags that contradict it. */
export async function generatorFromDir(dir: string, flags: ModelFlags): Promise<LoadedGenerator> {
  checkFlagsAgree(flags, await readCladeJson(dir), dir);
  return loadGeneratorDir(dir);
}

/** `--checkpoint`: an official .pth file, or a folder written by `clade convert`. */
export async function loadGenerator(
  checkpoint: string,
  flags: ModelFlags,
  hints: Partial<GeneratorConfig> = {},
  flag = '--checkpoint',
): Promise<LoadedGenerator> {
  if (await isDirectory(checkpoint, flag)) return generatorFromDir(checkpoint, flags);
  return generatorFromTorch(checkpoint, flags, hints);
}
