import { ConfigError, IOError, loadNpzFile, saveNpzFile, type NdArray } from '@clade/core';
import type { FeatureProtocol, SegmentationProtocol } from '../protocol/protocol';
import type { PerImageScore } from '../seg/evaluate';
import { ConfusionMatrix } from '../seg/confusion';
import { checkFeatures, type FeatureMatrix } from '../stats/features';
import type { GaussianMoments } from '../stats/gaussian';

/** The `format` field of a shard statistics file. */
export const SHARD_FORMAT = 'clade-eval-shard';
export const SHARD_FORMAT_VERSION = 1;

/** One image set as a shard saw it: the whole sorted list (count and digest) and the contiguous part it covered. */
export interface ShardSet {
  /** The folder, as this shard was given it (recorded, not compared: machines may mount it elsewhere). */
  path: string;
  /** Images in the whole sorted list. */
  total: number;
  /** sha256 of the whole sorted list of file names, joined by '\n': every shard must have listed the same set. */
  digest: string;
  /** File names of this shard's part, in order. */
  names: string[];
}

/** What --real was for a shard: images are split like the fake ones; statistics are used whole and named by sha256. */
export type ShardReal = { kind: 'images'; set: ShardSet } | { kind: 'stats'; path: string; sha256: string; count: number };

/** The KID settings a merge applies to the gathered feature rows. */
export interface ShardKid {
  subsets: number;
  subsetSize: number;
  seed: number;
}

/** The JSON part of a shard file (entry `meta`, UTF-8 bytes): which shard, of what, under which protocol. */
export interface ShardMeta {
  format: typeof SHARD_FORMAT;
  version: typeof SHARD_FORMAT_VERSION;
  /** What the caller ran (the CLI's fid, kid, miou or all); merges print it back. */
  metric: string;
  shard: { index: number; count: number };
  /** The evaluation preset's dataset, or null. */
  dataset: string | null;
  /** softwareVersions() of the run (with the tfjs backend when Inception ran). */
  software: Record<string, string>;
  /** The generated images (shared by FID/KID and mIoU: one sorted list, one split). */
  fake: ShardSet;
  fid: {
    feature: FeatureProtocol;
    real: ShardReal;
    /** The Fréchet distance is asked for (false: KID only). */
    distance: boolean;
    kid: ShardKid | null;
  } | null;
  segmentation: {
    /** The protocol as the whole run reports it (images.count is the whole set's). */
    protocol: SegmentationProtocol;
    perImage: PerImageScore[];
  } | null;
}

/** A shard's statistics: exact, mergeable parts of every metric it computed. */
export interface ShardStatistics {
  meta: ShardMeta;
  /** Inception moments of this shard's fake images, and of its real images when --real is a folder. */
  fake: GaussianMoments | null;
  real: GaussianMoments | null;
  /** The feature rows themselves (float32, as the network emits them), for KID. */
  fakeFeatures: FeatureMatrix | null;
  realFeatures: FeatureMatrix | null;
  /** Segmentation counts (integers). */
  confusion: ConfusionMatrix | null;
}

const f64 = (shape: number[], data: Float64Array): NdArray => ({ dtype: 'float64', shape, data });

function momentArrays(prefix: string, m: GaussianMoments, out: Map<string, NdArray>): void {
  out.set(`${prefix}_n`, { dtype: 'int64', shape: [], data: BigInt64Array.from([BigInt(m.count)]) });
  out.set(`${prefix}_mean`, f64([m.dims], m.mean));
  out.set(`${prefix}_m2`, f64([m.dims, m.dims], m.m2));
}

function featureArray(f: FeatureMatrix): NdArray {
  return { dtype: 'float32', shape: [f.rows, f.dims], data: Float32Array.from(f.data) };
}

/**
 * The `.npz` layout: `meta` (uint8, UTF-8 JSON of ShardMeta); `fake_n` (int64), `fake_mean` [d] and
 * `fake_m2` [d,d] (float64; likewise `real_*` when the real images were split too); `fake_features`
 * and `real_features` (float32 [rows,d], KID only); `confusion` (int64 [K,K+1], mIoU only).
 * numpy reads it: `json.loads(bytes(np.load(f)['meta']))`.
 */
export function shardToArrays(s: ShardStatistics): Map<string, NdArray> {
  const out = new Map<string, NdArray>();
  const meta = new TextEncoder().encode(JSON.stringify(s.meta));
  out.set('meta', { dtype: 'uint8', shape: [meta.length], data: meta });
  if (s.fake) momentArrays('fake', s.fake, out);
  if (s.real) momentArrays('real', s.real, out);
  if (s.fakeFeatures) out.set('fake_features', featureArray(s.fakeFeatures));
  if (s.realFeatures) out.set('real_features', featureArray(s.realFeatures));
  if (s.confusion) {
    const k = s.confusion.numClasses;
    out.set('confusion', { dtype: 'int64', shape: [k, k + 1], data: BigInt64Array.from(s.confusion.counts, (v) => BigInt(v)) });
  }
  return out;
}

function bad(file: string, why: string): IOError {
  return new IOError(`'${file}' is not a clade shard statistics file: ${why}.`);
}

function need(arrays: Map<string, NdArray>, key: string, file: string): NdArray {
  const a = arrays.get(key);
  if (!a) throw bad(file, `it has no '${key}' entry`);
  return a;
}

function readMoments(arrays: Map<string, NdArray>, prefix: string, dims: number, file: string): GaussianMoments {
  const n = need(arrays, `${prefix}_n`, file);
  const mean = need(arrays, `${prefix}_mean`, file);
  const m2 = need(arrays, `${prefix}_m2`, file);
  if (n.dtype !== 'int64' || n.data.length !== 1) throw bad(file, `'${prefix}_n' must be one int64`);
  if (mean.dtype !== 'float64' || m2.dtype !== 'float64' || mean.data.length !== dims || m2.data.length !== dims * dims)
    throw bad(file, `'${prefix}_mean' and '${prefix}_m2' must be float64 [${dims}] and [${dims},${dims}]`);
  return { dims, count: Number(n.data[0]), mean: mean.data, m2: m2.data };
}

function readFeatures(arrays: Map<string, NdArray>, key: string, dims: number, rows: number, file: string): FeatureMatrix {
  const a = need(arrays, key, file);
  if (a.dtype !== 'float32') throw bad(file, `'${key}' must be float32`);
  const f = { rows: a.shape[0] ?? -1, dims: a.shape[1] ?? -1, data: a.data };
  if (f.dims !== dims || f.rows !== rows) throw bad(file, `'${key}' must be [${rows},${dims}], got [${a.shape.join(',')}]`);
  checkFeatures(f, file);
  return f;
}

function readConfusion(arrays: Map<string, NdArray>, protocol: SegmentationProtocol, file: string): ConfusionMatrix {
  const a = need(arrays, 'confusion', file);
  const k = protocol.numClasses;
  if (a.dtype !== 'int64' || a.shape.length !== 2 || a.shape[0] !== k || a.shape[1] !== k + 1)
    throw bad(file, `'confusion' must be int64 [${k},${k + 1}]`);
  const m = new ConfusionMatrix(k, protocol.ignoreIndex);
  a.data.forEach((v, i) => (m.counts[i] = Number(v)));
  return m;
}

function parseMeta(arrays: Map<string, NdArray>, file: string): ShardMeta {
  const raw = need(arrays, 'meta', file);
  if (raw.dtype !== 'uint8') throw bad(file, "'meta' must be uint8 (UTF-8 JSON)");
  let meta: ShardMeta;
  try {
    meta = JSON.parse(new TextDecoder().decode(raw.data)) as ShardMeta;
  } catch (e) {
    throw bad(file, `'meta' is not JSON (${(e as Error).message})`);
  }
  if (meta?.format !== SHARD_FORMAT) throw bad(file, `'meta' has format '${String(meta?.format)}', expected '${SHARD_FORMAT}'`);
  if (meta.version !== SHARD_FORMAT_VERSION)
    throw new ConfigError(`'${file}' is a version ${meta.version} shard file; this @clade/metrics reads version ${SHARD_FORMAT_VERSION}.`);
  return meta;
}

/** Parses the arrays of a shard file back into statistics; `file` names it in errors. */
export function shardFromArrays(arrays: Map<string, NdArray>, file: string): ShardStatistics {
  const meta = parseMeta(arrays, file);
  const fid = meta.fid;
  const dims = fid?.feature.dims ?? 0;
  const fake = fid ? readMoments(arrays, 'fake', dims, file) : null;
  const real = fid?.real.kind === 'images' ? readMoments(arrays, 'real', dims, file) : null;
  if (fake && fake.count !== meta.fake.names.length) throw bad(file, `'fake_n' is ${fake.count} but the shard lists ${meta.fake.names.length} images`);
  const realNames = fid?.real.kind === 'images' ? fid.real.set.names.length : 0;
  if (real && real.count !== realNames) throw bad(file, `'real_n' is ${real.count} but the shard lists ${realNames} real images`);
  return {
    meta,
    fake,
    real,
    fakeFeatures: fid?.kid ? readFeatures(arrays, 'fake_features', dims, meta.fake.names.length, file) : null,
    realFeatures: fid?.kid ? readFeatures(arrays, 'real_features', dims, realNames, file) : null,
    confusion: meta.segmentation ? readConfusion(arrays, meta.segmentation.protocol, file) : null,
  };
}

/** Writes a shard's statistics as one `.npz`, atomically. */
export async function saveShardStatistics(file: string, s: ShardStatistics): Promise<void> {
  await saveNpzFile(file, shardToArrays(s));
}

/** Reads a shard statistics file written by `saveShardStatistics`. */
export async function loadShardStatistics(file: string): Promise<ShardStatistics> {
  return shardFromArrays(await loadNpzFile(file), file);
}
