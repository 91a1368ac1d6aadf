import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  ConfigError,
  IOError,
  readTorchCheckpoint,
  tfjsShapeOf,
  torchKeyOf,
  torchTransformOf,
  type NdArray,
  type TorchTransform,
} from '@clade/core';
import type { CladeModelJson, LoadedGenerator } from '@clade/runtime';
import { loadGeneratorDir, readCladeJson } from '@clade/runtime/node';
import {
  SpadeGenerator,
  blockNamesOf,
  presetInfo,
  presetLabelSpec,
  type GeneratorConfig,
  type NormMode,
  type PresetName,
} from '@clade/spade-gen';
import { FLAG_OF, cliNormOf, describeConfig, explicitOverrides, modelConfigFromFlags, parsePreset, type ModelFlags } from './model-options';

/**
 * Generators for the CLI's --checkpoint: an official `.pth` (its config inferred from the state
 * dict's keys, then the model flags) or a model folder (@clade/runtime; flags must agree with it).
 */

// ---------------------------------------------------------------------------------------------
// What an official state dict says about its generator

const has = (s: Map<string, NdArray>, k: string) => s.has(k);

/**
 * Generator fields read off an official state dict: the norm of each block, ngf, VAE and z size,
 * 'most' upsampling (up_4), SPADE's hidden width and, where it can be told, the instance-edge
 * channel and (custom preset) the label count. 'normal' and 'more' have the same weights, so
 * upsampling otherwise stays the preset's. Fields it cannot tell are left out.
 */
export function inferConfigFromState(
  state: Map<string, NdArray>,
  known: { preset: PresetName; containDontcare?: boolean; labelNc?: number; useInstance?: boolean },
): Partial<GeneratorConfig> {
  const out: Partial<GeneratorConfig> = {};
  const shape = (k: string) => state.get(k)?.shape;
  const head = shape('head_0.conv_0.weight_orig') ?? shape('head_0.conv_0.weight');
  if (head && head[0]! % 16 === 0) out.ngf = head[0]! / 16;
  const fc = shape('fc.weight');
  if (fc?.length === 2) {
    out.useVae = true;
    out.zDim = fc[1]!;
  } else if (fc?.length === 4) out.useVae = false;
  const blocks = blockNamesOf('most').filter((b) => has(state, `${b}.norm_0.param_free_norm.running_mean`) || has(state, `${b}.conv_0.bias`));
  if (blocks.includes('up_4')) out.numUpsamplingLayers = 'most';

  const norms = blocks.map((b): NormMode | null => {
    const n = `${b}.norm_0`;
    if (has(state, `${n}.mlp_shared.0.weight`)) return 'spade';
    if (has(state, `${n}.class_specified_affine.dist_conv_w.weight`)) return 'cladeIcpe';
    if (has(state, `${n}.class_specified_affine.weight`)) return 'clade';
    return null;
  });
  if (norms.length >= 7 && norms.every((m) => m !== null)) {
    if (norms.every((m) => m === norms[0])) {
      out.normMode = norms[0]!;
      out.normPerBlock = null;
    } else out.normPerBlock = norms as NormMode[];
  }
  const spadeBlock = blocks.find((_, i) => norms[i] === 'spade');
  const cladeBlock = blocks.find((_, i) => norms[i] === 'clade' || norms[i] === 'cladeIcpe');
  const mlp = spadeBlock ? shape(`${spadeBlock}.norm_0.mlp_shared.0.weight`) : undefined;
  if (mlp) out.spadeHiddenNc = mlp[0]!;

  // Semantic channels S = K + edge; classes K = labelNc + dontcare.
  const s = mlp?.[1] ?? (fc?.length === 4 ? fc[1] : undefined);
  const k = cladeBlock ? shape(`${cladeBlock}.norm_0.class_specified_affine.weight`)?.[0] : undefined;
  let edge: boolean | undefined;
  if (cladeBlock) edge = has(state, `${cladeBlock}.norm_0.inst_conv.weight`);
  const p = presetInfo(known.preset);
  const dc = (known.containDontcare ?? p.generator.containDontcare) ? 1 : 0;
  if (edge === undefined && s !== undefined) {
    // SPADE only: S = labelNc + dontcare + edge, so the edge shows when labelNc is known.
    const labelNc = p.name === 'custom' ? known.labelNc : p.generator.labelNc;
    const extra = labelNc === undefined ? undefined : s - labelNc - dc;
    if (extra === 0 || extra === 1) edge = extra === 1;
  }
  if (p.name === 'custom' && known.labelNc === undefined) {
    if (k !== undefined) out.labelNc = k - dc;
    else if (s !== undefined) out.labelNc = s - dc - ((edge ?? known.useInstance) ? 1 : 0);
  }
  if (edge !== undefined) out.useInstance = edge;
  if (out.labelNc !== undefined && !(out.labelNc >= 1)) delete out.labelNc;
  return out;
}

const IGNORED_SUFFIXES = ['num_batches_tracked'];

/** The PyTorch shape of a tfjs weight (the inverse of core's tfjsShapeOf). */
function torchShapeOf(shape: number[], t: TorchTransform): number[] {
  if (t === 'conv') return [shape[3]!, shape[2]!, shape[0]!, shape[1]!];
  if (t === 'linear') return [shape[1]!, shape[0]!];
  return shape;
}

function listSome(xs: string[], n = 4): string {
  return xs.length <= n ? xs.join(', ') : `${xs.slice(0, n).join(', ')}, … ${xs.length - n} more`;
}

/**
 * Throws one readable line when `state` does not fit `model` key for key: how many keys are
 * missing, unexpected and mis-shaped, with the first few of each and the flags to check.
 */
export function checkStateFits(model: tfl.LayersModel, state: Map<string, NdArray>, source: string, what: string): void {
  const missing: string[] = [];
  const misShaped: string[] = [];
  const used = new Set<string>();
  for (const w of model.weights) {
    const key = torchKeyOf(w.originalName);
    const arr = state.get(key);
    if (!arr) {
      missing.push(key);
      continue;
    }
    used.add(key);
    const t = torchTransformOf(w.originalName, w.shape.length);
    const got = tfjsShapeOf(arr.shape, t);
    if (arr.shape.length !== w.shape.length || got.some((d, i) => d !== w.shape[i]))
      misShaped.push(`${key} [${arr.shape.join(',')}] (expected [${torchShapeOf(w.shape as number[], t).join(',')}])`);
  }
  const unexpected = [...state.keys()].filter((k) => !used.has(k) && !IGNORED_SUFFIXES.some((s) => k.endsWith(s)));
  if (missing.length + unexpected.length + misShaped.length === 0) return;
  const parts = [
    missing.length ? `${missing.length} missing keys (${listSome(missing)})` : '',
    unexpected.length ? `${unexpected.length} unexpected keys (${listSome(unexpected)})` : '',
    misShaped.length ? `${misShaped.length} mis-shaped keys (${listSome(misShaped, 3)})` : '',
  ].filter(Boolean);
  throw new IOError(
    `checkpoint '${source}' does not fit the ${what} generator: ${parts.join('; ')}. Check --preset, --norm, --ngf, --label-nc, --upsampling and --vae.`,
  );
}

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
  const bytes = await readFile(file).catch((e: NodeJS.ErrnoException) => {
    throw new IOError(`--checkpoint '${file}' could not be read (${e.code === 'ENOENT' ? 'no such file' : e.message}).`, { cause: e });
  });
  const u8 = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const state = readTorchCheckpoint(u8, file);
  const explicit = explicitOverrides(flags);
  const inferred = inferConfigFromState(state, {
    preset,
    containDontcare: explicit.containDontcare,
    labelNc: explicit.labelNc,
    useInstance: explicit.useInstance ?? hints.useInstance,
  });
  const { config } = modelConfigFromFlags(flags, { ...hints, ...inferred });
  const g = new SpadeGenerator(config);
  const what = describeConfig(preset, config);
  try {
    checkStateFits(g.model, state, file, what);
    g.loadTorchStateDict(state, file);
  } catch (e) {
    g.dispose();
    throw e;
  }
  return {
    preset,
    config,
    label: presetLabelSpec(config),
    model: g.model,
    source: file,
    state,
    sha256: createHash('sha256').update(u8).digest('hex'),
  };
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
      `model folder '${dir}' holds a ${describeConfig(stored.preset, stored.generator)} generator; ${FLAG_OF[k] ?? k} ${shown(k, v)} contradicts it. Omit model flags with a converted model.`,
    );
  }
}

/** Loads a folder written by `clade convert`/`export`, refusing model flags that contradict it. */
export async function generatorFromDir(dir: string, flags: ModelFlags): Promise<LoadedGenerator> {
  checkFlagsAgree(flags, await readCladeJson(dir), dir);
  return loadGeneratorDir(dir);
}

/** `--checkpoint`: an official .pth file, or a folder written by `clade convert`. */
export async function loadGenerator(checkpoint: string, flags: ModelFlags, hints: Partial<GeneratorConfig> = {}, flag = '--checkpoint'): Promise<LoadedGenerator> {
  if (await isDirectory(checkpoint, flag)) return generatorFromDir(checkpoint, flags);
  return generatorFromTorch(checkpoint, flags, hints);
}
