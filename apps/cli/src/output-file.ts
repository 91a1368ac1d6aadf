import { accessSync, constants, existsSync, realpathSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { ConfigError, IOError } from '@clade/core';
import { countNonFinite } from '@clade/core/internal';

/** An output file a command will write: its flag, its path (absent: not asked for) and its extension. */
export interface OutputFile {
  flag: string;
  file: string | undefined;
  ext: string;
}

/** The path as the file system resolves it (its folder's real path: the file may not exist yet). */
function identity(file: string): string {
  const abs = path.resolve(file);
  try {
    return realpathSync(abs);
  } catch {
    try {
      return path.join(realpathSync(path.dirname(abs)), path.basename(abs));
    } catch {
      return abs;
    }
  }
}

/**
 * The output rules of every command that writes a file, checked before any work: the extension
 * its format needs; never one of the command's inputs (nor another output); never an existing
 * file without `--force`; a folder that can be written (missing folders are
 * made when the file is written). Each refusal is one line naming
 * the flag and the path.
 */
export function checkOutputFiles(outputs: OutputFile[], inputs: Array<[flag: string, file: string | undefined]>, force: boolean): void {
  const seen: Array<[string, string]> = inputs.filter((i): i is [string, string] => i[1] !== undefined).map(([f, p]) => [f, identity(p)]);
  for (const { flag, file, ext } of outputs) {
    if (file === undefined) continue;
    if (!file.toLowerCase().endsWith(ext)) throw new ConfigError(`${flag} must name a ${ext} file, got '${file}'.`);
    const id = identity(file);
    const clash = seen.find(([, p]) => p === id);
    if (clash) throw new ConfigError(`${flag} '${file}' is also ${clash[0]}: writing it would destroy that file; choose another path.`);
    seen.push([flag, id]);
    if (existsSync(file)) {
      if (statSync(file).isDirectory()) throw new ConfigError(`${flag} '${file}' is a folder; name a ${ext} file.`);
      if (!force) throw new ConfigError(`${flag} '${file}' exists; pass --force to replace it.`);
    }
    // Missing folders are made at write time: the nearest existing one must be a writable folder.
    let dir = path.dirname(path.resolve(file));
    while (!existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
    if (!statSync(dir).isDirectory()) throw new IOError(`${flag} '${file}': '${dir}' is a file, not a folder.`);
    try {
      accessSync(dir, constants.W_OK);
    } catch {
      throw new IOError(`${flag} '${file}': the folder '${dir}' is not writable.`);
    }
  }
}

/** Makes the folder an output goes to (checkOutputFiles has vetted the path). */
export async function ensureParent(file: string): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
}

/**
 * A generator output about to be written must be finite: NaN quantises to black, so a broken
 * model or latent would otherwise pass as an image. Nothing is written when it is not.
 */
export function checkFiniteOutput(values: Float32Array, flag: string, file: string): void {
  const bad = countNonFinite(values).count;
  if (bad > 0)
    throw new ConfigError(
      `${flag} '${file}' not written: the generator's output holds ${bad} non-finite ` +
        `value${bad === 1 ? '' : 's'} of ${values.length} (NaN or ±Infinity: the weights or the latent overflow).`,
    );
}
