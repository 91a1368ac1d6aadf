import { readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { IOError } from '@clade/core';

/** True when `p` exists and is a directory. */
export async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** Throws an IOError naming `what` unless `dir` is a directory. */
export async function requireDir(dir: string, what: string): Promise<void> {
  if (!(await isDir(dir))) throw new IOError(`${what}: '${dir}' is not a directory.`);
}

/**
 * Every file under `dir` (following symlinks), in a deterministic order: entries sorted by code
 * point at each level. `recursive` false lists only `dir` itself.
 */
export async function listFiles(dir: string, recursive: boolean): Promise<string[]> {
  const out: string[] = [];
  const visit = async (d: string): Promise<void> => {
    const names = (await readdir(d)).sort();
    for (const name of names) {
      const p = path.join(d, name);
      let s;
      try {
        s = await stat(p);
      } catch {
        continue; // a dangling symlink is not a file
      }
      if (s.isDirectory()) {
        if (recursive) await visit(p);
      } else if (s.isFile()) out.push(p);
    }
  };
  await visit(dir);
  return out;
}

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.ppm', '.bmp', '.tif', '.tiff', '.webp']);

/** True for the image extensions the official `is_image_file` accepts (case-insensitive). */
export function isImageFile(p: string): boolean {
  return IMAGE_EXTENSIONS.has(path.extname(p).toLowerCase());
}

/** File name without directory and extension. */
export function stem(p: string): string {
  return path.basename(p, path.extname(p));
}
