import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '@clade/core';
import { shardItems, type Shard } from '@clade/data';
import { listImages, pairByStem } from '../files';
import { FID_WEIGHTS_FILE, FidInceptionV3, INCEPTION_DIMS, type InceptionDims } from '../inception/fid-inception';
import { defaultModelPath } from '../models-dir';
import { imageFeatures } from '../pipeline/features';
import type { EvalPreset } from '../protocol/presets';
import { describeLabelConvention, describeSegmenter, featureProtocol } from '../protocol/protocol';
import { softwareVersions } from '../protocol/versions';
import type { FidKidConfig, ImageFolder } from '../runs/fid-kid-run';
import type { MiouConfig } from '../runs/miou-run';
import type { StageProgress } from '../runs/progress';
import type { ReferenceStats } from '../runs/reference-stats';
import { evaluateSegmentation } from '../seg/evaluate';
import { OnnxSegmenter, sha256Hex } from '../seg/segmenter';
import { checkStats } from '../stats/gaussian';
import type { ShardKid, ShardMeta, ShardReal, ShardSet, ShardStatistics } from './shard-file';

export interface ShardConfig {
  /** Which part of the sorted image list this run covers. */
  shard: Shard;
  /** What the caller runs (the CLI's fid, kid, miou or all), recorded so that merges print it back. */
  metric: string;
  /** The generated images; FID/KID and mIoU split the same sorted list. */
  fake: ImageFolder;
  /**
   * FID/KID as evaluateFidKid takes them; real images are split like the fake ones, real statistics are recorded whole.
   * `model`: a loaded network to use instead of loading `weights` (a process that runs several shards loads it once;
   * the caller disposes it).
   */
  fidKid?: (Pick<FidKidConfig, 'real' | 'weights' | 'dims' | 'batchSize' | 'fid' | 'kid' | 'backend'> & { model?: FidInceptionV3 }) | null;
  /** mIoU as evaluateMiou takes it (`images` is `fake`); `model`: a loaded segmenter to use instead (the caller disposes it). */
  miou?: (Pick<MiouConfig, 'labels' | 'segmenter' | 'segmenterFile' | 'threads'> & { model?: OnnxSegmenter }) | null;
  preset?: EvalPreset | null;
  progress?: StageProgress;
}

/** sha256 of the sorted file names, one per line: the identity of the list every shard must have split. */
export function listDigest(names: readonly string[]): string {
  return sha256Hex(new TextEncoder().encode(names.join('\n')));
}

/** The whole sorted list of a folder and this shard's part of it; the whole set must hold 2 images (FID's covariance). */
function splitSet(folder: string, files: string[], shard: Shard, label: string): { set: ShardSet; part: string[] } {
  if (files.length < 2) throw new ConfigError(`${label} '${folder}' must hold at least 2 images, found ${files.length}.`);
  const names = files.map((f) => path.basename(f));
  const part = shardItems(files, shard);
  return { set: { path: folder, total: files.length, digest: listDigest(names), names: part.map((f) => path.basename(f)) }, part };
}

/** The KID settings as the merge applies them (evaluateFidKid's defaults). */
function kidSettings(c: ShardConfig['fidKid']): ShardKid | null {
  const k = c?.kid;
  return k ? { subsets: k.subsets ?? 100, subsetSize: k.subsetSize ?? 1000, seed: k.seed ?? 0 } : null;
}

/** Rejects what cannot run, before weights load and images are read. */
function checkShardConfig(c: ShardConfig, dims: InceptionDims): void {
  if (!c.fidKid && !c.miou) throw new ConfigError('evaluateShard: nothing to compute; pass fidKid and/or miou.');
  const fk = c.fidKid;
  if (!fk) return;
  if (!INCEPTION_DIMS.includes(dims)) throw new ConfigError(`evaluateShard: dims must be one of ${INCEPTION_DIMS.join(', ')}, got ${dims}.`);
  if (fk.fid === false && !fk.kid) throw new ConfigError('evaluateShard: fidKid asks for neither fid nor kid.');
  if (fk.real.kind === 'stats') {
    checkStats(fk.real.stats, 'evaluateShard');
    if (fk.real.stats.dims !== dims)
      throw new ConfigError(`evaluateShard: the real statistics '${fk.real.path}' are ${fk.real.stats.dims}-d, but dims is ${dims}.`);
    if (fk.kid) throw new ConfigError('evaluateShard: KID needs the real feature vectors; real must be images, not statistics.');
  }
}

function recordReal(real: ImageFolder | ReferenceStats, set: ShardSet | null): ShardReal {
  return real.kind === 'images' ? { kind: 'images', set: set! } : { kind: 'stats', path: real.path, sha256: real.sha256, count: real.stats.count ?? 0 };
}

/**
 * One shard's exact statistics for FID/KID/mIoU: the images are listed sorted by name, the shard
 * takes its contiguous part (`shardItems`), and the run keeps Inception moments (and feature rows
 * for KID) and the segmentation confusion matrix of that part. `mergeShards` turns the shards of
 * one split into the report a single run over all images gives. Models are released before returning.
 */
export async function evaluateShard(config: ShardConfig): Promise<ShardStatistics> {
  const { shard, fake, fidKid, miou, progress } = config;
  const dims = fidKid?.dims ?? 2048;
  checkShardConfig(config, dims);
  const fakeLabel = fake.label ?? 'fake';
  // mIoU pairs by stem over the same sorted list, so FID and mIoU split the images identically.
  const pairs = miou ? await pairByStem(fake.path, miou.labels) : null;
  const fakeSplit = splitSet(fake.path, pairs ? pairs.map((p) => p.image) : await listImages(fake.path), shard, fakeLabel);
  const real = fidKid?.real;
  const realSplit = real?.kind === 'images' ? splitSet(real.path, await listImages(real.path), shard, real.label ?? 'real') : null;
  const meta: ShardMeta = {
    format: 'clade-eval-shard',
    version: 1,
    metric: config.metric,
    shard: { index: shard.index, count: shard.count },
    dataset: config.preset?.dataset ?? null,
    software: softwareVersions(fidKid ? (fidKid.backend ?? tf.getBackend()) : undefined),
    fake: fakeSplit.set,
    fid: null,
    segmentation: null,
  };
  const out: ShardStatistics = { meta, fake: null, real: null, fakeFeatures: null, realFeatures: null, confusion: null };
  if (fidKid && real) {
    const kid = kidSettings(fidKid);
    const model = fidKid.model ?? (await FidInceptionV3.load(fidKid.weights ?? defaultModelPath(FID_WEIGHTS_FILE)));
    try {
      const options = { dims, batchSize: fidKid.batchSize, keepFeatures: Boolean(kid) };
      if (realSplit) {
        const r = await imageFeatures(model, realSplit.part, { ...options, onProgress: progress?.('real') });
        out.real = r.stats.moments();
        out.realFeatures = r.features?.matrix() ?? null;
      }
      const f = await imageFeatures(model, fakeSplit.part, { ...options, onProgress: progress?.('fake') });
      out.fake = f.stats.moments();
      out.fakeFeatures = f.features?.matrix() ?? null;
      meta.fid = { feature: featureProtocol(model, dims), real: recordReal(real, realSplit?.set ?? null), distance: fidKid.fid ?? true, kid };
    } finally {
      if (!fidKid.model) model.dispose();
    }
  }
  if (miou && pairs) {
    const file = miou.model?.path ?? miou.segmenterFile ?? defaultModelPath(miou.segmenter.fileName);
    const segmenter = miou.model ?? (await OnnxSegmenter.load(miou.segmenter, file, { threads: miou.threads }));
    try {
      const report = progress?.('segmenter');
      const part = shardItems(pairs, shard);
      const e = await evaluateSegmentation(segmenter, part, { onImage: report && (({ done, total }) => report(done, total)) });
      out.confusion = e.matrix;
      meta.segmentation = {
        protocol: {
          ...describeSegmenter(segmenter.descriptor),
          file,
          sha256: segmenter.sha256,
          labelConvention: describeLabelConvention(segmenter.descriptor, config.preset ?? null),
          images: { path: fake.path, count: pairs.length },
          labels: miou.labels,
        },
        perImage: e.perImage,
      };
    } finally {
      if (!miou.model) await segmenter.dispose();
    }
  }
  return out;
}
