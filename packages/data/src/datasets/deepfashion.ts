import * as path from 'node:path';
import { ConfigError } from '@clade/core';
import { isDir, isImageFile, listFiles, requireDir, stem } from './files';
import { joinPairs, keyFiles, type DatasetListing, type PairingOptions } from './pairs';

export interface DeepFashionListOptions extends PairingOptions {
  /** 'train' or 'test'; 'val' reads 'test' (SMIS has no separate validation split). Default 'train'. */
  phase?: string;
}

/**
 * DeepFashion as SMIS prepares it (REFERENCE §13; 8 human-parsing classes from CIHP): label PNGs in
 * `cihp_{phase}_mask/*.png`, photos in `{phase}/`, paired on the file stem. Without images (label-only
 * evaluation) pass `requireImages: false`; the `{phase}/` folder may then be absent.
 */
export async function listDeepFashion(root: string, options: DeepFashionListOptions = {}): Promise<DatasetListing> {
  const what = 'listDeepFashion';
  await requireDir(root, what);
  const phase = options.phase === 'val' ? 'test' : options.phase ?? 'train';
  if (phase !== 'train' && phase !== 'test')
    throw new ConfigError(`${what}: phase must be one of train, test, val; got '${options.phase}'.`);
  const labelDir = path.join(root, `cihp_${phase}_mask`);
  await requireDir(labelDir, what);
  const imageDir = path.join(root, phase);
  if (options.requireImages !== false) await requireDir(imageDir, what);
  const labels = keyFiles((await listFiles(labelDir, false)).filter((f) => path.extname(f).toLowerCase() === '.png'), stem, what);
  const imageFiles = (await isDir(imageDir)) ? (await listFiles(imageDir, false)).filter(isImageFile) : [];
  const images = keyFiles(imageFiles, stem, what);
  return joinPairs(`${what} '${root}' (${phase})`, labels, images, null, options);
}
