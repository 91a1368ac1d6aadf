import { isImageFile, listFiles, requireDir, stem } from './files';
import { joinPairs, keyFiles, type DatasetListing, type PairingOptions } from './pairs';

export interface CustomLayout extends PairingOptions {
  /** Folder of label PNGs (raw class ids). */
  labelDir: string;
  /** Folder of photos; may be omitted with `requireImages: false`. */
  imageDir?: string;
  /** Folder of instance maps, when the model uses instances. */
  instanceDir?: string;
}

/** The official `custom` layout: label, image (and instance) folders, paired on file stems. */
export async function listCustom(layout: CustomLayout): Promise<DatasetListing> {
  const what = 'listCustom';
  const read = async (dir: string) => {
    await requireDir(dir, what);
    return keyFiles((await listFiles(dir, false)).filter(isImageFile), stem, what);
  };
  const labels = await read(layout.labelDir);
  const images = layout.imageDir ? await read(layout.imageDir) : new Map<string, string>();
  const instances = layout.instanceDir ? await read(layout.instanceDir) : null;
  return joinPairs(`${what} '${layout.labelDir}'`, labels, images, instances, {
    ...layout,
    requireImages: layout.requireImages ?? layout.imageDir !== undefined,
  });
}
