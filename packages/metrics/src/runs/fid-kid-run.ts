import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '@clade/core';
import { listImages } from '../files';
import { FID_WEIGHTS_FILE, FidInceptionV3, INCEPTION_DIMS, type InceptionDims } from '../inception/fid-inception';
import { defaultModelPath } from '../models-dir';
import { imageFeatures } from '../pipeline/features';
import type { EvalPreset } from '../protocol/presets';
import {
  KID_KERNEL,
  UNOFFICIAL_WEIGHTS_WARNING,
  describeFrechet,
  describeReferenceSplit,
  featureProtocol,
  type FeatureProtocol,
  type FidProtocol,
  type KidProtocol,
} from '../protocol/protocol';
import { softwareVersions } from '../protocol/versions';
import type { FeatureMatrix } from '../stats/features';
import { frechetDistance, type FrechetResult } from '../stats/frechet';
import { checkStats, type GaussianStats } from '../stats/gaussian';
import { kernelInceptionDistance, type KidOptions, type KidResult } from '../stats/kid';
import type { StageProgress } from './progress';
import { saveReferenceStats, type ReferenceStats } from './reference-stats';

/** A folder of images: not recursive, pytorch-fid's extensions, sorted by name. */
export interface ImageFolder {
  kind: 'images';
  path: string;
  /** How errors name the set (a CLI passes the flag that gave it). Default 'real' or 'fake'. */
  label?: string;
}

export interface FidKidConfig {
  /** Real images, or their precomputed statistics (`loadReferenceStats`; FID only). */
  real: ImageFolder | ReferenceStats;
  /** Generated images; null computes only the real images' statistics, for `saveStats`. */
  fake: ImageFolder | null;
  /** pytorch-fid's weights file. Default: FID_WEIGHTS_FILE in the models folder. */
  weights?: string;
  /** Feature tap. Default 2048. */
  dims?: InceptionDims;
  /** Images per Inception forward. Default 8. */
  batchSize?: number;
  /** Compute FID. Default true. */
  fid?: boolean;
  /** Compute KID with these options; it needs real images. Default: no KID. */
  kid?: KidOptions | null;
  /** Save statistics here (.npz and .protocol.json): of the real images, or of the fake ones when real is statistics. */
  saveStats?: string | null;
  /** The dataset's conventions, recorded in the protocol. */
  preset?: EvalPreset | null;
  /** The backend's name for the protocol ('native' runs as tfjs 'wasm', so a caller may know better). Default tf.getBackend(). */
  backend?: string;
  progress?: StageProgress;
}

export interface FidKidEvaluation {
  fid: FrechetResult | null;
  kid: KidResult | null;
  /** Where statistics were saved, if they were. */
  savedStats: string | null;
  /** Set when the weights are not pytorch-fid's. */
  warning: string | null;
  protocol: { fid: FidProtocol | null; kid: KidProtocol | null };
  /** What the features were computed with (`softwareVersions`). */
  software: Record<string, string>;
}

/** One set as the distances use it: statistics always, the vectors only for KID. */
interface FeatureSet {
  stats: GaussianStats;
  features: FeatureMatrix | null;
  /** Number of images; 0 when unknown (pytorch-fid's statistics files do not say). */
  count: number;
}

/** Rejects what cannot run before the weights load and minutes of feature extraction. */
function checkConfig(c: FidKidConfig, dims: InceptionDims, fid: boolean): void {
  if (!INCEPTION_DIMS.includes(dims)) throw new ConfigError(`evaluateFidKid: dims must be one of ${INCEPTION_DIMS.join(', ')}, got ${dims}.`);
  if (c.real.kind === 'stats') {
    checkStats(c.real.stats, 'evaluateFidKid');
    if (c.real.stats.dims !== dims)
      throw new ConfigError(`evaluateFidKid: the real statistics '${c.real.path}' are ${c.real.stats.dims}-d, but dims is ${dims}.`);
    if (c.kid) throw new ConfigError('evaluateFidKid: KID needs the real feature vectors; real must be images, not statistics.');
  }
  if (!c.fake && (c.real.kind === 'stats' || !c.saveStats || c.kid))
    throw new ConfigError('evaluateFidKid: without fake images the run only saves the statistics of real images: pass real images and saveStats, and no kid.');
  if (!fid && !c.kid && !c.saveStats) throw new ConfigError('evaluateFidKid: nothing to compute (fid is false, no kid, no saveStats).');
}

/** Features of a folder's images; FID's covariance needs at least 2. */
async function folderFeatures(
  model: FidInceptionV3,
  folder: ImageFolder,
  stage: 'real' | 'fake',
  { progress, ...options }: { dims: InceptionDims; batchSize?: number; keepFeatures: boolean; progress?: StageProgress },
): Promise<FeatureSet> {
  const files = await listImages(folder.path);
  if (files.length < 2) throw new ConfigError(`${folder.label ?? stage} '${folder.path}' must hold at least 2 images, found ${files.length}.`);
  const r = await imageFeatures(model, files, { ...options, onProgress: progress?.(stage) });
  return { stats: r.stats.stats(), features: r.features?.matrix() ?? null, count: r.count };
}

/** Saves a folder's statistics with the record of how they were made; returns the file. */
async function saveSet(file: string, folder: ImageFolder, set: FeatureSet, feature: FeatureProtocol, software: Record<string, string>): Promise<string> {
  await saveReferenceStats(file, set.stats, { statsOf: folder.path, count: set.count, feature, software });
  return file;
}

/** FID's protocol; `realCount` 0 when unknown. Shared with the merge of shard statistics, which must print the same. */
export function fidProtocol(
  feature: FeatureProtocol,
  real: ImageFolder | ReferenceStats,
  realCount: number,
  fake: { path: string; count: number },
  distance: string,
  preset: EvalPreset | null,
): FidProtocol {
  return {
    ...feature,
    real: {
      kind: real.kind,
      path: real.path,
      ...(real.kind === 'stats' ? { sha256: real.sha256 } : {}),
      ...(realCount ? { count: realCount } : {}),
    },
    fake,
    referenceSplit: describeReferenceSplit(preset),
    distance,
  };
}

export function kidProtocol(
  feature: FeatureProtocol,
  kid: KidResult,
  real: { path: string; count: number },
  fake: { path: string; count: number },
): KidProtocol {
  return { ...feature, kernel: KID_KERNEL, subsets: kid.subsets, subsetSize: kid.subsetSize, seed: kid.seed ?? 0, real, fake };
}

/**
 * FID and/or KID between real and generated images from one pass of pytorch-fid's InceptionV3
 * (`weights`), with the protocol that produced them; or, without fake images, the real images'
 * statistics saved for later runs. Every image counts; the network is disposed before returning.
 */
export async function evaluateFidKid(config: FidKidConfig): Promise<FidKidEvaluation> {
  const dims = config.dims ?? 2048;
  const wantFid = config.fid ?? true;
  checkConfig(config, dims, wantFid);
  const { real, fake, saveStats } = config;
  const preset = config.preset ?? null;
  const software = softwareVersions(config.backend ?? tf.getBackend());
  const model = await FidInceptionV3.load(config.weights ?? defaultModelPath(FID_WEIGHTS_FILE));
  try {
    const feature = featureProtocol(model, dims);
    const warning = model.isOfficialWeights ? null : UNOFFICIAL_WEIGHTS_WARNING;
    const options = { dims, batchSize: config.batchSize, keepFeatures: Boolean(config.kid), progress: config.progress };
    const realSet: FeatureSet =
      real.kind === 'stats' ? { stats: real.stats, features: null, count: real.stats.count ?? 0 } : await folderFeatures(model, real, 'real', options);
    // Saved before the fake images are read, so minutes of work survive a failure there.
    const savedReal = saveStats && real.kind === 'images' ? await saveSet(saveStats, real, realSet, feature, software) : null;
    if (!fake) {
      const statsOnly = fidProtocol(feature, real, realSet.count, { path: '-', count: 0 }, '-', preset);
      return { fid: null, kid: null, savedStats: savedReal, warning, protocol: { fid: statsOnly, kid: null }, software };
    }
    const fakeSet = await folderFeatures(model, fake, 'fake', options);
    const savedFake = saveStats && real.kind === 'stats' ? await saveSet(saveStats, fake, fakeSet, feature, software) : null;
    const fakeRef = { path: fake.path, count: fakeSet.count };
    const fd = wantFid ? frechetDistance(realSet.stats, fakeSet.stats) : null;
    // checkConfig made KID imply real images, whose vectors were kept.
    const kid = config.kid ? kernelInceptionDistance(realSet.features!, fakeSet.features!, config.kid) : null;
    return {
      fid: fd,
      kid,
      savedStats: savedReal ?? savedFake,
      warning,
      protocol: {
        fid: fd && fidProtocol(feature, real, realSet.count, fakeRef, describeFrechet(fd), preset),
        kid: kid && kidProtocol(feature, kid, { path: real.path, count: realSet.count }, fakeRef),
      },
      software,
    };
  } finally {
    model.dispose();
  }
}
