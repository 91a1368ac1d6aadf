import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Every entry under `root`: files with their sha256, folders as 'dir'. Equal snapshots before and
 * after a command mean it changed, added and removed nothing there.
 */
export function fileTreeSnapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) {
        out[`${path.relative(root, p)}/`] = 'dir';
        walk(p);
      } else out[path.relative(root, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(root);
  return out;
}
