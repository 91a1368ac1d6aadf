import { IOError } from '../errors';

const TEMP_NAME = /^\.(.+)\.(\d+)\.[0-9a-f]+\.tmp$/;

/** The temporary file name `writeFileAtomic` uses for `target` (a base name): hidden, with the writer's pid and a hex nonce. */
export function atomicTempName(target: string, pid: number, nonce: string): string {
  return `.${target}.${pid}.${nonce}.tmp`;
}

/**
 * What a temporary file name of `writeFileAtomic` says: the file it was to become and the writer's
 * process id; null for any other name. Lets a resumed run remove what a killed writer left.
 */
export function parseAtomicTempName(name: string): { target: string; pid: number } | null {
  const m = TEMP_NAME.exec(name);
  return m ? { target: m[1]!, pid: Number(m[2]) } : null;
}

/**
 * Writes `bytes` to `path` atomically: a temporary file in the same folder, fsync, then
 * rename over `path` (readers see the old file or the new one, never a partial one), then a
 * best-effort fsync of the folder. Node only; `node:fs` is imported lazily so browser
 * bundles of this package stay loadable.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const fs = await import('node:fs/promises');
  const { dirname, basename, join } = await import('node:path');
  const { randomBytes } = await import('node:crypto');
  const dir = dirname(path);
  const tmp = join(dir, atomicTempName(basename(path), process.pid, randomBytes(6).toString('hex')));
  try {
    const fh = await fs.open(tmp, 'wx');
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, path);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw new IOError(`writeFileAtomic: could not write '${path}': ${(e as Error).message}.`, { cause: e });
  }
  try {
    const dh = await fs.open(dir, 'r');
    try { await dh.sync(); } finally { await dh.close(); }
  } catch {
    // Some platforms (Windows) cannot fsync a folder; the rename itself has happened.
  }
}
