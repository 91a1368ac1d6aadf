import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { initBackend } from '@clade/backend';
import { ConfigError, IOError } from '@clade/core';
import {
  EVAL_DATASETS,
  FID_WEIGHTS_FILE,
  FID_WEIGHTS_URL,
  FidInceptionV3,
  INCEPTION_DIMS,
  OnnxSegmenter,
  PYTORCH_FID_INPUT,
  PYTORCH_FID_NETWORK,
  PYTORCH_FID_STATISTICS,
  SEGMENTERS,
  baseProtocol,
  checkDescriptor,
  defaultModelsDir,
  describeSegmenter,
  evalPreset,
  evaluateSegmentation,
  formatProtocol,
  frechetDistance,
  imageFeatures,
  kernelInceptionDistance,
  listImages,
  loadStats,
  pairByStem,
  saveJson,
  saveStats,
  sha256Hex,
  type EvalPreset,
  type EvalProtocol,
  type FeatureMatrix,
  type GaussianStats,
  type InceptionDims,
  type SegmenterDescriptor,
} from '@clade/metrics';
import type { Command } from 'commander';
import { checkOutputFiles } from '../output-file';
import { parseThreads, runCommand, type GlobalOptions } from '../run';

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

/** The segmenter descriptor and model path for miou. */
async function resolveSegmenter(opts: EvalOptions, preset: EvalPreset | null): Promise<{ descriptor: SegmenterDescriptor; file: string }> {
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
    throw new ConfigError(`miou: pass --dataset <${EVAL_DATASETS.join('|')}> or --segmenter <onnx|descriptor.json> (which segmenter scores the images).`);
  const descriptor = preset?.segmenter ?? byName;
  if (!descriptor)
    throw new ConfigError(
      preset
        ? `miou: no segmenter is available for dataset '${preset.dataset}' (the paper used ${preset.paperSegmenter}); describe an ONNX export in a JSON descriptor and pass --segmenter <descriptor.json>.`
        : `miou: unknown segmenter '${path.basename(s!)}'; pass --dataset, or describe it in a JSON descriptor (--segmenter <descriptor.json>).`,
    );
  if (preset && !preset.segmenter && !s)
    throw new ConfigError(`miou: dataset '${preset.dataset}' has no segmenter preset; pass --segmenter <descriptor.json>.`);
  return { descriptor, file: s ?? path.join(defaultModelsDir(), descriptor.fileName) };
}

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

async function evaluate(metric: Metric, opts: EvalOptions): Promise<Result> {
  if (!METRICS.includes(metric)) throw new ConfigError(`eval: metric must be one of ${METRICS.join(', ')}, got '${metric}'.`);
  const preset = opts.dataset ? evalPreset(opts.dataset) : null;
  const dims = positiveInt(opts.dims, '--dims') as InceptionDims;
  if (!INCEPTION_DIMS.includes(dims)) throw new ConfigError(`--dims must be one of ${INCEPTION_DIMS.join(', ')}, got '${opts.dims}'.`);
  const batchSize = positiveInt(opts.batchSize, '--batch-size');
  const seed = Number(opts.seed);
  if (!Number.isInteger(seed)) throw new ConfigError(`--seed must be an integer, got '${opts.seed}'.`);

  const wantFid = metric === 'fid' || (metric === 'all' && !!opts.real);
  const wantKid = metric === 'kid' || (metric === 'all' && !!opts.real);
  const wantMiou = metric === 'miou' || (metric === 'all' && !!opts.labels);
  const statsOnly = metric === 'fid' && !opts.fake && !!opts.saveStats;
  if (metric === 'all' && !opts.real && !opts.labels)
    throw new ConfigError('eval all: pass --real (for fid and kid) and/or --labels (for miou).');
  if ((wantFid || wantKid) && !opts.real) throw new ConfigError(`eval ${metric}: --real <dir|stats.npz> is required.`);
  if (!opts.fake && !statsOnly) throw new ConfigError(`eval ${metric}: --fake <dir> is required.`);
  if (wantMiou && !opts.labels) throw new ConfigError('eval miou: --labels <dir> (the label maps the images were generated from) is required.');
  if (opts.saveStats && !wantFid) throw new ConfigError('--save-stats goes with fid (or all with --real).');
  // Every argument is checked before the feature extraction (minutes), outputs included.
  const kidSubsets = positiveInt(opts.kidSubsets, '--kid-subsets');
  const kidSubsetSize = positiveInt(opts.kidSubsetSize, '--kid-subset-size');
  checkOutputFiles(
    [{ flag: '--out', file: opts.out, ext: '.json' }, { flag: '--save-stats', file: opts.saveStats, ext: '.npz' }],
    [['--real', opts.real], ['--fake', opts.fake], ['--labels', opts.labels], ['--segmenter', opts.segmenter], ['--inception-weights', opts.inceptionWeights]],
    Boolean(opts.force),
  );

  const realKind = opts.real ? await kindOf(opts.real, '--real') : null;
  if (wantKid && realKind === 'npz') {
    if (metric === 'kid') throw new ConfigError('eval kid: KID needs the real images\' feature vectors; --real must be a folder of images, not statistics.');
  }
  const doKid = wantKid && realKind === 'dir' && !statsOnly;
  const protocol = baseProtocol(preset, { 'onnxruntime-node': '1.30.0', '@tensorflow/tfjs-core': '4.22.0' });
  const details: Record<string, unknown> = {};
  const result: Result = {
    metric, fid: null, kid: null, kid_std: null, miou: null, miou_union: null, accuracy: null, per_class: null, details, protocol,
  };
  if (metric === 'all' && wantKid && !doKid) details.kid = 'skipped: --real is a statistics file';

  if (wantFid || doKid) {
    const backend = await initBackend({ backend: opts.backend as never, threads: parseThreads(opts.threads) });
    protocol.software.tfjsBackend = backend.name;
    const weights = opts.inceptionWeights ?? path.join(defaultModelsDir(), FID_WEIGHTS_FILE);
    const model = await FidInceptionV3.load(weights);
    try {
      const featureProtocol = {
        network: PYTORCH_FID_NETWORK,
        weightsFile: weights,
        weightsSha256: model.weightsSha256,
        dims,
        input: PYTORCH_FID_INPUT,
        statistics: PYTORCH_FID_STATISTICS,
      };
      if (!model.isOfficialWeights) details.inceptionWarning = `the weights' sha256 does not start with pytorch-fid's 6726825d: scores are not comparable with published FIDs`;
      const run = async (dir: string, label: string, keep: boolean) => {
        const files = await listImages(dir);
        if (files.length < 2) throw new ConfigError(`${label} '${dir}' must hold at least 2 images, found ${files.length}.`);
        return imageFeatures(model, files, { dims, batchSize, keepFeatures: keep, onProgress: progressBar(`inception ${label}`) });
      };
      let realStats: GaussianStats;
      let realFeatures: FeatureMatrix | null = null;
      let realCount: number | undefined;
      let realSha: string | undefined;
      if (realKind === 'npz') {
        realStats = await loadStats(opts.real!);
        realSha = sha256Hex(new Uint8Array(await readFile(opts.real!)));
        if (realStats.dims !== dims)
          throw new ConfigError(`--real '${opts.real}' holds ${realStats.dims}-d statistics but --dims is ${dims}.`);
        realCount = realStats.count;
      } else {
        const r = await run(opts.real!, '--real', doKid);
        realStats = r.stats.stats();
        realFeatures = r.features?.matrix() ?? null;
        realCount = r.count;
      }
      if (opts.saveStats) {
        const target = realKind === 'dir' ? realStats : null;
        if (target) {
          await saveStats(opts.saveStats, target);
          await saveJson(`${opts.saveStats}.protocol.json`, { statsOf: opts.real, count: realCount, feature: featureProtocol, software: protocol.software });
          details.savedStats = opts.saveStats;
        }
      }
      if (statsOnly) {
        protocol.fid = { ...featureProtocol, real: { kind: 'images', path: opts.real!, count: realCount }, fake: { path: '-', count: 0 }, referenceSplit: preset ? `${preset.fidReferenceSplit} (the ${preset.dataset} preset's convention; not checked)` : null, distance: '-' };
        return result;
      }
      const fake = await run(opts.fake!, '--fake', doKid);
      if (opts.saveStats && realKind === 'npz') {
        await saveStats(opts.saveStats, fake.stats.stats());
        await saveJson(`${opts.saveStats}.protocol.json`, { statsOf: opts.fake, count: fake.count, feature: featureProtocol, software: protocol.software });
        details.savedStats = opts.saveStats;
      }
      if (wantFid) {
        const fd = frechetDistance(realStats, fake.stats.stats());
        result.fid = fd.distance;
        details.fid = { ...fd };
        protocol.fid = {
          ...featureProtocol,
          real: { kind: realKind === 'npz' ? 'stats' : 'images', path: opts.real!, ...(realSha ? { sha256: realSha } : {}), ...(realCount ? { count: realCount } : {}) },
          fake: { path: opts.fake!, count: fake.count },
          referenceSplit: preset ? `${preset.fidReferenceSplit} (the ${preset.dataset} preset's convention; not checked)` : null,
          distance: `exact float64 Fréchet distance (${fd.method} factor of Σ_real, symmetric eigenvalues; rank ${fd.rankSigma1})`,
        };
      }
      if (doKid) {
        const kid = kernelInceptionDistance(realFeatures!, fake.features!.matrix(), {
          subsets: kidSubsets,
          subsetSize: kidSubsetSize,
          seed,
        });
        result.kid = kid.kid;
        result.kid_std = kid.std;
        protocol.kid = {
          ...featureProtocol,
          kernel: 'unbiased MMD², k(x,y) = (xᵀy/d + 1)³',
          subsets: kid.subsets,
          subsetSize: kid.subsetSize,
          seed,
          real: { path: opts.real!, count: realCount ?? 0 },
          fake: { path: opts.fake!, count: fake.count },
        };
      }
    } finally {
      model.dispose();
    }
  }

  if (wantMiou) {
    const { descriptor, file } = await resolveSegmenter(opts, preset);
    const pairs = await pairByStem(opts.fake!, opts.labels!);
    const seg = await OnnxSegmenter.load(descriptor, file, { threads: parseThreads(opts.threads) });
    try {
      const bar = progressBar('segmenter');
      const ev = await evaluateSegmentation(seg, pairs, { onImage: ({ done, total }) => bar(done, total) });
      const s = ev.scores;
      result.miou = s.miou;
      result.miou_union = s.miouUnion;
      result.accuracy = s.accuracy;
      result.per_class = s.perClass;
      details.miou = { classesGt: s.classesGt, classesUnion: s.classesUnion, meanClassAccuracy: s.meanClassAccuracy, pixels: s.pixels, perImage: ev.perImage };
      protocol.segmentation = {
        ...describeSegmenter(descriptor),
        file,
        sha256: seg.sha256,
        labelConvention: preset?.labelConvention ?? `ids 0..${descriptor.numClasses - 1}, ${descriptor.ignoreIndex} ignored`,
        images: { path: opts.fake!, count: pairs.length },
        labels: opts.labels!,
      };
    } finally {
      await seg.dispose();
    }
  }
  return result;
}

function fmt(v: number | null, digits = 4): string {
  return v === null ? '-' : Number.isNaN(v) ? 'nan' : v.toFixed(digits);
}

/** `clade eval fid|kid|miou|all`: scores with the protocol that produced them. */
export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('FID (pytorch-fid compatible), KID and segmentation mIoU/accuracy, printed with their protocol.')
    .argument('<metric>', `one of ${METRICS.join(', ')}`)
    .option('--real <dir|stats.npz>', 'real images (folder) or their statistics (pytorch-fid .npz with mu, sigma)')
    .option('--fake <dir>', 'generated images (folder)')
    .option('--inception-weights <pth>', `pytorch-fid's ${FID_WEIGHTS_FILE} (default: $CLADE_MODELS or ~/.cache/clade/models)`)
    .option('--dims <n>', `Inception feature tap: ${INCEPTION_DIMS.join(', ')}`, '2048')
    .option('--labels <dir>', 'label maps the fake images were generated from, matched by file name (miou)')
    .option('--dataset <name>', `evaluation preset: ${EVAL_DATASETS.join(', ')}`)
    .option('--segmenter <onnx|json>', 'segmenter model (.onnx, with the dataset preset\'s descriptor) or a JSON descriptor of any ONNX segmenter')
    .option('--save-stats <npz>', 'save statistics as pytorch-fid .npz (+n): of --real when it is a folder (without --fake: only that), else of --fake')
    .option('--batch-size <n>', 'images per Inception forward', '8')
    .option('--kid-subsets <n>', 'KID subsets', '100')
    .option('--kid-subset-size <n>', 'KID subset size (the smaller set\'s size when smaller)', '1000')
    .option('--seed <n>', 'KID subset seed', '0')
    .option('--out <json>', 'also save the result with its protocol as JSON')
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

FID/KID weights (nothing is downloaded): pytorch-fid's InceptionV3, ~96 MB, sha256 starting 6726825d.
  Download ${FID_WEIGHTS_URL}
  and put it at ${path.join(defaultModelsDir(), FID_WEIGHTS_FILE)}
  (the folder is $CLADE_MODELS, default ~/.cache/clade/models), or pass --inception-weights <file>.`,
    )
    .action(async (metric: string, opts: EvalOptions, cmd: Command) => {
      const all = { ...cmd.optsWithGlobals<EvalOptions>(), ...opts };
      await runCommand(all, async () => {
        const r = await evaluate(metric as Metric, all);
        if (all.out) await saveJson(all.out, r);
        if (all.json) {
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
      });
    });
}
