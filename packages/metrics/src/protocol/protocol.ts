import { writeFileAtomic } from '@clade/core';
import { FID_WEIGHTS_SHA256_PREFIX, type FidInceptionV3, type InceptionDims } from '../inception/fid-inception';
import type { SegmenterDescriptor } from '../seg/descriptor';
import type { FrechetResult } from '../stats/frechet';
import type { EvalPreset } from './presets';
import { METRICS_VERSION } from './versions';

/** How FID/KID features were made (pytorch-fid's conventions unless stated). */
export interface FeatureProtocol {
  network: string;
  /** File the Inception weights came from, and its sha256 (null for precomputed statistics only). */
  weightsFile: string | null;
  weightsSha256: string | null;
  /** Feature tap: 2048 (pool3), 768, 192 or 64 (spatially averaged, as pytorch-fid). */
  dims: number;
  /** Image decoding and the resize to the network input. */
  input: string;
  statistics: string;
}

export interface FidProtocol extends FeatureProtocol {
  /** What --real was: a folder of images or a statistics file (with its sha256). */
  real: { kind: 'images' | 'stats'; path: string; sha256?: string; count?: number };
  fake: { path: string; count: number };
  referenceSplit: string | null;
  distance: string;
}

export interface KidProtocol extends FeatureProtocol {
  kernel: string;
  subsets: number;
  subsetSize: number;
  seed: number;
  real: { path: string; count: number };
  fake: { path: string; count: number };
}

export interface SegmentationProtocol {
  segmenter: string;
  file: string;
  sha256: string;
  inputSize: string;
  resize: string;
  normalization: string;
  outputResize: string;
  numClasses: number;
  ignoreIndex: number;
  labelConvention: string;
  miou: string;
  accuracy: string;
  images: { path: string; count: number };
  labels: string;
}

/**
 * Everything a reader needs to reproduce a score: printed and saved next to every result
 * (the CLI writes it into the result JSON and next to saved statistics).
 */
export interface EvalProtocol {
  protocolVersion: 1;
  dataset: string | null;
  /** Size the generated images were expected to have (the dataset preset), if any. */
  imageSize: string | null;
  fid: FidProtocol | null;
  kid: KidProtocol | null;
  segmentation: SegmentationProtocol | null;
  software: Record<string, string>;
}

export const PYTORCH_FID_INPUT =
  'decoded to 8-bit RGB as PIL convert("RGB") (grayscale replicated, alpha dropped), /255; ' +
  'inside the network bilinear resize to 299×299 (align_corners=False, no antialias), then 2x − 1';
export const PYTORCH_FID_STATISTICS = 'float64 mean and unbiased (n − 1) covariance over all images (no partial batch dropped)';
export const PYTORCH_FID_NETWORK = 'pytorch-fid InceptionV3 (FID variant of the 2015-12-05 TF graph: FIDInceptionA/C/E_1/E_2, BN eps 1e-3)';
/** KID's kernel and estimator (torch-fidelity's). */
export const KID_KERNEL = 'unbiased MMD², k(x,y) = (xᵀy/d + 1)³';
/** Why scores from other Inception weights must not be compared with published ones. */
export const UNOFFICIAL_WEIGHTS_WARNING =
  `the weights' sha256 does not start with pytorch-fid's ${FID_WEIGHTS_SHA256_PREFIX}: scores are not comparable with published FIDs`;

/** How `model` made its `dims`-d features (shared by FID, KID and saved statistics). */
export function featureProtocol(model: FidInceptionV3, dims: InceptionDims): FeatureProtocol {
  return {
    network: PYTORCH_FID_NETWORK,
    weightsFile: model.weightsFile,
    weightsSha256: model.weightsSha256,
    dims,
    input: PYTORCH_FID_INPUT,
    statistics: PYTORCH_FID_STATISTICS,
  };
}

/** How the distance was computed (our exact form, not pytorch-fid's sqrtm). */
export function describeFrechet(fd: FrechetResult): string {
  return `exact float64 Fréchet distance (${fd.method} factor of Σ_real, symmetric eigenvalues; rank ${fd.rankSigma1})`;
}

/** The split real statistics should come from: the preset's convention, which nothing can check. */
export function describeReferenceSplit(preset: EvalPreset | null): string | null {
  return preset ? `${preset.fidReferenceSplit} (the ${preset.dataset} preset's convention; not checked)` : null;
}

/** The preset's label convention, else what the descriptor alone says. */
export function describeLabelConvention(d: SegmenterDescriptor, preset: EvalPreset | null): string {
  return preset?.labelConvention ?? `ids 0..${d.numClasses - 1}, ${d.ignoreIndex} ignored`;
}

export function describeSegmenter(d: SegmenterDescriptor): Omit<SegmentationProtocol, 'file' | 'sha256' | 'images' | 'labels' | 'labelConvention'> {
  const norm = d.mean.every((m, i) => m === 127.5 && d.std[i] === 127.5)
    ? 'pixel/127.5 − 1'
    : `(pixel − [${d.mean.join(', ')}]) / [${d.std.join(', ')}]`;
  return {
    segmenter: d.name,
    inputSize: `${d.inputWidth}×${d.inputHeight} ${d.layout} ${d.channelOrder}`,
    resize:
      d.resize === 'stretch'
        ? 'whole image PIL-bilinear (antialiased when shrinking) to the input size, aspect not kept'
        : `keep aspect, PIL-bilinear, top-left, pad value ${d.padValue}; prediction cropped back`,
    normalization: norm,
    outputResize: 'PIL nearest to the label-map size',
    numClasses: d.numClasses,
    ignoreIndex: d.ignoreIndex,
    miou:
      'one confusion matrix over the set; IoU_c = TP/(GT+Pred−TP); miou averages classes present in the GT, ' +
      'miou_union classes with union > 0; a predicted ignore index is a miss',
    accuracy: 'correct / non-ignored GT pixels',
  };
}

/** A protocol with the dataset part filled from a preset (or empty). */
export function baseProtocol(preset: EvalPreset | null, software: Record<string, string> = {}): EvalProtocol {
  return {
    protocolVersion: 1,
    dataset: preset?.dataset ?? null,
    imageSize: preset ? `${preset.imageWidth}×${preset.imageHeight}` : null,
    fid: null,
    kid: null,
    segmentation: null,
    software: { '@clade/metrics': METRICS_VERSION, ...software },
  };
}

/** Human-readable lines (what the CLI prints before the scores). */
export function formatProtocol(p: EvalProtocol): string {
  const lines: string[] = ['protocol:'];
  lines.push(`  dataset: ${p.dataset ?? '(none)'}${p.imageSize ? `, generated images ${p.imageSize}` : ''}`);
  if (p.fid) {
    lines.push(`  fid: ${p.fid.network}; dims ${p.fid.dims}; weights ${p.fid.weightsFile ?? '-'} (sha256 ${p.fid.weightsSha256 ?? '-'})`);
    const realCount = p.fid.real.count ? ` (${p.fid.real.count})` : '';
    const split = p.fid.referenceSplit ?? 'unstated';
    lines.push(`       real ${p.fid.real.kind} ${p.fid.real.path}${realCount}, reference split ${split}; fake ${p.fid.fake.path} (${p.fid.fake.count})`);
    lines.push(`       input: ${p.fid.input}`);
    lines.push(`       ${p.fid.statistics}; ${p.fid.distance}`);
  }
  if (p.kid) lines.push(`  kid: ${p.kid.kernel}, ${p.kid.subsets} subsets of ${p.kid.subsetSize}, seed ${p.kid.seed}; dims ${p.kid.dims}`);
  if (p.segmentation) {
    const s = p.segmentation;
    lines.push(`  segmentation: ${s.segmenter} (${s.file}, sha256 ${s.sha256})`);
    lines.push(`       input ${s.inputSize}, ${s.normalization}; ${s.resize}; ${s.outputResize}`);
    lines.push(`       ${s.numClasses} ids, ignore ${s.ignoreIndex} (${s.labelConvention}); images ${s.images.path} (${s.images.count}), labels ${s.labels}`);
  }
  lines.push(`  software: ${Object.entries(p.software).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  return lines.join('\n');
}

/** Saves `value` (a result with its protocol) as pretty JSON, atomically. */
export async function saveJson(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`));
}
