import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { IOError, readTorchCheckpoint, type NdArray } from '@clade/core';
import { presetGeneratorConfig, type GeneratorConfig, type PresetName } from '@clade/spade-gen';
import type { LoadedGenerator } from '../model-folder/clade-json';
import { officialGeneratorFromState } from './generator';
import { inferGeneratorConfig } from './infer-config';

/** An official `.pth` state dict with the SHA-256 of its bytes. */
export interface OfficialCheckpoint {
  state: Map<string, NdArray>;
  sha256: string;
}

/** Reads an official `.pth` (`latest_net_G.pth`, …); `name` prefixes the can't-read error. */
export async function readOfficialCheckpoint(file: string, name = 'checkpoint'): Promise<OfficialCheckpoint> {
  const bytes = await readFile(file).catch((e: NodeJS.ErrnoException) => {
    throw new IOError(`${name} '${file}' could not be read (${e.code === 'ENOENT' ? 'no such file' : e.message}).`, { cause: e });
  });
  const u8 = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const state = readTorchCheckpoint(u8, file);
  return { state, sha256: createHash('sha256').update(u8).digest('hex') };
}

export interface LoadOfficialOptions {
  preset: PresetName;
  /** Fields that win over both the preset and what the state dict shows. */
  overrides?: Partial<GeneratorConfig>;
}

/**
 * Loads an official SPADE/CLADE `.pth` generator: preset defaults, then what the state dict shows
 * (norm, ngf, VAE, edges, …; see inferGeneratorConfig), then `overrides`. Loading is strict.
 */
export async function loadOfficialGenerator(
  file: string,
  { preset, overrides = {} }: LoadOfficialOptions,
): Promise<LoadedGenerator & OfficialCheckpoint> {
  const { state, sha256 } = await readOfficialCheckpoint(file);
  const inferred = inferGeneratorConfig(state, {
    preset,
    containDontcare: overrides.containDontcare,
    labelNc: overrides.labelNc,
    useInstance: overrides.useInstance,
  });
  const merged: Partial<GeneratorConfig> = { ...inferred, ...overrides };
  if (overrides.normMode) merged.normPerBlock = null;
  if (overrides.normPerBlock) delete merged.normMode;
  const config = presetGeneratorConfig(preset, merged);
  return { ...officialGeneratorFromState(state, file, { preset, config }), state, sha256 };
}
