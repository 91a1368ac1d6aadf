import { ConfigError } from '@clade/core';
import type { Rng } from './rng';

/**
 * The official `preprocess_mode`s (REFERENCE §12.1). `scale_shortside*` is left out: its
 * behaviour is not pinned by the reference.
 */
export const PREPROCESS_MODES = [
  'resize_and_crop', 'crop', 'scale_width', 'scale_width_and_crop', 'fixed', 'none',
] as const;
export type PreprocessMode = (typeof PREPROCESS_MODES)[number];

export interface PreprocessConfig {
  /** Geometry mode. ADE20K/COCO/custom: 'resize_and_crop'; Cityscapes: 'fixed'. */
  mode: PreprocessMode;
  /** Square resize side ('resize*') or target width ('scale_width*'). Training 286, test 256. */
  loadSize: number;
  /** Crop side; for 'fixed' the output width. 256 (Cityscapes 512). */
  cropSize: number;
  /** W/H of the 'fixed' output: H = round(cropSize / aspectRatio) (Python round, half to even). Default 1. */
  aspectRatio?: number;
  /** Whether random left-right flips may happen (training and not `no_flip`). Default false. */
  flip?: boolean;
}

/** The random draws of one sample (the official `get_params`). */
export interface TransformParams {
  cropX: number;
  cropY: number;
  flip: boolean;
}

/** One geometric step; applied in order to image, label, instances and positional map alike. */
export type TransformStep =
  | { op: 'resize'; width: number; height: number }
  | { op: 'crop'; x: number; y: number; width: number; height: number }
  | { op: 'flip' };

/** Python 3 `round()` for the non-negative values used here: half to even. */
export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

function checkConfig(cfg: PreprocessConfig): void {
  if (!PREPROCESS_MODES.includes(cfg.mode))
    throw new ConfigError(`preprocess: mode must be one of ${PREPROCESS_MODES.join(', ')}; got '${String(cfg.mode)}'.`);
  for (const k of ['loadSize', 'cropSize'] as const)
    if (!Number.isInteger(cfg[k]) || cfg[k] < 1)
      throw new ConfigError(`preprocess: ${k} must be a positive integer, got ${cfg[k]}.`);
  const ar = cfg.aspectRatio ?? 1;
  if (!(ar > 0)) throw new ConfigError(`preprocess: aspectRatio must be > 0, got ${ar}.`);
}

/** Size after the mode's first resize (before cropping), as `get_params` computes it. */
function paramsSize(cfg: PreprocessConfig, w: number, h: number): [number, number] {
  if (cfg.mode === 'resize_and_crop') return [cfg.loadSize, cfg.loadSize];
  if (cfg.mode === 'scale_width_and_crop') return [cfg.loadSize, Math.floor((cfg.loadSize * h) / w)];
  return [w, h];
}

/** Draws the crop corner (uniform in [0, max(0, new − crop)], inclusive) and the flip (p = 0.5). */
export function sampleTransformParams(cfg: PreprocessConfig, width: number, height: number, rng: Rng): TransformParams {
  checkConfig(cfg);
  const [nw, nh] = paramsSize(cfg, width, height);
  const cropX = rng.randint(0, Math.max(0, nw - cfg.cropSize));
  const cropY = rng.randint(0, Math.max(0, nh - cfg.cropSize));
  const flip = rng.random() > 0.5;
  return { cropX, cropY, flip };
}

/** Deterministic params for evaluation: crop at (0, 0), no flip. */
export const EVAL_PARAMS: Readonly<TransformParams> = { cropX: 0, cropY: 0, flip: false };

/**
 * The official `get_transform` as a list of steps for an input of `width × height`:
 * resize ('resize*' → load×load; 'scale_width*' → load wide), crop ('*crop*'), power-of-2 sizes
 * ('none', base 32), the 'fixed' resize to cropSize × round(cropSize/aspect), then the flip
 * when `cfg.flip` and `params.flip`. Crops reaching past the border pad with 0, as PIL's do.
 */
export function planTransform(
  cfg: PreprocessConfig, width: number, height: number, params: TransformParams = EVAL_PARAMS,
): TransformStep[] {
  checkConfig(cfg);
  const steps: TransformStep[] = [];
  let w = width;
  let h = height;
  const resize = (nw: number, nh: number) => {
    if (nw === w && nh === h) return;
    steps.push({ op: 'resize', width: nw, height: nh });
    w = nw;
    h = nh;
  };
  if (cfg.mode.includes('resize')) resize(cfg.loadSize, cfg.loadSize);
  else if (cfg.mode.includes('scale_width') && w !== cfg.loadSize)
    resize(cfg.loadSize, Math.trunc((cfg.loadSize * h) / w));
  if (cfg.mode.includes('crop')) {
    steps.push({ op: 'crop', x: params.cropX, y: params.cropY, width: cfg.cropSize, height: cfg.cropSize });
    w = h = cfg.cropSize;
  }
  if (cfg.mode === 'none') resize(roundHalfEven(w / 32) * 32 || 32, roundHalfEven(h / 32) * 32 || 32);
  if (cfg.mode === 'fixed') resize(cfg.cropSize, roundHalfEven(cfg.cropSize / (cfg.aspectRatio ?? 1)));
  if (cfg.flip && params.flip) steps.push({ op: 'flip' });
  return steps;
}

/** Output size after `steps` for an input of `width × height`. */
export function plannedSize(steps: readonly TransformStep[], width: number, height: number): [number, number] {
  let w = width;
  let h = height;
  for (const s of steps) if (s.op !== 'flip') [w, h] = [s.width, s.height];
  return [w, h];
}
