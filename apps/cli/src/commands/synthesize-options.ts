import { ConfigError } from '@clade/core';
import type { ModelFlags } from '../model-options';
import type { GlobalOptions } from '../run';

/** Flags every family reads: the label, the outputs, the seed. */
export interface CommonSynthesizeOptions extends GlobalOptions {
  label: string;
  out: string;
  outNpy?: string;
  force?: boolean;
  seed?: string;
}

/** `clade synthesize` (--model spade): a SPADE / CLADE / CLADE-ICPE generator from --checkpoint. */
export interface SpadeSynthesizeOptions extends CommonSynthesizeOptions, ModelFlags {
  checkpoint: string;
  instance?: string;
  distMap?: string;
  z?: string;
  style?: string;
  encoder?: string;
  styleSample?: boolean;
  engine?: string;
}

/** The weights of a SEAN / GroupDNet generator: an official .pth, a `clade train` run, or --random-init. */
export interface FamilyWeightOptions extends CommonSynthesizeOptions, Pick<ModelFlags, 'preset' | 'ngf' | 'cropSize'> {
  checkpoint?: string;
  randomInit?: boolean;
  initGain?: string;
  /** tfjs (default) or onnx (onnxruntime-node; SEAN's style encoder stays on tfjs). */
  engine?: string;
}

/** `clade synthesize --model sean|sean-clade`: region styles from photos. */
export interface SeanSynthesizeOptions extends FamilyWeightOptions {
  style?: string;
  styleLabel?: string;
  styleB?: string;
  styleBLabel?: string;
  transferClasses?: string;
  mix?: string;
}

/** `clade synthesize --model groupdnet|groupdnet-clade`: per-class latents from --seed. */
export interface GroupDNetSynthesizeOptions extends FamilyWeightOptions {
  /** Instance map for generators with the edge channel (Cityscapes). */
  instance?: string;
  resampleClass?: string;
  resampleSeed?: string;
}

/** `clade synthesize --labels <dir> --out <dir>`: every label PNG of a folder, SPADE / CLADE / CLADE-ICPE. */
export interface FolderSynthesizeOptions extends GlobalOptions, ModelFlags {
  checkpoint: string;
  labels: string;
  out: string;
  instances?: string;
  shard?: string;
  seed?: string;
  force?: boolean;
  engine?: string;
}

/** What commander parses for `clade synthesize`: every family's flags, --model and the folder flags. */
export type SynthesizeFlags = Omit<SpadeSynthesizeOptions, 'checkpoint' | 'label'> &
  Omit<SeanSynthesizeOptions, 'label'> &
  Omit<GroupDNetSynthesizeOptions, 'label'> &
  Partial<Pick<FolderSynthesizeOptions, 'labels' | 'instances' | 'shard'>> & { model?: string; label?: string };

// Each family's flags as a key set: a flag added to an interface and not here fails to compile.
const COMMON: Record<keyof CommonSynthesizeOptions, true> = {
  backend: true, threads: true, verbose: true, json: true, maxPixels: true, label: true, out: true, outNpy: true, force: true, seed: true,
};
const MODEL_FLAGS: Record<keyof ModelFlags, true> = {
  preset: true, labelNc: true, dontcare: true, instanceEdges: true, norm: true, normPerBlock: true, ngf: true, cropSize: true,
  aspectRatio: true, upsampling: true, vae: true, zDim: true, spadeHidden: true, maxCropSize: true,
};
const SPADE: Record<keyof SpadeSynthesizeOptions, true> = {
  ...COMMON, ...MODEL_FLAGS, checkpoint: true, instance: true, distMap: true, z: true, style: true, encoder: true, styleSample: true, engine: true,
};
const WEIGHTS: Record<keyof FamilyWeightOptions, true> = {
  ...COMMON, preset: true, ngf: true, cropSize: true, checkpoint: true, randomInit: true, initGain: true, engine: true,
};
const SEAN: Record<keyof SeanSynthesizeOptions, true> = {
  ...WEIGHTS, style: true, styleLabel: true, styleB: true, styleBLabel: true, transferClasses: true, mix: true,
};
const GROUPDNET: Record<keyof GroupDNetSynthesizeOptions, true> = { ...WEIGHTS, instance: true, resampleClass: true, resampleSeed: true };
const FOLDER: Record<keyof FolderSynthesizeOptions, true> = {
  backend: true, threads: true, verbose: true, json: true, maxPixels: true, ...MODEL_FLAGS,
  checkpoint: true, labels: true, out: true, instances: true, shard: true, seed: true, force: true, engine: true,
};

/** The flags of `keys` that were given (commander leaves the others out). */
function pick<T>(all: SynthesizeFlags, keys: Record<keyof T, true>): T {
  const given = all as unknown as Record<string, unknown>;
  return Object.fromEntries(Object.keys(keys).filter((k) => given[k] !== undefined).map((k) => [k, given[k]])) as T;
}

/** One-file synthesis needs --label; --instances and --shard are folder flags. */
export function oneFile(all: SynthesizeFlags): SynthesizeFlags & { label: string } {
  if (all.label === undefined) throw new ConfigError("required option '--label <png>' not specified (or --labels <dir> to synthesize a folder).");
  if (all.instances !== undefined) throw new ConfigError(`--instances is for --labels <dir> (folder mode); one file takes --instance <png>.`);
  if (all.shard !== undefined) throw new ConfigError(`--shard is for --labels <dir> (folder mode).`);
  return all as SynthesizeFlags & { label: string };
}

/**
 * Folder mode's flags, after refusing what only makes sense for one file (they would silently
 * apply to every label, or not at all) and the families it does not run.
 */
export function folderOptions(all: SynthesizeFlags): FolderSynthesizeOptions {
  if (all.model !== undefined && all.model !== 'spade')
    throw new ConfigError(`--labels (folder mode) runs SPADE / CLADE / CLADE-ICPE generators; --model ${all.model} synthesizes one --label at a time.`);
  if (all.checkpoint === undefined) throw new ConfigError("required option '--checkpoint <path>' not specified.");
  const oneFileFlags = [
    ['--label', all.label], ['--instance', all.instance], ['--dist-map', all.distMap], ['--z', all.z], ['--style', all.style],
    ['--encoder', all.encoder], ['--style-sample', all.styleSample], ['--out-npy', all.outNpy], ['--random-init', all.randomInit],
    ['--init-gain', all.initGain], ['--style-label', all.styleLabel], ['--style-b', all.styleB], ['--style-b-label', all.styleBLabel],
    ['--transfer-classes', all.transferClasses], ['--mix', all.mix], ['--resample-class', all.resampleClass], ['--resample-seed', all.resampleSeed],
  ] as const;
  for (const [flag, v] of oneFileFlags) {
    if (v === undefined) continue;
    const hint = flag === '--instance' ? ' (give its instance maps as --instances <dir>, matched by name)' : '';
    throw new ConfigError(`${flag} is for one --label file; --labels synthesizes a folder${hint}.`);
  }
  return pick(all, FOLDER);
}

/** The SPADE path's flags, after refusing the SEAN / GroupDNet flags a user would expect to change the image. */
export function spadeOptions(all: SynthesizeFlags): SpadeSynthesizeOptions {
  if (all.checkpoint === undefined) throw new ConfigError("required option '--checkpoint <path>' not specified.");
  const familyFlags = [
    ['--random-init', all.randomInit], ['--init-gain', all.initGain], ['--style-label', all.styleLabel], ['--resample-class', all.resampleClass],
    ['--style-b', all.styleB], ['--transfer-classes', all.transferClasses], ['--mix', all.mix],
  ] as const;
  for (const [flag, v] of familyFlags)
    if (v !== undefined) throw new ConfigError(`${flag} is for --model sean/groupdnet; the SPADE/CLADE generator loads --checkpoint.`);
  return pick(oneFile(all), SPADE);
}

/** `distMap` → `--dist-map`. */
const flagOf = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Refuses the given flags `keys` does not read: a flag of another family would otherwise be dropped without a word. */
function refuseUnread(all: SynthesizeFlags, keys: Record<string, true>, model: string): void {
  const given = all as unknown as Record<string, unknown>;
  const unread = Object.keys(given).filter((k) => given[k] !== undefined && !(k in keys) && k !== 'model');
  if (unread.length > 0) throw new ConfigError(`${unread.map(flagOf).join(', ')}: not read by --model ${model}; drop ${unread.length > 1 ? 'them' : 'it'}.`);
}

/** SEAN's flags, after refusing GroupDNet's. */
export function seanOptions(all: SynthesizeFlags): SeanSynthesizeOptions {
  if (all.resampleClass !== undefined) throw new ConfigError('--resample-class is for --model groupdnet; SEAN takes its styles from --style.');
  refuseUnread(oneFile(all), SEAN, all.model ?? 'sean');
  return pick(all, SEAN);
}

/** GroupDNet's flags, after refusing SEAN's. */
export function groupdnetOptions(model: string, all: SynthesizeFlags): GroupDNetSynthesizeOptions {
  if ([all.style, all.styleLabel, all.styleB, all.transferClasses, all.mix].some((v) => v !== undefined))
    throw new ConfigError(`--style, --style-b, --transfer-classes and --mix are for --model sean; ${model} draws per-class latents from --seed.`);
  refuseUnread(oneFile(all), GROUPDNET, model);
  return pick(all, GROUPDNET);
}
