import { homedir } from 'node:os';
import * as path from 'node:path';

/**
 * Where model files are looked up when no path is given: `$CLADE_MODELS`, else
 * `~/.cache/clade/models`. Nothing is ever downloaded; missing files are errors that say what
 * to download and where to put it.
 */
export function defaultModelsDir(): string {
  return process.env.CLADE_MODELS || path.join(homedir(), '.cache', 'clade', 'models');
}

/** Where `fileName` is looked up when no path is given: inside `defaultModelsDir()`. */
export function defaultModelPath(fileName: string): string {
  return path.join(defaultModelsDir(), fileName);
}
