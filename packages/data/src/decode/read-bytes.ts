import { readFile } from 'node:fs/promises';
import { IOError } from '@clade/core';

/** Reads a whole file; errors are IOErrors naming `path` and `component`. */
export async function readBytes(path: string, component: string): Promise<Uint8Array> {
  try {
    const buf = await readFile(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw new IOError(`${component}: could not read '${path}' (${why}).`, { cause: e });
  }
}
