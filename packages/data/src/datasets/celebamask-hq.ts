import * as path from 'node:path';
import { isDir, isImageFile, listFiles, requireDir, stem } from './files';
import { joinPairs, keyFiles, type DatasetListing, type PairingOptions } from './pairs';

export interface CelebAMaskHqListOptions extends PairingOptions {
  /** With the SEAN layout, the phase folder ('train' or 'test'). Default 'train'. */
  phase?: string;
}

/**
 * CelebAMask-HQ (19 classes): either SEAN's layout `{phase}/images/*.jpg` + `{phase}/labels/*.png`,
 * or one folder with `<id>.jpg` photos next to `<id>.png` masks (the MaskGAN demo samples).
 * Paired on the stem. Photos (1024²) and masks (512²) may differ in size; the loader resizes both.
 */
export async function listCelebAMaskHq(root: string, options: CelebAMaskHqListOptions = {}): Promise<DatasetListing> {
  const what = 'listCelebAMaskHq';
  await requireDir(root, what);
  const phase = options.phase ?? 'train';
  const sean = path.join(root, phase);
  let labelFiles: string[];
  let imageFiles: string[];
  if ((await isDir(path.join(sean, 'labels'))) && (await isDir(path.join(sean, 'images')))) {
    labelFiles = await listFiles(path.join(sean, 'labels'), false);
    imageFiles = await listFiles(path.join(sean, 'images'), false);
  } else {
    const files = (await listFiles(root, false)).filter(isImageFile);
    labelFiles = files.filter((f) => path.extname(f).toLowerCase() === '.png');
    imageFiles = files.filter((f) => path.extname(f).toLowerCase() !== '.png');
  }
  const labels = keyFiles(labelFiles.filter(isImageFile), stem, what);
  const images = keyFiles(imageFiles.filter(isImageFile), stem, what);
  return joinPairs(`${what} '${root}'`, labels, images, null, options);
}
