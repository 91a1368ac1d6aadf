// `pnpm demo [--model dir] [--spade-model dir] [--port n] [--host h]`: builds the page and serves it.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, isUserError } from '@clade/core';
import { buildBundle } from './build';
import { startDemoServer } from './serve';

const USAGE = 'usage: pnpm demo [--model <dir>] [--spade-model <dir>] [--port <n>] [--host <addr>]';
const FLAGS = ['--model', '--spade-model', '--port', '--host'];

function parseFlags(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') {
      process.stdout.write(
        `${USAGE}\n` +
          `  --model        CLADE model folder (default models/default-clade)\n` +
          `  --spade-model  SPADE model folder, shown side by side\n` +
          `  --port         default 5180 (0 = any free port)\n` +
          `  --host         default 127.0.0.1\n`,
      );
      process.exit(0);
    }
    const [k, inline] = a.split('=', 2) as [string, string | undefined];
    if (!FLAGS.includes(k)) throw new ConfigError(`demo: unknown argument '${a}'; ${USAGE}.`);
    const v = inline ?? argv[++i];
    if (v === undefined) throw new ConfigError(`demo: ${k} needs a value; ${USAGE}.`);
    out[k.slice(2)] = v;
  }
  return out;
}

async function main(): Promise<void> {
  const demoRoot = fileURLToPath(new URL('../..', import.meta.url));
  const repoRoot = path.resolve(demoRoot, '..', '..');
  // pnpm runs root scripts in the repo root; INIT_CWD is where the user typed the command.
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const flags = parseFlags(process.argv.slice(2));
  const port = Number(flags.port ?? 5180);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`demo: --port must be an integer in 0..65535, got '${flags.port}'.`);
  const modelDir = flags.model ? path.resolve(cwd, flags.model) : path.join(repoRoot, 'models', 'default-clade');
  const spadeModelDir = flags['spade-model'] ? path.resolve(cwd, flags['spade-model']) : null;
  const t0 = Date.now();
  await buildBundle(demoRoot);
  const server = await startDemoServer({ demoRoot, modelDir, spadeModelDir, port, host: flags.host ?? '127.0.0.1' });
  const shown = (p: string) => (path.relative(cwd, p).startsWith('..') ? p : path.relative(cwd, p) || '.');
  const served = `${shown(modelDir)}${spadeModelDir ? ` and ${shown(spadeModelDir)}` : ''}`;
  process.stdout.write(`clade demo: built in ${Date.now() - t0} ms; serving ${served} at ${server.url} (Ctrl+C stops)\n`);
}

main().catch((e: unknown) => {
  // User errors (ConfigError, IOError, ...) are one line; anything else is a bug with its stack.
  process.stderr.write(isUserError(e) ? `${(e as Error).message}\n` : `${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(isUserError(e) ? 2 : 1);
});
