import * as path from 'node:path';
import { ConfigError } from '@clade/core';
import { isImageFile, listFiles, requireDir, stem } from './files';
import { joinPairs, keyFiles, type DatasetListing, type PairingOptions } from './pairs';

export interface Ade20kListOptions extends PairingOptions {
  /** 'train' or 'val'; 'test' reads the val files, as the official loader does. Default 'train'. */
  phase?: string;
  /** Keep only these sample ids (e.g. the ADE20K-outdoor subset's file stems). */
  only?: Iterable<string>;
}

/**
 * ADE20K under `root`, scanned recursively like the official loader: files whose name holds
 * `_train_` / `_val_` belong to that phase, `.jpg` are photos, `.png` labels, paired on the
 * stem (`ADE_val_00000001`). Works for the ADEChallengeData2016 layout
 * (`images/training/*.jpg`, `annotations/training/*.png`) and for flat `images/` + `annotations/`.
 */
export async function listAde20k(root: string, options: Ade20kListOptions = {}): Promise<DatasetListing> {
  const what = 'listAde20k';
  await requireDir(root, what);
  const phase = options.phase === 'test' ? 'val' : options.phase ?? 'train';
  if (phase !== 'train' && phase !== 'val')
    throw new ConfigError(`${what}: phase must be one of train, val, test; got '${options.phase}'.`);
  const only = options.only ? new Set(options.only) : null;
  const files = (await listFiles(root, true)).filter(
    (f) => isImageFile(f) && path.basename(f).includes(`_${phase}_`) && (!only || only.has(stem(f))),
  );
  const ext = (f: string) => path.extname(f).toLowerCase();
  const labels = keyFiles(files.filter((f) => ext(f) === '.png'), stem, what);
  const images = keyFiles(files.filter((f) => ext(f) === '.jpg'), stem, what);
  return joinPairs(`${what} '${root}' (${phase})`, labels, images, null, options);
}
