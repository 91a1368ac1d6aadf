import { readFile } from 'node:fs/promises';
import { IOError } from '@clade/core';
import { saveJson, type FeatureProtocol } from '../protocol/protocol';
import { sha256Hex } from '../seg/segmenter';
import type { GaussianStats } from '../stats/gaussian';
import { saveStats, statsFromNpz } from '../stats/stats-file';

/** Precomputed statistics standing in for the real images, with the file's sha256 for the protocol. */
export interface ReferenceStats {
  kind: 'stats';
  path: string;
  stats: GaussianStats;
  sha256: string;
}

/** What `<file>.protocol.json` beside saved statistics records: which images, and how. */
export interface StatsRecord {
  statsOf: string;
  count: number;
  feature: FeatureProtocol;
  software: Record<string, string>;
}

/** Reads pytorch-fid (or our) `.npz` statistics; one read gives both the statistics and the sha256. */
export async function loadReferenceStats(file: string): Promise<ReferenceStats> {
  let bytes: Uint8Array;
  try {
    const buf = await readFile(file);
    bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new IOError(`loadReferenceStats: could not read '${file}' (${code === 'ENOENT' ? 'no such file' : (e as Error).message}).`, { cause: e });
  }
  return { kind: 'stats', path: file, stats: statsFromNpz(bytes, file), sha256: sha256Hex(bytes) };
}

/** Saves statistics as a pytorch-fid `.npz` (plus `n`) and `<file>.protocol.json` beside it. */
export async function saveReferenceStats(file: string, stats: GaussianStats, record: StatsRecord): Promise<void> {
  await saveStats(file, stats);
  await saveJson(`${file}.protocol.json`, record);
}
