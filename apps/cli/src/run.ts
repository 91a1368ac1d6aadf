import { resolveBackendName, type InitBackendOptions } from '@clade/backend';
import { ConfigError, isUserError } from '@clade/core';

/** Options every command accepts. */
export interface GlobalOptions {
  backend?: string;
  threads?: string;
  verbose?: boolean;
  json?: boolean;
  maxPixels?: string;
}

/**
 * Runs a command body with the CLI's error convention: a user error (bad argument, missing or
 * corrupt file, wrong shape) prints one line and exits 2; anything else is a bug and prints its
 * stack (exit 1). `--verbose` prints the stack for user errors too.
 */
export async function runCommand(opts: GlobalOptions, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (e) {
    if (isUserError(e)) {
      process.stderr.write(`clade: ${(e as Error).message}\n`);
      if (opts.verbose) process.stderr.write(`${(e as Error).stack}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`clade: internal error (please report it): ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 1;
  }
}

/** --max-pixels: a positive integer, or 'none' for no limit; undefined leaves @clade/data's default. */
export function parseMaxPixels(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (v === 'none') return Infinity;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`--max-pixels must be a positive integer or 'none', got '${v}'.`);
  return n;
}

/** A flag that takes a positive integer; undefined when it is not given. */
export function parsePositiveInt(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${flag} must be a positive integer, got '${v}'.`);
  return n;
}

export function parseThreads(v: string | undefined): number | undefined {
  return parsePositiveInt(v, '--threads');
}

/**
 * --backend and --threads as `initBackend` options. The backend string is checked here (a flag,
 * else CLADE_BACKEND, else 'auto'), so it reaches initBackend typed; --threads is checked first,
 * the order the two errors came in when the options were written inline.
 */
export function backendOptions(o: Pick<GlobalOptions, 'backend' | 'threads'>): InitBackendOptions {
  const threads = parseThreads(o.threads);
  return { backend: resolveBackendName(o.backend), threads };
}
