import * as path from 'node:path';
import { ConfigError } from '@clade/core';
import { isDir, isImageFile, listFiles, requireDir } from './files';
import { joinPairs, keyFiles, type DatasetListing, type PairingOptions } from './pairs';

export interface CityscapesListOptions extends PairingOptions {
  /** 'train' or 'val'; 'test' reads 'val' in the official layout. Default 'train'. */
  phase?: string;
  /** Pair `*_instanceIds.png`. Default true. */
  useInstances?: boolean;
}

/** The official pairing key: the first three `_` tokens of the file name (city_seq_frame). */
export function cityscapesKey(file: string): string {
  return path.basename(file).split('_').slice(0, 3).join('_');
}

/**
 * Cityscapes in either layout:
 * - official: `gtFine/{phase}/<city>/*_gtFine_labelIds.png`, `*_instanceIds.png`, `leftImg8bit/{phase}/<city>/*.png`
 *   ('test' reads 'val', as the official loader does);
 * - flat (pix2pixHD's samples): `{phase}_label/*_labelIds.png`, `{phase}_inst/*_instanceIds.png`, `{phase}_img/*.png`.
 * Files are paired on city_seq_frame.
 */
export async function listCityscapes(root: string, options: CityscapesListOptions = {}): Promise<DatasetListing> {
  const what = 'listCityscapes';
  await requireDir(root, what);
  const { useInstances = true } = options;
  const official = await isDir(path.join(root, 'gtFine'));
  const phase = official && options.phase === 'test' ? 'val' : options.phase ?? 'train';
  let labelFiles: string[];
  let imageFiles: string[];
  if (official) {
    const gt = path.join(root, 'gtFine', phase);
    await requireDir(gt, what);
    labelFiles = await listFiles(gt, true);
    const img = path.join(root, 'leftImg8bit', phase);
    imageFiles = (await isDir(img)) ? await listFiles(img, true) : [];
  } else {
    const dir = (k: string) => path.join(root, `${phase}_${k}`);
    if (!(await isDir(dir('label'))))
      throw new ConfigError(
        `${what}: '${root}' has neither gtFine/ (official layout) nor ${phase}_label/ (flat layout).`,
      );
    labelFiles = [...(await listFiles(dir('label'), false)), ...((await isDir(dir('inst'))) ? await listFiles(dir('inst'), false) : [])];
    imageFiles = (await isDir(dir('img'))) ? await listFiles(dir('img'), false) : [];
  }
  const labels = keyFiles(labelFiles.filter((f) => f.endsWith('_labelIds.png')), cityscapesKey, what);
  const instances = useInstances ? keyFiles(labelFiles.filter((f) => f.endsWith('_instanceIds.png')), cityscapesKey, what) : null;
  const images = keyFiles(imageFiles.filter(isImageFile), cityscapesKey, what);
  return joinPairs(`${what} '${root}' (${phase})`, labels, images, instances, options);
}
