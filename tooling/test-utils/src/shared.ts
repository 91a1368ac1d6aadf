import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** The repository root: the nearest folder above cwd holding pnpm-workspace.yaml. */
function repoRoot(): string {
  let dir = process.cwd();
  for (;;) {
    if (existsSync(path.join(dir, 'pnpm-workspace.yaml'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

/**
 * Path inside the read-only shared folder (`CLADE_SHARED`, default `<repo>/../shared`).
 * Its data may not be redistributed, so it never enters the repository.
 */
export function sharedPath(...parts: string[]): string {
  const base = process.env.CLADE_SHARED ?? path.join(repoRoot(), '..', 'shared');
  return path.join(base, ...parts);
}

/**
 * `describe` when every listed shared file exists; otherwise a visible skip (a user's
 * fresh clone has no ../shared). In CI the shared folder is always present, so a missing
 * file there fails loudly instead of skipping.
 */
export function describeWithShared(name: string, files: string[], fn: () => void): void {
  const missing = files.filter((f) => !existsSync(sharedPath(f)));
  if (missing.length === 0) {
    describe(name, fn);
    return;
  }
  if (process.env.CI === 'true' && existsSync(sharedPath())) {
    describe(name, () => {
      it('has its shared fixtures', () => {
        throw new Error(`missing shared files: ${missing.join(', ')}`);
      });
    });
    return;
  }
  // eslint-disable-next-line no-console
  console.warn(`SKIPPED "${name}": shared data not found (${missing.map((m) => sharedPath(m)).join(', ')}).`);
  // Not describe.skip(name, fn): jest still runs fn to collect its tests, and bodies that read
  // shared files while collecting would crash. One visible skipped test stands for the block.
  describe(name, () => {
    it.skip(`needs ../shared (${missing.join(', ')})`, () => {});
  });
}
