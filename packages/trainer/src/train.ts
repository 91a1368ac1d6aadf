import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, DivergedError, IOError, loadTorchCheckpointFile, loadTorchStateDict, writeFileAtomic } from '@clade/core';
import { SYNTH_VERSION, datasetInfo, disposeBatch, iterateBatches, listDataset, writeSynthDataset, type Batch } from '@clade/data';
import { DEFAULT_MAX_CROP_SIZE, GENERATOR_DEFAULTS, MultiscaleDiscriminator } from '@clade/spade-gen';
import { initFromCheckpoint, initFromModelFolder, loadCheckpoint, saveCheckpoint, type TrainingState } from './checkpoint';
import { isBetter } from './eval-config';
import { createEvaluator, type Evaluator } from './evaluation';
import { saveImageGrid } from './image-grid';
import { createAdam, isOfficialWeights, learningRates, resolveRunConfig, type RunConfig, type RunConfigInput } from './run-config';
import { trainStep, type StepLosses, type StepModels } from './step';
import { buildTrainable, classChannelsOf, type SampleSpec, type TrainableGenerator } from './trainable';
import { VGG19_WIDTHS, loadVgg19Features, type Vgg19Features } from './vgg';

export interface TrainOptions {
  /** Run folder: run.json, log.jsonl, checkpoints/latest.npz, images/iter_<N>.png. */
  out: string;
  /** A new run's config (ignored with resume, which reads <out>/run.json). */
  config?: RunConfigInput;
  /** Continue from <out>/checkpoints/latest.npz. */
  resume?: boolean;
  /**
   * A new run in a folder that already holds one (or other files) replaces the run's files
   * (run.json, log.jsonl, checkpoints/, images/) once everything else is validated; without it
   * such a folder is refused before anything is written.
   */
  overwrite?: boolean;
  /** Called once everything is validated, before the first file is written (CLI banners). */
  onStart?: () => void;
  /** A new run's largest generator.cropSize (default DEFAULT_MAX_CROP_SIZE, 2048): a guard against typos. */
  maxCropSize?: number;
  /** Called after every iteration (progress bars). */
  onIteration?: (info: { iteration: number; epoch: number; losses: StepLosses; seconds: number }) => void;
  /** Human-readable notes (e.g. "training without the VGG loss"). */
  log?: (line: string) => void;
}

export interface TrainResult {
  state: TrainingState;
  config: RunConfig;
}

const LATEST = 'latest.npz';
const BEST = 'best.npz';

/** A 32-bit mix of the run seed and a counter: every random draw is a function of both. */
function mixSeed(seed: number, k: number): number {
  let h = (seed ^ 0x9e3779b9) + Math.imul(k, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  return (h ^ (h >>> 15)) >>> 0;
}

async function readRunConfig(out: string): Promise<RunConfig> {
  const p = path.join(out, 'run.json');
  if (!existsSync(p)) throw new IOError(`train --resume: '${p}' not found; start a run with --config first.`);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(p, 'utf8'));
  } catch (e) {
    throw new ConfigError(`train --resume: '${p}' is not valid JSON (${(e as Error).message}).`);
  }
  return resolveRunConfig(json as RunConfigInput);
}

/** Removes what a run writes into its folder (run.json, log.jsonl, checkpoints/, images/), nothing else. */
async function removeRunFiles(out: string): Promise<void> {
  for (const entry of ['run.json', 'log.jsonl', 'checkpoints', 'images']) await rm(path.join(out, entry), { recursive: true, force: true });
}

/** Refuses a new run in a folder that holds anything, unless it may be replaced. */
async function checkRunFolder(out: string, overwrite: boolean): Promise<void> {
  if (!existsSync(out)) return;
  const entries = await readdir(out).catch(() => {
    throw new IOError(`train: the run folder '${out}' exists and is not a readable folder.`);
  });
  if (entries.length === 0 || overwrite) return;
  const what = entries.includes('run.json')
    ? 'a run (run.json)'
    : `${entries.length} file${entries.length === 1 ? '' : 's'} (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', ...' : ''})`;
  throw new ConfigError(`train: the run folder '${out}' already holds ${what}; continue it with --resume, or replace it with --force.`);
}

/** Keeps only log lines of iterations ≤ `iteration` (the ones the checkpoint covers). */
async function truncateLog(file: string, iteration: number): Promise<void> {
  if (!existsSync(file)) return;
  const iterOf = (line: string): number => {
    try {
      return (JSON.parse(line) as { iter: number }).iter;
    } catch {
      return Infinity; // a line cut short by a crash
    }
  };
  const kept = (await readFile(file, 'utf8'))
    .split('\n')
    .filter((l) => l.trim() && iterOf(l) <= iteration);
  await writeFileAtomic(file, new TextEncoder().encode(kept.map((l) => `${l}\n`).join('')));
}

/**
 * Trains G and D with the official objective and schedule. Checkpoints (every
 * schedule.checkpointEvery iterations and at every epoch end) are atomic; `resume` continues from
 * the last complete one with the same data order, crops and counters, so an interrupted run loses
 * at most the work since that checkpoint.
 */
export async function train(opts: TrainOptions): Promise<TrainResult> {
  const log = opts.log ?? (() => {});
  const out = path.resolve(opts.out);
  const outExisted = existsSync(out);
  let config: RunConfig;
  if (opts.resume) config = await readRunConfig(out);
  else {
    if (!opts.config) throw new ConfigError('train: a config is required for a new run (or pass resume).');
    config = resolveRunConfig(opts.config);
    const crop = config.generator.cropSize ?? GENERATOR_DEFAULTS.cropSize;
    const maxCrop = opts.maxCropSize ?? DEFAULT_MAX_CROP_SIZE;
    if (crop > maxCrop)
      throw new ConfigError(
        `run config: generator.cropSize ${crop} is over the limit of ${maxCrop} (memory ` +
          `grows with its square); raise the limit with --max-crop-size if you mean it.`,
      );
    // Weights are a function of the run seed unless the config fixes its own init seed.
    config.generator.initSeed ??= mixSeed(config.seed, 1);
    config.discriminator.initSeed ??= mixSeed(config.seed, 2);
    if (config.encoder) config.encoder.initSeed ??= mixSeed(config.seed, 3);
    // run.json holds absolute paths, so a resume from another folder finds the same files.
    if (config.loss.vggWeights) config.loss.vggWeights = path.resolve(config.loss.vggWeights);
    for (const net of ['generator', 'discriminator'] as const) if (config.init[net]) config.init[net] = path.resolve(config.init[net]!);
    for (const file of ['inceptionWeights', 'segmenter'] as const) if (config.eval[file]) config.eval[file] = path.resolve(config.eval[file]!);
    await checkRunFolder(out, opts.overwrite ?? false);
  }
  let vgg: Vgg19Features | null = null;
  if (config.loss.lambdaVgg > 0 && config.loss.vggWeights) {
    vgg = await loadVgg19Features(path.resolve(config.loss.vggWeights), { widths: 'infer' });
    const widths = vgg.widths.join(',') === VGG19_WIDTHS.join(',') ? '' : ` (widths ${vgg.widths.join(', ')}, not VGG19's)`;
    log(`VGG loss on (lambdaVgg ${config.loss.lambdaVgg}): ${config.loss.vggWeights}${widths}`);
  } else if (config.loss.lambdaVgg > 0) log('No VGG weights given (loss.vggWeights): training without the VGG loss.');
  else if (config.loss.vggWeights) log('loss.lambdaVgg is 0: training without the VGG loss (loss.vggWeights unused).');

  const gen = buildTrainable(config);
  const spec = gen.sample;
  const D = new MultiscaleDiscriminator({
    ...config.discriminator,
    labelNc: spec.labelNc,
    containDontcare: spec.containDontcare,
    useInstance: spec.useInstance,
  });
  let optG: tf.Optimizer | null = null;
  let optD: tf.Optimizer | null = null;
  let evaluator: Evaluator | null = null;
  let createdRun = false; // a new run's files exist, with no checkpoint yet
  try {
    if (!opts.resume) {
      // Fine-tuning: official weights (strictly: any key mismatch is one error) or another run's
      // checkpoint (strictly, or by matching names with init.partial) replace the fresh init.
      const inits = [
        ['generator', 'G', gen.nets.G, config.init.generator],
        ['discriminator', 'D', D.model, config.init.discriminator],
        ['encoder', 'E', gen.nets.E, config.init.encoder],
      ] as const;
      for (const [net, prefix, model, file] of inits) {
        if (!file || !model) continue;
        const folder = prefix === 'G' && !isOfficialWeights(file) && !file.toLowerCase().endsWith('.npz');
        if (folder && !existsSync(path.join(file, 'model.json')))
          throw new IOError(`init: generator.init '${file}' is neither a .pth/.npz file nor a model folder (no model.json in it).`);
        if (folder || file.toLowerCase().endsWith('.npz')) {
          const { loaded, kept } = folder
            ? await initFromModelFolder(file, model, config.init.partial)
            : await initFromCheckpoint(file, prefix, model, config.init.partial);
          log(`${net} initialised from ${file}: ${loaded} weights${kept.length ? `; fresh init kept for ${kept.join(', ')}` : ''}`);
          continue;
        }
        loadTorchStateDict(model, await loadTorchCheckpointFile(file), { source: `'${file}'` });
        log(`${net} initialised from ${file}`);
      }
    }
    const lr0 = learningRates(config.optim, 1);
    optG = createAdam(config.optim, lr0.g);
    optD = createAdam(config.optim, lr0.d);
    const objects = { models: { ...gen.nets, D: D.model }, optimizers: { optG, optD } };

    // Build every variable (and the optimizers' slots) before restoring them.
    const root = path.resolve(out, config.data.root);
    if (config.data.synthetic) await ensureSynthetic(root, config.data.synthetic, 'train', log);
    if (config.data.synthetic && config.eval.every > 0)
      await ensureSynthetic(root, { ...config.data.synthetic, count: config.eval.count }, 'val', log);
    if (config.eval.every > 0) {
      evaluator = await createEvaluator({ config: config.eval, sample: spec, dataset: config.data.dataset, root });
      log(
        `evaluating ${config.eval.metric} on ${config.eval.count} held-out samples every ` +
          `${config.eval.every} iterations; the best checkpoint goes to checkpoints/${BEST}.`,
      );
    }
    const info = datasetInfo(config.data.dataset);
    const listing = await listDataset(config.data.dataset, root, { phase: config.data.phase });
    const { batchSize, accumulate } = config.data;
    if (listing.pairs.length < batchSize * accumulate)
      throw new ConfigError(
        `train: ${root} has ${listing.pairs.length} ${config.data.phase} pairs, fewer than batchSize × accumulate = ${batchSize} × ${accumulate}.`,
      );
    // Batches an epoch consumes: whole iterations of `accumulate` batches (the rest is dropped).
    const batchesPerEpoch = Math.floor(Math.floor(listing.pairs.length / batchSize) / accumulate) * accumulate;

    let state: TrainingState = { iteration: 0, epoch: 1, batchInEpoch: 0, seed: config.seed, best: null };
    const ckpt = path.join(out, 'checkpoints', LATEST);
    const logFile = path.join(out, 'log.jsonl');
    if (opts.resume) {
      if (!existsSync(ckpt)) throw new IOError(`train --resume: no checkpoint at '${ckpt}'.`);
      state = await loadCheckpoint(ckpt, objects);
      opts.onStart?.();
      await mkdir(path.join(out, 'images'), { recursive: true });
      await removeStaleTemps(path.join(out, 'checkpoints'));
      await removeStaleTemps(path.join(out, 'images'));
      await truncateLog(logFile, state.iteration);
      log(`resumed at iteration ${state.iteration} (epoch ${state.epoch}, batch ${state.batchInEpoch}).`);
    } else {
      // Everything is validated: only now is the folder created (or the replaced run removed).
      opts.onStart?.();
      await removeRunFiles(out);
      createdRun = true;
      await mkdir(path.join(out, 'checkpoints'), { recursive: true });
      await mkdir(path.join(out, 'images'), { recursive: true });
      await writeFileAtomic(path.join(out, 'run.json'), new TextEncoder().encode(`${JSON.stringify(config, null, 2)}\n`));
      await writeFile(logFile, '');
    }

    const totalEpochs = config.optim.niter + config.optim.niterDecay;
    const maxIter = config.schedule.maxIterations ?? Infinity;
    let lastSaved = opts.resume ? state.iteration : null;
    const save = async () => {
      await saveCheckpoint(ckpt, objects, state);
      createdRun = false; // from the first checkpoint on, a failure leaves a resumable run
      lastSaved = state.iteration;
    };

    while (state.iteration < maxIter && state.epoch <= totalEpochs) {
      const lr = learningRates(config.optim, state.epoch);
      setLearningRate(optG, lr.g);
      setLearningRate(optD, lr.d);
      const batches = iterateBatches(listing.pairs, batchOptions(config, spec, info.useInstances, mixSeed(config.seed, state.epoch)));
      let index = 0;
      const pending: Batch[] = []; // the batches of one iteration (accumulate of them)
      try {
        for await (const batch of batches) {
          if (index++ < state.batchInEpoch) {
            disposeBatch(batch); // consumed before the checkpoint we resumed from
            continue;
          }
          pending.push(batch);
          if (pending.length < accumulate) continue;
          const t0 = performance.now();
          const losses = runStep({ G: gen, D, optG, optD, vgg }, pending, config, mixSeed(config.seed, 0x10000 + state.iteration));
          checkFiniteLosses(losses, state.iteration + 1, lastSaved);
          const seconds = (performance.now() - t0) / 1000;
          state = { ...state, iteration: state.iteration + 1, batchInEpoch: state.batchInEpoch + accumulate };
          const every = config.schedule.imageEvery;
          if (every > 0 && state.iteration % every === 0)
            await saveGrid(path.join(out, 'images', `iter_${state.iteration}.png`), gen, pending[pending.length - 1]!);
          pending.splice(0).forEach(disposeBatch);
          if (state.iteration % config.schedule.logEvery === 0) {
            const line = { iter: state.iteration, epoch: state.epoch, ...losses, lrG: lr.g, lrD: lr.d, seconds: +seconds.toFixed(3) };
            await appendFile(logFile, `${JSON.stringify(line)}\n`);
          }
          opts.onIteration?.({ iteration: state.iteration, epoch: state.epoch, losses, seconds });
          const evaluate = evaluator && state.iteration % config.eval.every === 0;
          if (evaluate) {
            // Scored before the checkpoint, so the checkpoint holds the updated best; best.npz is
            // that same checkpoint (G in eval mode changes nothing of the run's state).
            const value = await evaluator!.score(gen);
            const improved = isBetter(evaluator!.metric, value, state.best);
            if (improved) state = { ...state, best: { metric: evaluator!.metric, value, iteration: state.iteration } };
            await appendFile(logFile, `${JSON.stringify({ iter: state.iteration, eval: { [evaluator!.metric]: value, best: state.best!.value } })}\n`);
            log(`iteration ${state.iteration}: ${evaluator!.metric} ${value.toFixed(4)}${improved ? ' (best so far)' : ''}`);
            await save();
            if (improved) await saveCheckpoint(path.join(out, 'checkpoints', BEST), objects, state);
          } else if (state.iteration % config.schedule.checkpointEvery === 0) await save();
          if (state.iteration >= maxIter) break;
        }
      } finally {
        pending.splice(0).forEach(disposeBatch); // an epoch's last batches short of an iteration
      }
      await batches.return(undefined);
      if (state.iteration >= maxIter && state.batchInEpoch < batchesPerEpoch) break;
      state = { ...state, epoch: state.epoch + 1, batchInEpoch: 0 };
      await save();
    }
    await save();
    return { state, config };
  } catch (e) {
    // A new run that failed before its first checkpoint leaves nothing behind.
    if (createdRun) {
      await removeRunFiles(out);
      if (!outExisted && (await readdir(out)).length === 0) await rm(out, { recursive: true, force: true });
    }
    throw e;
  } finally {
    gen.dispose();
    D.dispose();
    evaluator?.dispose();
    optG?.dispose();
    optD?.dispose();
    vgg?.dispose();
  }
}

/**
 * Stops a run whose losses went NaN/±Infinity before anything of that step is saved: its weights
 * are already poisoned, and a checkpoint of them would load as NaN images.
 */
function checkFiniteLosses(losses: StepLosses, iteration: number, lastSaved: number | null): void {
  const bad = Object.entries(losses).filter(([, v]) => !Number.isFinite(v));
  if (bad.length === 0) return;
  const kept = lastSaved === null ? 'no checkpoint was written' : `the last checkpoint (iteration ${lastSaved}, checkpoints/latest.npz) is intact`;
  throw new DivergedError(
    `train: the run diverged at iteration ${iteration} (${bad.map(([k, v]) => `${k} ${v}`).join(', ')}); ${kept}. Lower optim.lr, or check the data.`,
  );
}

function batchOptions(config: RunConfig, spec: SampleSpec, useInstances: boolean, seed: number) {
  const crop = spec.cropSize;
  return {
    batchSize: config.data.batchSize,
    seed,
    shuffle: true,
    randomize: true,
    dropLast: true,
    epochs: 1,
    label: { labelNc: spec.labelNc, containDontcare: spec.containDontcare },
    preprocess: {
      mode: 'resize_and_crop' as const, loadSize: config.data.loadSize ?? crop, cropSize: crop,
      aspectRatio: spec.aspectRatio, flip: config.data.flip,
    },
    useInstances: spec.useInstance && useInstances,
    withImage: true,
    positional: spec.positional,
  };
}

function runStep(models: StepModels, batches: readonly Batch[], config: RunConfig, noiseSeed: number): StepLosses {
  for (const b of batches)
    if (!b.image) throw new IOError(`train: batch ${b.ids.join(', ')} has no photos; training needs image/label pairs.`);
  const list = batches.map((b) => ({ seg: b.semantics, image: b.image!, dist: b.positional ?? undefined }));
  return trainStep(models, list.length === 1 ? list[0]! : list, config.loss, { seed: noiseSeed });
}

/**
 * label | generated | real for the samples of `batch`. G (and its encoder) run in eval mode
 * (running statistics, no power iteration): nothing of the run's state changes, so a resumed run
 * stays exact. Generators with an encoder reconstruct (the VAE's mean, SEAN's region styles).
 */
async function saveGrid(file: string, gen: TrainableGenerator, batch: Batch): Promise<void> {
  const fake = gen.reconstruct({ seg: batch.semantics, image: batch.image!, dist: batch.positional ?? undefined });
  try {
    await saveImageGrid(file, { seg: batch.semantics, fake, real: batch.image!, numClasses: classChannelsOf(gen.sample) });
  } finally {
    fake.dispose();
  }
}

/** Temp files of checkpoint writes that a crash interrupted (the complete checkpoint is untouched). */
async function removeStaleTemps(dir: string): Promise<void> {
  for (const f of await readdir(dir)) if (f.startsWith('.') && f.endsWith('.tmp')) await rm(path.join(dir, f), { force: true });
}

/** Writes a synthetic split into `root` unless a complete one with the same parameters is there. */
async function ensureSynthetic(
  root: string,
  synth: { count: number; size: number; seed: number },
  split: 'train' | 'val',
  log: (l: string) => void,
): Promise<void> {
  const stamp = path.join(root, split === 'train' ? 'synthetic.json' : `synthetic-${split}.json`);
  const want = JSON.stringify({ ...synth, version: SYNTH_VERSION }); // a new generator version rewrites the set
  if (existsSync(stamp) && (await readFile(stamp, 'utf8')) === want) return;
  log(`writing ${synth.count} synthetic ${synth.size}² ${split} scenes (seed ${synth.seed}) to ${root} ...`);
  await writeSynthDataset({ out: root, count: synth.count, size: synth.size, seed: synth.seed, split });
  await writeFileAtomic(stamp, new TextEncoder().encode(want)); // written last: marks the set complete
}

function setLearningRate(opt: tf.Optimizer, lr: number): void {
  (opt as unknown as { learningRate: number }).learningRate = lr;
}

