import { readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { ConfigError, IOError } from '@clade/core';

/** File extensions read as images: pytorch-fid's IMAGE_EXTENSIONS (matched case-insensitively here; its glob is case-sensitive on Linux). */
export const IMAGE_EXTENSIONS = ['bmp', 'jpg', 'jpeg', 'pgm', 'png', 'ppm', 'tif', 'tiff', 'webp'] as const;

function stemOf(file: string): string {
  return path.basename(file).replace(/\.[^.]+$/, '');
}

/** Image files directly inside `dir` (not recursive), sorted by name like pytorch-fid's `sorted(...)`. */
export async function listImages(dir: string, extensions: readonly string[] = IMAGE_EXTENSIONS): Promise<string[]> {
  let names: string[];
  try {
    if (!(await stat(dir)).isDirectory()) throw new IOError(`listImages: '${dir}' is not a folder.`);
    names = await readdir(dir);
  } catch (e) {
    if (e instanceof IOError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new IOError(`listImages: could not read the folder '${dir}' (${code === 'ENOENT' ? 'no such folder' : (e as Error).message}).`, { cause: e });
  }
  const ext = new Set(extensions.map((e) => e.toLowerCase()));
  return names
    .filter((n) => ext.has(path.extname(n).slice(1).toLowerCase()))
    .sort()
    .map((n) => path.join(dir, n));
}

export interface ImageLabelPair {
  name: string;
  image: string;
  label: string;
}

/**
 * Pairs images with label maps by file stem (`ADE_val_00000001.jpg` ↔ `ADE_val_00000001.png`).
 * Images without a label are an error naming the first few (a silently smaller set would change
 * the score); labels without an image are ignored (a generated subset of a split is fine).
 */
export async function pairByStem(imageDir: string, labelDir: string): Promise<ImageLabelPair[]> {
  const images = await listImages(imageDir);
  const labels = await listImages(labelDir, ['png']);
  const byStem = new Map(labels.map((l) => [stemOf(l), l]));
  const missing = images.filter((i) => !byStem.has(stemOf(i)));
  if (missing.length) {
    const examples = missing.slice(0, 3).map((m) => path.basename(m)).join(', ');
    throw new ConfigError(
      `pairByStem: ${missing.length} of ${images.length} images in '${imageDir}' have no label map of the same name in '${labelDir}' ` +
        `(e.g. ${examples}).`,
    );
  }
  if (images.length === 0) throw new ConfigError(`pairByStem: '${imageDir}' holds no images (${IMAGE_EXTENSIONS.join(', ')}).`);
  return images.map((image) => ({ name: stemOf(image), image, label: byStem.get(stemOf(image))! }));
}
