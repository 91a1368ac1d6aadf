import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { initBackend } from '@clade/backend';
import { ConfigError, IOError, writeFileAtomic } from '@clade/core';
import { SpadeGenerator, presetLabelSpec } from '@clade/spade-gen';
import { loadCheckpoint, resolveRunConfig, type RunConfigInput } from '@clade/trainer';
import type { Command } from 'commander';
import { saveGeneratorDir } from '@clade/runtime/node';
import { backendOptions, runCommand, type GlobalOptions } from '../run';
import { runModelName } from './synthesize-family';

interface ExportOptions extends GlobalOptions {
  cropSize?: string;
  float16?: boolean;
  force?: boolean;
  from: string;
}

/**
 * `clade export <run dir> <out dir>`: the generator of a training run (run.json +
 * checkpoints/latest.npz) as a model folder that `synthesize --checkpoint` and the demo load.
 * The generator is fully convolutional, so `--crop-size` may differ from the training size.
 */
export function registerExport(program: Command): void {
  program
    .command('export <run> <out>')
    .description(
      'Export the generator of a `clade train` run as a tfjs model folder (model.json, weights.bin, clade.json, ' +
        'and the run.json it was trained with).',
    )
    .option('--crop-size <n>', 'output width of the exported generator (default: the training crop)')
    .option('--float16', 'store weights at half precision (half the size; ~1e-3 relative error)')
    .option('--force', 'overwrite an existing model folder')
    .option('--from <checkpoint>', "which checkpoint: 'latest' (default) or 'best' (kept by --fid-every / --miou-every)", 'latest')
    .addHelpText(
      'after',
      `
Examples:
  clade export runs/tiny models/tiny
  clade export runs/default models/default --crop-size 256 --float16
  clade export runs/default models/default-best --from best --crop-size 256 --float16`,
    )
    .action(async (run: string, out: string, opts: ExportOptions, cmd: Command) => {
      const all = { ...cmd.optsWithGlobals<ExportOptions>(), ...opts };
      await runCommand(all, async () => {
        const runJson = path.join(run, 'run.json');
        if (all.from !== 'latest' && all.from !== 'best') throw new ConfigError(`export: --from must be 'latest' or 'best', got '${all.from}'.`);
        const ckpt = path.join(run, 'checkpoints', `${all.from}.npz`);
        if (!existsSync(runJson) || !existsSync(path.join(run, 'checkpoints', 'latest.npz')))
          throw new IOError(`export: '${run}' is not a clade run folder (needs run.json and checkpoints/latest.npz).`);
        if (!existsSync(ckpt))
          throw new IOError(
            `export: '${run}' has no checkpoints/best.npz; a run keeps one only when it evaluates (--fid-every or --miou-every). Use --from latest.`,
          );
        if (existsSync(path.join(out, 'model.json')) && !all.force)
          throw new ConfigError(`export: '${out}' already holds a model; pass --force to overwrite it.`);
        await initBackend(backendOptions(all));
        const config = resolveRunConfig(JSON.parse(await readFile(runJson, 'utf8')) as RunConfigInput);
        if (config.model !== 'spade')
          throw new ConfigError(
            `export: '${run}' trains a ${runModelName(config)} generator; model folders hold SPADE/CLADE generators. ` +
              `Synthesize from the run itself: clade synthesize --model ${runModelName(config)} --checkpoint ${run} …`,
          );
        const crop = all.cropSize === undefined ? config.generator.cropSize : Number(all.cropSize);
        const G = new SpadeGenerator({ ...config.generator, cropSize: crop });
        const state = await loadCheckpoint(ckpt, { models: { G: G.model }, optimizers: {} });
        const generator = { ...G.config, initSeed: null };
        const sha256 = createHash('sha256').update(await readFile(ckpt)).digest('hex');
        await saveGeneratorDir(
          out,
          { preset: 'ade20k', config: generator, label: presetLabelSpec(generator), model: G.model, source: ckpt },
          { file: `${path.basename(run)}@iteration-${state.iteration}`, sha256 },
          { float16: all.float16 },
        );
        // The run's config travels with the model: how it was trained, and its init seed.
        await writeFileAtomic(path.join(out, 'run.json'), await readFile(runJson));
        process.stdout.write(`exported iteration ${state.iteration} of ${run} to ${out} (crop ${crop}${all.float16 ? ', float16' : ''}).\n`);
        G.dispose();
      });
    });
}
