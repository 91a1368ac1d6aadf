import * as path from 'node:path';
import { ConfigError } from '@clade/core';
import { isDir } from './files';
import type { DatasetListing, SamplePair, SkippedSample } from './pairs';
import { datasetInfo, listDataset, type DatasetName, type ListDatasetOptions } from './registry';

/** The phases each layout can hold on disk, in listing order. */
export const DATASET_PHASES: Readonly<Record<DatasetName, readonly string[]>> = {
  ade20k: ['train', 'val'],
  coco: ['train', 'val'],
  cityscapes: ['train', 'val', 'test'],
  celebamask: ['train', 'test'],
  deepfashion: ['train', 'test'],
  custom: ['all'],
};

/** One phase of a dataset as found on disk. */
export interface DatasetSplit extends DatasetListing {
  phase: string;
}

export interface ListSplitsOptions extends Omit<ListDatasetOptions, 'phase'> {
  /** Phases to list. Default: every phase of the layout (`DATASET_PHASES`) that exists under root. */
  phases?: readonly string[];
}

/** Whether `phase` has a folder of its own under `root` (layouts that find files by name: always). */
async function phasePresent(name: DatasetName, root: string, phase: string): Promise<boolean> {
  switch (name) {
    case 'coco': return isDir(path.join(root, `${phase}_label`));
    case 'cityscapes':
      return (await isDir(path.join(root, 'gtFine', phase))) || (await isDir(path.join(root, `${phase}_label`)));
    case 'deepfashion': return isDir(path.join(root, `cihp_${phase}_mask`));
    default: return true;
  }
}

/**
 * Every phase of a dataset that is present under `root`, each listed with the layout's rules
 * (`listDataset`). Phases with no files are left out, and a label that an earlier phase already
 * listed is not listed again (the official Cityscapes layout reads 'val' for 'test'; the flat
 * CelebAMask-HQ folder has no phases). Used by `inspect` and the positional-map precompute.
 */
export async function listDatasetSplits(name: DatasetName, root: string, options: ListSplitsOptions = {}): Promise<DatasetSplit[]> {
  datasetInfo(name);
  const phases = options.phases ?? DATASET_PHASES[name];
  const known = DATASET_PHASES[name];
  for (const p of phases)
    if (name !== 'custom' && !known.includes(p) && !(name === 'ade20k' && p === 'test') && !(name === 'deepfashion' && p === 'val'))
      throw new ConfigError(`listDatasetSplits: phase for ${name} must be one of ${known.join(', ')}; got '${p}'.`);
  const seen = new Set<string>();
  const seenSkipped = new Set<string>();
  const out: DatasetSplit[] = [];
  for (const phase of phases) {
    if (!(await phasePresent(name, root, phase))) continue;
    const listing = await listDataset(name, root, { ...options, phase });
    const pairs: SamplePair[] = listing.pairs.filter((p) => !seen.has(p.label));
    const skipped: SkippedSample[] = listing.skipped.filter((s) => !seenSkipped.has(`${s.id}\0${s.reason}`));
    skipped.forEach((s) => seenSkipped.add(`${s.id}\0${s.reason}`));
    pairs.forEach((p) => seen.add(p.label));
    if (pairs.length > 0 || skipped.length > 0) out.push({ phase, pairs, skipped });
    if (name === 'custom') break;
  }
  return out;
}
