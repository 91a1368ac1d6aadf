import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { initBackend } from '@clade/backend';
import { ConfigError, IOError, writeFileAtomic } from '@clade/core';
import { resolveRunConfig, train, type RunConfigInput, type StepLosses } from '@clade/trainer';
import type { Command } from 'commander';
import { backendOptions, parsePositiveInt, runCommand, type GlobalOptions } from '../run';

interface TrainOptions extends GlobalOptions {
  config?: string;
  out?: string;
  resume?: string;
  iterations?: string;
  batchSize?: string;
  accumulate?: string;
  seed?: string;
  checkpointEvery?: string;
  vggWeights?: string;
  initG?: string;
  initD?: string;
  initE?: string;
  initPartial?: boolean;
  fidEvery?: string;
  miouEvery?: string;
  evalCount?: string;
  inceptionWeights?: string;
  segmenter?: string;
  force?: boolean;
  maxCropSize?: string;
}

async function readConfig(file: string): Promise<RunConfigInput> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new IOError(`--config: cannot read '${file}': ${(e as Error).message}`);
  }
  let cfg: RunConfigInput;
  try {
    cfg = JSON.parse(text) as RunConfigInput;
  } catch (e) {
    throw new ConfigError(`--config: '${file}' is not valid JSON: ${(e as Error).message}`);
  }
  if (!cfg || typeof cfg !== 'object' || Array.isArray(cfg))
    throw new ConfigError(`--config: '${file}' must hold a JSON object (a run config), got ${JSON.stringify(cfg)}.`);
  // Paths in the config are relative to the config file.
  const rel = (p: string) => (path.isAbsolute(p) ? p : path.resolve(path.dirname(file), p));
  if (typeof cfg.data?.root === 'string') cfg.data.root = rel(cfg.data.root);
  if (typeof cfg.loss?.vggWeights === 'string') cfg.loss.vggWeights = rel(cfg.loss.vggWeights);
  if (typeof cfg.generator?.init === 'string') cfg.generator.init = rel(cfg.generator.init);
  if (typeof cfg.discriminator?.init === 'string') cfg.discriminator.init = rel(cfg.discriminator.init);
  for (const net of ['generator', 'discriminator'] as const) {
    const p = cfg.init?.[net];
    if (typeof p === 'string') cfg.init![net] = rel(p);
  }
  for (const file of ['inceptionWeights', 'segmenter'] as const) {
    const p = cfg.eval?.[file];
    if (typeof p === 'string') cfg.eval![file] = rel(p);
  }
  return cfg;
}

function intFlag(v: string | undefined, name: string): number | undefined {
  return parsePositiveInt(v, `--${name}`);
}

const SCHEDULE_FLAGS = ['iterations', 'checkpointEvery', 'fidEvery', 'miouEvery', 'evalCount', 'inceptionWeights', 'segmenter'] as const;

function scheduleFlagsGiven(all: TrainOptions): boolean {
  return SCHEDULE_FLAGS.some((k) => all[k] !== undefined);
}

/** --iterations, --checkpoint-every and the evaluation flags, written into a run config. */
function applyScheduleFlags(config: RunConfigInput, all: TrainOptions): void {
  const iterations = intFlag(all.iterations, 'iterations');
  const every = intFlag(all.checkpointEvery, 'checkpoint-every');
  if (iterations) config.schedule = { ...config.schedule, maxIterations: iterations };
  if (every) config.schedule = { ...config.schedule, checkpointEvery: every };
  const fidEvery = intFlag(all.fidEvery, 'fid-every');
  const miouEvery = intFlag(all.miouEvery, 'miou-every');
  if (fidEvery && miouEvery) throw new ConfigError('train: give --fid-every or --miou-every, not both (one metric picks the best checkpoint).');
  const evalCount = intFlag(all.evalCount, 'eval-count');
  if (fidEvery) config.eval = { ...config.eval, every: fidEvery, metric: 'fid' };
  if (miouEvery) config.eval = { ...config.eval, every: miouEvery, metric: 'miou' };
  if (evalCount) config.eval = { ...config.eval, count: evalCount };
  if (all.inceptionWeights) config.eval = { ...config.eval, inceptionWeights: path.resolve(all.inceptionWeights) };
  if (all.segmenter) config.eval = { ...config.eval, segmenter: path.resolve(all.segmenter) };
}

/** A one-line progress display on a terminal, a line per checkpoint interval otherwise. */
function progress(total: number | null) {
  const tty = process.stderr.isTTY;
  let last = performance.now();
  let rate = 0;
  return (i: { iteration: number; epoch: number; losses: StepLosses }) => {
    const now = performance.now();
    rate = rate === 0 ? 1000 / (now - last) : 0.8 * rate + 0.2 * (1000 / (now - last));
    last = now;
    const losses = Object.entries(i.losses).map(([k, v]) => `${k} ${v.toFixed(3)}`).join('  ');
    const line = `iter ${i.iteration}${total ? `/${total}` : ''}  epoch ${i.epoch}  ${losses}  ${rate.toFixed(2)} it/s`;
    if (tty) process.stderr.write(`\r${line}\u001b[K`);
    else if (i.iteration % 10 === 0) process.stderr.write(`${line}\n`);
  };
}

/** `clade train`: a new run from a JSON config, or --resume of a run folder. */
export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('Train a SPADE/CLADE, SEAN or GroupDNet generator (config "model") with the official objective; checkpoints are atomic and resumable.')
    .option('--config <run.json>', 'run config (model, data, loss, optimizer, schedule, seed)')
    .option('--out <dir>', 'run folder (run.json, log.jsonl, checkpoints/latest.npz)')
    .option('--resume <dir>', 'continue the run in this folder from its last complete checkpoint')
    .option('--force', "a new run in an --out folder that already holds one replaces that run's files (refused otherwise)")
    .option('--max-crop-size <n>', 'the largest generator.cropSize a new run accepts (default 2048; memory grows with its square)')
    .option('--iterations <n>', 'override schedule.maxIterations')
    .option('--batch-size <n>', 'override data.batchSize')
    .option('--accumulate <k>', 'override data.accumulate: average the gradients of k batches per step (less memory, more time)')
    .option('--checkpoint-every <n>', 'override schedule.checkpointEvery')
    .option('--seed <n>', 'override the run seed')
    .option(
      '--init-g <pth|npz|dir>',
      "fine-tune: start the new run from an official generator state dict, another run's checkpoint, or a model folder " +
        'such as models/default-clade (generator.init)',
    )
    .option(
      '--init-d <pth|npz>',
      "fine-tune: start the new run from an official discriminator state dict or another run's checkpoint (discriminator.init)",
    )
    .option(
      '--init-e <pth|npz>',
      "fine-tune a VAE run: start its encoder from an official netE state dict or another run's checkpoint (init.encoder)",
    )
    .option(
      '--init-partial',
      'with a run checkpoint: load the weights that match by name and shape, keep the fresh init for the rest (init.partial)',
    )
    .option('--vgg-weights <pth>', "torchvision's vgg19-*.pth: turns on the VGG perceptual loss (loss.vggWeights)")
    .option('--fid-every <n>', 'score FID on held-out samples every n iterations and keep checkpoints/best.npz (needs --inception-weights)')
    .option('--miou-every <n>', 'score mIoU of the ADE20K segmenter every n iterations and keep checkpoints/best.npz (needs --segmenter)')
    .option('--eval-count <n>', 'held-out (val) samples per evaluation (eval.count, default 50)')
    .option('--inception-weights <pth>', "pytorch-fid's pt_inception-2015-12-05-6726825d.pth (eval.inceptionWeights)")
    .option('--segmenter <onnx>', 'deeplabv3_mnv2_ade20k_513.onnx (eval.segmenter)')
    .addHelpText(
      'after',
      `
Examples:
  clade train --config examples/train-tiny.json --out runs/tiny
  clade train --config examples/train-tiny.json --out runs/tiny --iterations 100
  clade train --config examples/train-sean-tiny.json --out runs/sean          # SEAN-CLADE ("model": "sean")
  clade train --config examples/train-groupdnet-tiny.json --out runs/gd      # GroupDNet-CLADE ("model": "groupdnet")
  clade train --config run.json --out runs/a --vgg-weights ~/models/vgg19-dcbb9e9d.pth
  clade train --config coco.json --out runs/ft --init-g latest_net_G.pth --init-d latest_net_D.pth
  clade train --config examples/train-groupdnet-tiny.json --out runs/gft --init-g latest_net_G.pth --init-e latest_net_E.pth
  clade train --config vae.json --out runs/vae --init-g runs/d/checkpoints/latest.npz --init-d runs/d/checkpoints/latest.npz --init-partial
  clade train --config examples/train-default-v2-vae.json --out runs/v2 --init-g models/default-clade   # continue the bundled model
  clade train --config run.json --out runs/b --fid-every 1000 --inception-weights pt_inception-2015-12-05-6726825d.pth
  clade train --config examples/train-default.json --out runs/d --miou-every 500 --segmenter deeplabv3_mnv2_ade20k_513.onnx
  clade train --config examples/train-tiny.json --out runs/tiny --force  # replace the run in runs/tiny
  clade train --resume runs/tiny          # after an interruption (even SIGKILL)
  clade train --resume runs/d --iterations 5000 --miou-every 500 --segmenter deeplabv3_mnv2_ade20k_513.onnx`,
    )
    .action(async (opts: TrainOptions, cmd: Command) => {
      const all = { ...cmd.optsWithGlobals<TrainOptions>(), ...opts };
      await runCommand(all, async () => {
        if (!all.resume && !(all.config && all.out))
          throw new ConfigError('train: give --config <run.json> and --out <dir> for a new run, or --resume <dir>.');
        if (all.resume) {
          // Flags that change what is trained would break the exact continuation.
          const fixed = [
            ['--force', all.force], ['--init-g', all.initG], ['--init-d', all.initD], ['--init-e', all.initE],
            ['--init-partial', all.initPartial], ['--batch-size', all.batchSize], ['--accumulate', all.accumulate],
            ['--seed', all.seed], ['--vgg-weights', all.vggWeights], ['--config', all.config],
          ] as const;
          for (const [flag, v] of fixed)
            if (v !== undefined)
              throw new ConfigError(
                `train --resume: ${flag} would change what the run trains; it continues exactly as its run.json ` +
                  `says. Only --iterations, --checkpoint-every and the evaluation flags apply to a resumed run.`,
              );
        }
        const choice = await initBackend(backendOptions(all));
        let config: RunConfigInput | undefined;
        if (!all.resume) {
          config = await readConfig(all.config!);
          const batchSize = intFlag(all.batchSize, 'batch-size');
          const accumulate = intFlag(all.accumulate, 'accumulate');
          if (batchSize) config.data = { ...config.data, batchSize };
          if (accumulate) config.data = { ...config.data, accumulate };
          if (all.seed !== undefined) config.seed = Number(all.seed);
          if (all.vggWeights) config.loss = { ...config.loss, vggWeights: path.resolve(all.vggWeights) };
          if (all.initG) config.generator = { ...config.generator, init: null };
          if (all.initD && config.discriminator) config.discriminator = { ...config.discriminator, init: null };
          if (all.initG || all.initD || all.initE) {
            config.init = {
              ...config.init,
              ...(all.initG ? { generator: path.resolve(all.initG) } : {}),
              ...(all.initD ? { discriminator: path.resolve(all.initD) } : {}),
              ...(all.initE ? { encoder: path.resolve(all.initE) } : {}),
            };
          }
          if (all.initPartial) config.init = { ...config.init, partial: true };
          applyScheduleFlags(config, all);
          resolveRunConfig(config); // a bad config is one clear line before anything is printed or written
        } else if (scheduleFlagsGiven(all)) {
          // A resumed run reads run.json: the schedule and evaluation flags are written into it.
          const runJson = path.join(all.resume, 'run.json');
          const run = JSON.parse(await readFile(runJson, 'utf8').catch(() => {
            throw new IOError(`train --resume: '${runJson}' not found; start a run with --config first.`);
          })) as RunConfigInput;
          applyScheduleFlags(run, all);
          resolveRunConfig(run); // one clear error before anything is written
          await writeFileAtomic(runJson, new TextEncoder().encode(`${JSON.stringify(run, null, 2)}\n`));
        }
        const out = all.resume ?? all.out!;
        const t0 = performance.now();
        const result = await train({
          out,
          config,
          resume: Boolean(all.resume),
          overwrite: Boolean(all.force),
          maxCropSize: intFlag(all.maxCropSize, 'max-crop-size'),
          // After validation: a refused run prints its error line alone.
          onStart: () =>
            process.stderr.write(
              `clade train: backend ${choice.name}, ${choice.threads} ` +
                `thread${choice.threads === 1 ? '' : 's'}; run folder ${path.resolve(out)}\n`,
            ),
          log: (l) => process.stderr.write(`${l}\n`),
          onIteration: progress(config?.schedule?.maxIterations ?? null),
        });
        if (process.stderr.isTTY) process.stderr.write('\n');
        process.stdout.write(
          `trained to iteration ${result.state.iteration} (epoch ${result.state.epoch}) in ${((performance.now() - t0) / 1000).toFixed(1)} s; ` +
            `checkpoint ${path.join(path.resolve(out), 'checkpoints', 'latest.npz')}\n`,
        );
      });
    });
}
