import * as path from 'node:path';
import { isDir, isImageFile, listFiles, requireDir, stem } from './files';
import { joinPairs, keyFiles, type DatasetListing, type PairingOptions } from './pairs';

export interface CocoStuffListOptions extends PairingOptions {
  /** Folder prefix: `{phase}_label`, `{phase}_img`, `{phase}_inst`. 'test' reads 'val'. Default 'train'. */
  phase?: string;
  /** Pair instance maps from `{phase}_inst`. Default true (COCO-Stuff uses instances). */
  useInstances?: boolean;
  /** Leave out the `{phase}_*_portrait` folders that the official loader adds in training. Default false. */
  noPortraits?: boolean;
}

/**
 * COCO-Stuff in the official layout: `{phase}_label/*.png`, `{phase}_img/*.jpg`, `{phase}_inst/*.png`.
 * With `requireImages: false` the `{phase}_img` folder may be absent.
 */
export async function listCocoStuff(root: string, options: CocoStuffListOptions = {}): Promise<DatasetListing> {
  const what = 'listCocoStuff';
  await requireDir(root, what);
  const phase = options.phase === 'test' ? 'val' : options.phase ?? 'train';
  const { useInstances = true, noPortraits = false } = options;
  const gather = async (kind: string, optional = false): Promise<string[]> => {
    const dir = path.join(root, `${phase}_${kind}`);
    if (optional && !(await isDir(dir))) return [];
    await requireDir(dir, what);
    const files = await listFiles(dir, false);
    const portrait = path.join(root, `${phase}_${kind}_portrait`);
    if (phase === 'train' && !noPortraits && (await isDir(portrait))) files.push(...(await listFiles(portrait, false)));
    return files.filter(isImageFile);
  };
  const labels = keyFiles(await gather('label'), stem, what);
  const images = keyFiles(await gather('img', options.requireImages === false), stem, what);
  const instances = useInstances ? keyFiles(await gather('inst'), stem, what) : null;
  return joinPairs(`${what} '${root}' (${phase})`, labels, images, instances, options);
}
