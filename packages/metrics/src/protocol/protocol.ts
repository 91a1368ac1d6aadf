import { writeFileAtomic } from '@clade/core';
import type { SegmenterDescriptor } from '../seg/descriptor';
import type { EvalPreset } from './presets';

/** Version of this package, recorded with every result. */
export const METRICS_VERSION = '0.0.0';

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
  'decoded to 8-bit RGB as PIL convert("RGB") (grayscale replicated, alpha dropped), /255; inside the network bilinear resize to 299×299 (align_corners=False, no antialias), then 2x − 1';
export const PYTORCH_FID_STATISTICS = 'float64 mean and unbiased (n − 1) covariance over all images (no partial batch dropped)';
export const PYTORCH_FID_NETWORK = 'pytorch-fid InceptionV3 (FID variant of the 2015-12-05 TF graph: FIDInceptionA/C/E_1/E_2, BN eps 1e-3)';

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
    miou: 'one confusion matrix over the set; IoU_c = TP/(GT+Pred−TP); miou averages classes present in the GT, miou_union classes with union > 0; a predicted ignore index is a miss',
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
    lines.push(`       real ${p.fid.real.kind} ${p.fid.real.path}${p.fid.real.count ? ` (${p.fid.real.count})` : ''}, reference split ${p.fid.referenceSplit ?? 'unstated'}; fake ${p.fid.fake.path} (${p.fid.fake.count})`);
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
