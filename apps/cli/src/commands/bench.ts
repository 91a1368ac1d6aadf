import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { IOError } from '@clade/core';
import type { Command } from 'commander';
import { runCommand, type GlobalOptions } from '../run';

/**
 * The repository's bench runner (bench/ is not published with the CLI): next to the running
 * apps/cli/src/main.ts, or under the working directory.
 */
function benchRunner(): string | null {
  const entry = path.dirname(process.argv[1] ?? '.');
  for (const p of [path.resolve(entry, '../../../bench/run.ts'), path.resolve('bench/run.ts')]) if (existsSync(p)) return p;
  return null;
}

/**
 * `clade bench [suite] [flags…]`: the repository's benchmark suites (`pnpm bench`), which print
 * tables with ratios measured in the same run. Flags after the suite go to the runner unchanged.
 */
export function registerBench(program: Command): void {
  program
    .command('bench [suite] [flags...]')
    .description(
      'Run the benchmark suites (tables with ratios measured in the same run): backend, norm, generator, data, train, ' +
        'group-conv, metrics, onnx, demo, all.',
    )
    .allowUnknownOption()
    .helpOption('-h, --help', 'display help for command')
    .addHelpText(
      'after',
      `
Runs from a clone of the repository (bench/ is not published). Suite flags pass through.

Examples:
  clade bench norm                      # SPADE vs CLADE normalization layer, every backend
  clade bench generator --ngf 16 --crop-size 128
  clade bench train --backends native,wasm --threads 1,2 --profile
  CLADE_BENCH_PYTHON=python3 clade bench train --batch 1,4   # vs the same iteration in PyTorch
  clade bench onnx                      # tfjs vs onnxruntime-node vs the fused CLADE op, CLADE vs SPADE
  clade bench metrics                   # Inception and segmenter images/s`,
    )
    .action(async (suite: string | undefined, flags: string[], _opts: GlobalOptions, cmd: Command) => {
      const all = cmd.optsWithGlobals<GlobalOptions>();
      await runCommand(all, async () => {
        const runner = benchRunner();
        if (!runner) throw new IOError('bench: the benchmark suites live in the repository (bench/run.ts); run clade bench from a clone.');
        const env = { ...process.env, ...(all.backend && { CLADE_BACKEND: all.backend }), ...(all.threads && { CLADE_THREADS: all.threads }) };
        const r = spawnSync(process.execPath, ['--conditions=@clade/source', '--import', 'tsx', runner, ...(suite ? [suite] : []), ...flags], {
          stdio: 'inherit',
          env,
          cwd: path.resolve(path.dirname(runner), '..'),
        });
        process.exitCode = r.status ?? 1;
      });
    });
}
