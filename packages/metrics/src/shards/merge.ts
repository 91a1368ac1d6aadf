import { ConfigError } from '@clade/core';
import { formatShard } from '@clade/data';
import { FID_WEIGHTS_SHA256_PREFIX } from '../inception/fid-inception';
import { evalPreset } from '../protocol/presets';
import { UNOFFICIAL_WEIGHTS_WARNING, baseProtocol, describeFrechet } from '../protocol/protocol';
import { fidProtocol, kidProtocol, type FidKidEvaluation, type ImageFolder } from '../runs/fid-kid-run';
import type { MetricsReport } from '../runs/metrics-run';
import type { MiouEvaluation } from '../runs/miou-run';
import { loadReferenceStats, type ReferenceStats } from '../runs/reference-stats';
import { ConfusionMatrix } from '../seg/confusion';
import type { FeatureMatrix } from '../stats/features';
import { frechetDistance } from '../stats/frechet';
import { GaussianAccumulator, type GaussianMoments, type GaussianStats } from '../stats/gaussian';
import { kernelInceptionDistance } from '../stats/kid';
import { loadShardStatistics, type ShardMeta, type ShardSet, type ShardStatistics } from './shard-file';
import { listDigest } from './shard-run';

/** A shard's statistics and the file they came from (errors name it). */
export interface ShardInput {
  file: string;
  stats: ShardStatistics;
}

export interface MergeOptions {
  /**
   * Real statistics (.npz) when the shards were computed against a statistics file; default: the
   * path the shards recorded. Its sha256 must be the one they recorded.
   */
  real?: string | null;
}

/** What a single run over all the images reports, rebuilt from its shards. */
export interface MergedEvaluation extends MetricsReport {
  /** The metric the shards ran (the CLI's fid, kid, miou or all). */
  metric: string;
  /** Number of shards merged. */
  shards: number;
}

/** Reads shard files (in the given order; `checkShards` orders them). */
export async function loadShards(files: readonly string[]): Promise<ShardInput[]> {
  const out: ShardInput[] = [];
  for (const file of files) out.push({ file, stats: await loadShardStatistics(file) });
  return out;
}

/** Leaf values of a JSON value by dotted path, to name the first field in which two protocols differ. */
function flatten(v: unknown, prefix: string, out: Map<string, string>): Map<string, string> {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== undefined) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, JSON.stringify(v));
  return out;
}

const setIdentity = (s: ShardSet) => ({ total: s.total, digest: s.digest });

/**
 * What must be equal across the shards of one run: the metric, split, dataset, software, the
 * image lists (by count and digest), the feature and KID settings, the real side and the
 * segmenter. Paths are left out: machines may mount the same files elsewhere.
 */
function protocolKey(m: ShardMeta): unknown {
  const { weightsFile: _path, ...feature } = m.fid?.feature ?? { weightsFile: null };
  const real = m.fid?.real;
  const seg = m.segmentation?.protocol;
  return {
    metric: m.metric,
    dataset: m.dataset,
    software: m.software,
    fake: setIdentity(m.fake),
    fid: m.fid && {
      feature,
      real: real?.kind === 'images' ? { kind: 'images', ...setIdentity(real.set) } : { kind: 'stats', sha256: real?.sha256, count: real?.count },
      distance: m.fid.distance,
      kid: m.fid.kid,
    },
    segmentation: seg && { ...seg, file: undefined, images: { count: seg.images.count }, labels: undefined },
  };
}

function shardName(s: ShardInput): string {
  return `'${s.file}' (shard ${formatShard(s.stats.meta.shard)})`;
}

/** The concatenated parts must be the whole sorted list once: no image lost or counted twice. */
function checkCoverage(sorted: ShardInput[], set: (m: ShardMeta) => ShardSet, what: string): void {
  const whole = set(sorted[0]!.stats.meta);
  const names = sorted.flatMap((s) => set(s.stats.meta).names);
  if (names.length !== whole.total || listDigest(names) !== whole.digest)
    throw new ConfigError(
      `mergeShards: the shards' ${what} images (${names.length}) are not the sorted list of ${whole.total} they were split from; ` +
        'recompute the shards of one split.',
    );
}

/**
 * Checks that `inputs` are every shard of one split, once each, computed under one protocol; returns
 * them in shard order. Each refusal is one line naming the files.
 */
export function checkShards(inputs: readonly ShardInput[]): ShardInput[] {
  if (inputs.length === 0) throw new ConfigError('mergeShards: no shard files given.');
  const first = inputs[0]!;
  const n = first.stats.meta.shard.count;
  const other = inputs.find((s) => s.stats.meta.shard.count !== n);
  if (other)
    throw new ConfigError(`mergeShards: ${shardName(other)} and ${shardName(first)} come from splits of different n; merge the shards of one split.`);
  const byIndex = new Map<number, ShardInput>();
  for (const s of inputs) {
    const seen = byIndex.get(s.stats.meta.shard.index);
    if (seen) throw new ConfigError(`mergeShards: shard ${formatShard(s.stats.meta.shard)} is given twice ('${seen.file}' and '${s.file}').`);
    byIndex.set(s.stats.meta.shard.index, s);
  }
  const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length) {
    const some = `${missing.slice(0, 5).map((i) => `${i}/${n}`).join(', ')}${missing.length > 5 ? ', …' : ''}`;
    throw new ConfigError(`mergeShards: ${missing.length} of ${n} shards missing (${some}); pass all ${n}.`);
  }
  const sorted = Array.from({ length: n }, (_, i) => byIndex.get(i)!);
  const ref = flatten(protocolKey(sorted[0]!.stats.meta), '', new Map());
  for (const s of sorted.slice(1)) {
    const key = flatten(protocolKey(s.stats.meta), '', new Map());
    const diff = [...new Set([...ref.keys(), ...key.keys()])].find((k) => ref.get(k) !== key.get(k));
    if (diff !== undefined)
      throw new ConfigError(
        `mergeShards: ${shardName(s)} and ${shardName(sorted[0]!)} were computed differently: ` +
          `${diff} is ${key.get(diff) ?? 'absent'} vs ${ref.get(diff) ?? 'absent'}.`,
      );
  }
  checkCoverage(sorted, (m) => m.fake, 'fake');
  const real = sorted[0]!.stats.meta.fid?.real;
  if (real?.kind === 'images') checkCoverage(sorted, (m) => (m.fid!.real as { set: ShardSet }).set, 'real');
  return sorted;
}

/** Chan's merge in shard order; one shard rebuilds the very accumulator that saved it. */
function mergeMoments(parts: GaussianMoments[]): GaussianStats {
  const acc = GaussianAccumulator.fromMoments(parts[0]!);
  for (const p of parts.slice(1)) acc.merge(GaussianAccumulator.fromMoments(p));
  return acc.stats();
}

/** Feature rows of the shards, concatenated in shard order: the matrix a single run keeps. */
function gatherRows(parts: FeatureMatrix[]): FeatureMatrix {
  const dims = parts[0]!.dims;
  const rows = parts.reduce((a, p) => a + p.rows, 0);
  const data = new Float32Array(rows * dims);
  let at = 0;
  for (const p of parts) {
    data.set(p.data, at);
    at += p.data.length;
  }
  return { rows, dims, data };
}

/** The real side: the shards' merged moments, or the statistics file they were computed against. */
async function realSide(sorted: ShardInput[], options: MergeOptions): Promise<{ real: ImageFolder | ReferenceStats; stats: GaussianStats; count: number }> {
  const r = sorted[0]!.stats.meta.fid!.real;
  if (r.kind === 'images') {
    if (options.real)
      throw new ConfigError(
        `mergeShards: real statistics '${options.real}' were given, but these shards split the real images ('${r.set.path}') themselves; pass none.`,
      );
    return { real: { kind: 'images', path: r.set.path }, stats: mergeMoments(sorted.map((s) => s.stats.real!)), count: r.set.total };
  }
  const loaded = await loadReferenceStats(options.real ?? r.path);
  if (loaded.sha256 !== r.sha256)
    throw new ConfigError(
      `mergeShards: real statistics '${loaded.path}' have sha256 ${loaded.sha256.slice(0, 12)}…, ` +
        `but the shards were computed against '${r.path}' (sha256 ${r.sha256.slice(0, 12)}…).`,
    );
  // The protocol names the file the shards used, as a single run would have.
  return { real: { ...loaded, path: r.path }, stats: loaded.stats, count: loaded.stats.count ?? 0 };
}

async function mergeFidKid(sorted: ShardInput[], options: MergeOptions): Promise<FidKidEvaluation | null> {
  const meta = sorted[0]!.stats.meta;
  const fid = meta.fid;
  if (!fid) {
    if (options.real) throw new ConfigError(`mergeShards: real statistics '${options.real}' were given, but the shards hold no FID/KID statistics.`);
    return null;
  }
  const preset = meta.dataset ? evalPreset(meta.dataset) : null;
  const { real, stats: realStats, count: realCount } = await realSide(sorted, options);
  const fakeStats = mergeMoments(sorted.map((s) => s.stats.fake!));
  const fake = { path: meta.fake.path, count: meta.fake.total };
  const fd = fid.distance ? frechetDistance(realStats, fakeStats) : null;
  const kid = fid.kid
    ? kernelInceptionDistance(gatherRows(sorted.map((s) => s.stats.realFeatures!)), gatherRows(sorted.map((s) => s.stats.fakeFeatures!)), fid.kid)
    : null;
  return {
    fid: fd,
    kid,
    savedStats: null,
    warning: fid.feature.weightsSha256?.startsWith(FID_WEIGHTS_SHA256_PREFIX) ? null : UNOFFICIAL_WEIGHTS_WARNING,
    protocol: {
      fid: fd && fidProtocol(fid.feature, real, realCount, fake, describeFrechet(fd), preset),
      kid: kid && kidProtocol(fid.feature, kid, { path: real.path, count: realCount }, fake),
    },
    software: meta.software,
  };
}

function mergeMiou(sorted: ShardInput[]): MiouEvaluation | null {
  const seg = sorted[0]!.stats.meta.segmentation;
  if (!seg) return null;
  const matrix = new ConfusionMatrix(seg.protocol.numClasses, seg.protocol.ignoreIndex);
  for (const s of sorted) matrix.merge(s.stats.confusion!);
  return { scores: matrix.scores(), perImage: sorted.flatMap((s) => s.stats.meta.segmentation!.perImage), matrix, protocol: seg.protocol };
}

/**
 * The report a single run over all images gives, from the shards of one split (`checkShards`):
 * FID from Chan-merged float64 moments (equal to one pass up to round-off; one shard: bit for bit),
 * KID from the feature rows gathered in shard order (the same subsets, the same number), mIoU from
 * the summed confusion matrices (exact). The protocol is the one the single run prints.
 */
export async function mergeShards(inputs: readonly ShardInput[], options: MergeOptions = {}): Promise<MergedEvaluation> {
  const sorted = checkShards(inputs);
  const meta = sorted[0]!.stats.meta;
  const fidKid = await mergeFidKid(sorted, options);
  const miou = mergeMiou(sorted);
  const preset = meta.dataset ? evalPreset(meta.dataset) : null;
  return {
    metric: meta.metric,
    shards: sorted.length,
    fidKid,
    miou,
    protocol: {
      ...baseProtocol(preset, meta.software),
      fid: fidKid?.protocol.fid ?? null,
      kid: fidKid?.protocol.kid ?? null,
      segmentation: miou?.protocol ?? null,
    },
  };
}
