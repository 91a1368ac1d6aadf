import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { initBackend } from '@clade/backend';
import { ConfigError, IOError } from '@clade/core';
import { formatShard, parseShard, type Shard } from '@clade/data';
import {
  EVAL_DATASETS,
  FID_WEIGHTS_FILE,
  FID_WEIGHTS_URL,
  INCEPTION_DIMS,
  SEGMENTERS,
  checkDescriptor,
  defaultModelPath,
  evalPreset,
  evaluateMetrics,
  evaluateShard,
  formatProtocol,
  loadReferenceStats,
  loadShards,
  mergeShards,
  saveShardStatistics,
  saveJson,
  type EvalPreset,
  type EvalProtocol,
  type ImageFolder,
  type InceptionDims,
  type MetricsReport,
  type ReferenceStats,
  type RunStage,
  type SegmenterDescriptor,
  type ShardStatistics,
} from '@clade/metrics';
import type { Command } from 'commander';
import { checkOutputFiles } from '../output-file';
import { backendOptions, parseThreads, runCommand, type GlobalOptions } from '../run';

const METRICS = ['fid', 'kid', 'miou', 'all'] as const;
type Metric = (typeof METRICS)[number];

interface EvalOptions extends GlobalOptions {
  real?: string;
  fake?: string;
  inceptionWeights?: string;
  dims: string;
  labels?: string;
  dataset?: string;
  segmenter?: string;
  saveStats?: string;
  batchSize: string;
  kidSubsets: string;
  kidSubsetSize: string;
  seed: string;
  out?: string;
  force?: boolean;
  shard?: string;
}

/** A progress bar on stderr: redrawn in place on a terminal, a line every 10 % otherwise. */
function progressBar(label: string) {
  const tty = process.stderr.isTTY;
  const t0 = Date.now();
  let lastTenth = -1;
  return (done: number, total: number) => {
    const rate = done / Math.max((Date.now() - t0) / 1000, 1e-3);
    if (tty) {
      const w = 24;
      const fill = Math.round((done / Math.max(total, 1)) * w);
      process.stderr.write(`\r${label} [${'#'.repeat(fill)}${'.'.repeat(w - fill)}] ${done}/${total} ${rate.toFixed(1)} img/s`);
      if (done === total) process.stderr.write('\n');
      return;
    }
    const tenth = Math.floor((done / Math.max(total, 1)) * 10);
    if (tenth !== lastTenth || done === total) {
      lastTenth = tenth;
      process.stderr.write(`${label}: ${done}/${total} (${rate.toFixed(1)} img/s)\n`);
    }
  };
}

function positiveInt(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${flag} must be a positive integer, got '${v}'.`);
  return n;
}

async function kindOf(p: string, flag: string): Promise<'dir' | 'npz'> {
  try {
    if ((await stat(p)).isDirectory()) return 'dir';
  } catch {
    throw new IOError(`${flag} '${p}' does not exist.`);
  }
  if (p.toLowerCase().endsWith('.npz')) return 'npz';
  throw new ConfigError(`${flag} must be a folder of images or a statistics .npz, got '${p}'.`);
}

/** The segmenter descriptor and model path for miou (no path: the library's models folder). */
async function resolveSegmenter(opts: EvalOptions, preset: EvalPreset | null): Promise<{ descriptor: SegmenterDescriptor; file: string | undefined }> {
  const s = opts.segmenter;
  if (s?.toLowerCase().endsWith('.json')) {
    let d: SegmenterDescriptor & { file?: string };
    try {
      d = JSON.parse(await readFile(s, 'utf8')) as SegmenterDescriptor & { file?: string };
    } catch (e) {
      throw new IOError(`--segmenter '${s}' is not a readable JSON descriptor (${(e as Error).message}).`, { cause: e });
    }
    checkDescriptor(d);
    return { descriptor: d, file: path.resolve(path.dirname(s), d.file ?? d.fileName) };
  }
  const byName = s ? Object.values(SEGMENTERS).find((d) => d.fileName === path.basename(s)) : undefined;
  if (!preset && !s)
    throw new ConfigError(
      `miou: pass --dataset <${EVAL_DATASETS.join('|')}> or --segmenter <onnx|descriptor.json> (which segmenter scores the images).`,
    );
  const descriptor = preset?.segmenter ?? byName;
  if (!descriptor)
    throw new ConfigError(
      preset
        ? `miou: no segmenter is available for dataset '${preset.dataset}' (the paper used ${preset.paperSegmenter}); ` +
          `describe an ONNX export in a JSON descriptor and pass --segmenter <descriptor.json>.`
        : `miou: unknown segmenter '${path.basename(s!)}'; pass --dataset, or describe it in a JSON descriptor (--segmenter <descriptor.json>).`,
    );
  if (preset && !preset.segmenter && !s)
    throw new ConfigError(`miou: dataset '${preset.dataset}' has no segmenter preset; pass --segmenter <descriptor.json>.`);
  return { descriptor, file: s };
}

/** --real as the library takes it: images, or statistics whose dimension must be --dims. */
async function realInput(file: string, kind: 'dir' | 'npz', dims: InceptionDims): Promise<ImageFolder | ReferenceStats> {
  if (kind === 'dir') return { kind: 'images', path: file, label: '--real' };
  const stats = await loadReferenceStats(file);
  if (stats.stats.dims !== dims) throw new ConfigError(`--real '${file}' holds ${stats.stats.dims}-d statistics but --dims is ${dims}.`);
  return stats;
}

/** Progress bar labels of the library's stages. */
const STAGE_LABELS: Record<RunStage, string> = { real: 'inception --real', fake: 'inception --fake', segmenter: 'segmenter' };

interface Result {
  metric: Metric;
  fid: number | null;
  kid: number | null;
  kid_std: number | null;
  miou: number | null;
  miou_union: number | null;
  accuracy: number | null;
  per_class: (number | null)[] | null;
  details: Record<string, unknown>;
  protocol: EvalProtocol;
}

/** The printed and saved result: the scores, then what goes with them, then the protocol. */
function toResult(metric: Metric, { fidKid, miou, protocol }: MetricsReport, kidSkipped: boolean): Result {
  const details: Record<string, unknown> = {};
  if (kidSkipped) details.kid = 'skipped: --real is a statistics file';
  if (fidKid?.warning) details.inceptionWarning = fidKid.warning;
  if (fidKid?.savedStats) details.savedStats = fidKid.savedStats;
  if (fidKid?.fid) details.fid = { ...fidKid.fid };
  const s = miou?.scores;
  if (miou) {
    const { classesGt, classesUnion, meanClassAccuracy, pixels } = miou.scores;
    details.miou = { classesGt, classesUnion, meanClassAccuracy, pixels, perImage: miou.perImage };
  }
  return {
    metric,
    fid: fidKid?.fid?.distance ?? null,
    kid: fidKid?.kid?.kid ?? null,
    kid_std: fidKid?.kid?.std ?? null,
    miou: s?.miou ?? null,
    miou_union: s?.miouUnion ?? null,
    accuracy: s?.accuracy ?? null,
    per_class: s?.perClass ?? null,
    details,
    protocol,
  };
}

/** Everything a whole or a sharded run needs, checked before any feature extraction (minutes), outputs included. */
interface EvalPlan {
  preset: EvalPreset | null;
  shard: Shard | null;
  real: ImageFolder | ReferenceStats | null;
  dims: InceptionDims;
  batchSize: number;
  wantFid: boolean;
  doKid: boolean;
  kidSkipped: boolean;
  kid: { subsets: number; subsetSize: number; seed: number };
  segmenter: { descriptor: SegmenterDescriptor; file: string | undefined } | null;
  threads: number | undefined;
}

async function planEval(metric: Metric, opts: EvalOptions): Promise<EvalPlan> {
  if (!METRICS.includes(metric)) throw new ConfigError(`eval: metric must be one of ${METRICS.join(', ')}, got '${metric}' (or eval merge <files…>).`);
  const shard = opts.shard === undefined ? null : parseShard(opts.shard, '--shard');
  const preset = opts.dataset ? evalPreset(opts.dataset) : null;
  const dims = positiveInt(opts.dims, '--dims') as InceptionDims;
  if (!INCEPTION_DIMS.includes(dims)) throw new ConfigError(`--dims must be one of ${INCEPTION_DIMS.join(', ')}, got '${opts.dims}'.`);
  const batchSize = positiveInt(opts.batchSize, '--batch-size');
  const seed = Number(opts.seed);
  if (!Number.isInteger(seed)) throw new ConfigError(`--seed must be an integer, got '${opts.seed}'.`);

  const wantFid = metric === 'fid' || (metric === 'all' && !!opts.real);
  const wantKid = metric === 'kid' || (metric === 'all' && !!opts.real);
  const wantMiou = metric === 'miou' || (metric === 'all' && !!opts.labels);
  const statsOnly = !shard && metric === 'fid' && !opts.fake && !!opts.saveStats;
  if (metric === 'all' && !opts.real && !opts.labels)
    throw new ConfigError('eval all: pass --real (for fid and kid) and/or --labels (for miou).');
  if ((wantFid || wantKid) && !opts.real) throw new ConfigError(`eval ${metric}: --real <dir|stats.npz> is required.`);
  if (!opts.fake && !statsOnly) throw new ConfigError(`eval ${metric}: --fake <dir> is required.`);
  if (wantMiou && !opts.labels) throw new ConfigError('eval miou: --labels <dir> (the label maps the images were generated from) is required.');
  if (shard && !opts.saveStats)
    throw new ConfigError(`--shard ${opts.shard} needs --save-stats <file.npz> (where this shard's statistics go, for clade eval merge).`);
  if (shard && opts.out) throw new ConfigError(`--out '${opts.out}' goes with a whole run or eval merge; a --shard run saves its statistics to --save-stats.`);
  if (!shard && opts.saveStats && !wantFid) throw new ConfigError('--save-stats goes with fid (or all with --real), or with --shard.');
  const kid = { subsets: positiveInt(opts.kidSubsets, '--kid-subsets'), subsetSize: positiveInt(opts.kidSubsetSize, '--kid-subset-size'), seed };
  checkOutputFiles(
    [{ flag: '--out', file: opts.out, ext: '.json' }, { flag: '--save-stats', file: opts.saveStats, ext: '.npz' }],
    [['--real', opts.real], ['--fake', opts.fake], ['--labels', opts.labels], ['--segmenter', opts.segmenter], ['--inception-weights', opts.inceptionWeights]],
    Boolean(opts.force),
  );

  const realKind = opts.real ? await kindOf(opts.real, '--real') : null;
  if (metric === 'kid' && realKind === 'npz')
    throw new ConfigError('eval kid: KID needs the real images\' feature vectors; --real must be a folder of images, not statistics.');
  if (statsOnly && realKind === 'npz')
    throw new ConfigError(`eval fid: --save-stats without --fake saves the statistics of --real's images, but '${opts.real}' is already statistics.`);
  const doKid = wantKid && realKind === 'dir' && !statsOnly;
  const segmenter = wantMiou ? await resolveSegmenter(opts, preset) : null;
  const real = wantFid || doKid ? await realInput(opts.real!, realKind!, dims) : null;
  const threads = parseThreads(opts.threads);
  return { preset, shard, real, dims, batchSize, wantFid, doKid, kidSkipped: metric === 'all' && wantKid && !doKid, kid, segmenter, threads };
}

/** The library's FID/KID part of a plan (the tfjs backend serves the Inception features only: a miou run never starts one). */
async function fidKidPart(plan: EvalPlan, opts: EvalOptions) {
  const { real, dims, batchSize, wantFid, doKid, kid } = plan;
  if (!real) return null;
  const backend = (await initBackend(backendOptions(opts))).name;
  return { real, weights: opts.inceptionWeights, dims, batchSize, fid: wantFid, kid: doKid ? kid : null, backend };
}

const progress = (stage: RunStage) => progressBar(STAGE_LABELS[stage]);

async function evaluate(metric: Metric, opts: EvalOptions, plan: EvalPlan): Promise<Result> {
  const { preset, segmenter, threads } = plan;
  const fidKid = await fidKidPart(plan, opts);
  const report = await evaluateMetrics({
    preset,
    fidKid: fidKid && { ...fidKid, fake: opts.fake ? { kind: 'images', path: opts.fake, label: '--fake' } : null, saveStats: opts.saveStats },
    miou: segmenter && { images: opts.fake!, labels: opts.labels!, segmenter: segmenter.descriptor, segmenterFile: segmenter.file, threads },
    progress,
  });
  return toResult(metric, report, plan.kidSkipped);
}

/** `eval <metric> --shard i/n --save-stats f.npz`: this shard's exact statistics, for `eval merge`. */
async function evaluateOneShard(metric: Metric, opts: EvalOptions, plan: EvalPlan): Promise<ShardStatistics> {
  const { preset, segmenter, threads } = plan;
  const stats = await evaluateShard({
    shard: plan.shard!,
    metric,
    fake: { kind: 'images', path: opts.fake!, label: '--fake' },
    fidKid: await fidKidPart(plan, opts),
    miou: segmenter && { labels: opts.labels!, segmenter: segmenter.descriptor, segmenterFile: segmenter.file, threads },
    preset,
    progress,
  });
  await saveShardStatistics(opts.saveStats!, stats);
  return stats;
}

/** Flags the merge takes from the shards instead; passing one is a mistake worth a line. */
const SHARD_RECORDED = [
  'fake', 'inceptionWeights', 'dims', 'labels', 'dataset', 'segmenter', 'saveStats', 'batchSize', 'kidSubsets', 'kidSubsetSize', 'seed', 'shard',
];

/** `eval merge <files…>`: the shards of one split, merged into the single run's result. */
async function merge(files: string[], opts: EvalOptions, cmd: Command): Promise<Result> {
  const stray = SHARD_RECORDED.find((k) => cmd.getOptionValueSource(k) === 'cli');
  if (stray) {
    const flag = `--${stray.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    throw new ConfigError(
      `eval merge: ${flag} does not apply (the shards recorded their settings); merge takes shard files, --real, --json, --out and --force.`,
    );
  }
  if (files.length === 0) throw new ConfigError('eval merge: pass the shard statistics files (e.g. clade eval merge shards/*.npz).');
  const notNpz = files.find((f) => !f.toLowerCase().endsWith('.npz'));
  if (notNpz) throw new ConfigError(`eval merge: '${notNpz}' is not a shard statistics file; expected the .npz files of eval … --shard i/n --save-stats.`);
  if (opts.real && (await kindOf(opts.real, '--real')) !== 'npz')
    throw new ConfigError(`eval merge: --real must be the statistics .npz the shards were computed against, got the folder '${opts.real}'.`);
  const inputs = files.map((f): [string, string] => ['a shard file', f]);
  checkOutputFiles([{ flag: '--out', file: opts.out, ext: '.json' }], [['--real', opts.real], ...inputs], Boolean(opts.force));
  const merged = await mergeShards(await loadShards(files), { real: opts.real });
  const metric = merged.metric as Metric;
  return toResult(metric, merged, metric === 'all' && merged.protocol.fid?.real.kind === 'stats');
}

/** One line (or one JSON object) about the saved shard. */
function shardSummary(s: ShardStatistics, file: string, json: boolean): string {
  const { meta } = s;
  const real = meta.fid?.real.kind === 'images' ? { count: meta.fid.real.set.names.length, total: meta.fid.real.set.total } : null;
  const fake = { count: meta.fake.names.length, total: meta.fake.total };
  if (json) return JSON.stringify({ metric: meta.metric, shard: formatShard(meta.shard), fake, ...(real ? { real } : {}), savedStats: file });
  const realText = real ? `, real ${real.count} of ${real.total}` : '';
  return `shard ${formatShard(meta.shard)} of eval ${meta.metric}: fake ${fake.count} of ${fake.total} images${realText}; statistics saved: ${file}`;
}

function fmt(v: number | null, digits = 4): string {
  return v === null ? '-' : Number.isNaN(v) ? 'nan' : v.toFixed(digits);
}

/** `clade eval fid|kid|miou|all`: scores with the protocol that produced them. */
export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('FID (pytorch-fid compatible), KID and segmentation mIoU/accuracy, printed with their protocol.')
    .argument('<metric>', `one of ${METRICS.join(', ')}, or merge (of shard statistics files)`)
    .argument('[files...]', 'merge: the shard statistics files of one split (eval … --shard i/n --save-stats)')
    .option('--real <dir|stats.npz>', 'real images (folder) or their statistics (pytorch-fid .npz with mu, sigma)')
    .option('--fake <dir>', 'generated images (folder)')
    .option('--inception-weights <pth>', `pytorch-fid's ${FID_WEIGHTS_FILE} (default: $CLADE_MODELS or ~/.cache/clade/models)`)
    .option('--dims <n>', `Inception feature tap: ${INCEPTION_DIMS.join(', ')}`, '2048')
    .option('--labels <dir>', 'label maps the fake images were generated from, matched by file name (miou)')
    .option('--dataset <name>', `evaluation preset: ${EVAL_DATASETS.join(', ')}`)
    .option('--segmenter <onnx|json>', 'segmenter model (.onnx, with the dataset preset\'s descriptor) or a JSON descriptor of any ONNX segmenter')
    .option(
      '--save-stats <npz>',
      'save statistics as pytorch-fid .npz (+n): of --real when it is a folder (without --fake: only that), else of --fake; with --shard: the shard statistics',
    )
    .option('--batch-size <n>', 'images per Inception forward', '8')
    .option('--kid-subsets <n>', 'KID subsets', '100')
    .option('--kid-subset-size <n>', 'KID subset size (the smaller set\'s size when smaller)', '1000')
    .option('--seed <n>', 'KID subset seed', '0')
    .option('--out <json>', 'also save the result with its protocol as JSON')
    .option('--shard <i/n>', 'evaluate only part i of n of the images sorted by name; saves its exact statistics to --save-stats for eval merge')
    .option('--force', 'replace --out / --save-stats when they exist')
    .option('--json', 'print one JSON object (fid, kid, miou, accuracy, per_class, protocol)')
    .addHelpText(
      'after',
      `
Examples:
  clade eval fid --real datasets/ade20k/train_img --fake results/ade20k --dataset ade20k
  clade eval fid --real ade20k_train.npz --fake results/ade20k --json
  clade eval fid --real datasets/ade20k/train_img --save-stats ade20k_train.npz
  clade eval miou --fake results/ade20k --labels datasets/ade20k/val_label --dataset ade20k
  clade eval all --real ade20k_train_small --fake results/ade20k --labels datasets/ade20k/val_label --dataset ade20k

Sharded (each shard on any machine, then one merge prints what the whole run would):
  clade eval all --real ade20k_train.npz --fake results/ade20k --labels datasets/ade20k/val_label --dataset ade20k \\
    --shard 0/4 --save-stats shards/0.npz          # … and 1/4, 2/4, 3/4
  clade eval merge shards/0.npz shards/1.npz shards/2.npz shards/3.npz [--real ade20k_train.npz] [--json] [--out r.json]
  --real as a folder is split like --fake (its moments, or rows for KID, go into each shard file); --real as
  statistics is used whole, recorded by sha256, and read again by the merge (from its recorded path, or --real).

FID/KID weights (nothing is downloaded): pytorch-fid's InceptionV3, ~96 MB, sha256 starting 6726825d.
  Download ${FID_WEIGHTS_URL}
  and put it at ${defaultModelPath(FID_WEIGHTS_FILE)}
  (the folder is $CLADE_MODELS, default ~/.cache/clade/models), or pass --inception-weights <file>.`,
    )
    .action(async (metric: string, files: string[], opts: EvalOptions, cmd: Command) => {
      const all = { ...cmd.optsWithGlobals<EvalOptions>(), ...opts };
      await runCommand(all, async () => {
        if (metric !== 'merge' && files.length)
          throw new ConfigError(`eval ${metric}: unexpected argument '${files[0]}' (only eval merge takes files).`);
        if (metric === 'merge') return printResult(await merge(files, all, cmd), all);
        const plan = await planEval(metric as Metric, all);
        if (plan.shard) {
          const stats = await evaluateOneShard(metric as Metric, all, plan);
          process.stdout.write(`${shardSummary(stats, all.saveStats!, Boolean(all.json))}\n`);
          return;
        }
        await printResult(await evaluate(metric as Metric, all, plan), all);
      });
    });
}

/** Prints (and with --out saves) a result: the protocol block then the scores, or one JSON object. */
async function printResult(r: Result, opts: EvalOptions): Promise<void> {
  if (opts.out) await saveJson(opts.out, r);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  process.stdout.write(`${formatProtocol(r.protocol)}\n`);
  const lines: string[] = [];
  if (r.fid !== null) lines.push(`fid: ${fmt(r.fid)}`);
  if (r.kid !== null) lines.push(`kid: ${fmt(r.kid, 6)} ± ${fmt(r.kid_std, 6)}`);
  if (r.miou !== null) {
    const m = r.details.miou as { classesGt: number; classesUnion: number };
    lines.push(`miou: ${fmt(r.miou)} (${m.classesGt} GT classes); miou over union > 0: ${fmt(r.miou_union)} (${m.classesUnion}); accuracy: ${fmt(r.accuracy)}`);
  }
  if (r.details.kid) lines.push(`kid: ${String(r.details.kid)}`);
  if (r.details.savedStats) lines.push(`statistics saved: ${String(r.details.savedStats)}`);
  if (r.details.inceptionWarning) lines.push(`warning: ${String(r.details.inceptionWarning)}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
