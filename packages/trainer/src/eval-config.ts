// Evaluation during training: its config and what counts as better. Apart from the evaluator so
// the run config can hold it without importing the evaluator (which needs the trainable models).

/** What periodic evaluation scores. */
export const EVAL_METRICS = ['fid', 'miou'] as const;
export type EvalMetric = (typeof EVAL_METRICS)[number];

/**
 * Evaluation during training (CLADE keeps `best_net_G` this way): every `every` iterations G
 * synthesizes the first `count` held-out ('val') samples and is scored; the best score's
 * checkpoint is kept as checkpoints/best.npz.
 */
export interface EvalConfig {
  /** Iterations between evaluations; 0 turns evaluation off. Default 0. */
  every: number;
  /**
   * 'fid' against the held-out photos (pytorch-fid InceptionV3, 2048-d; needs inceptionWeights), or
   * 'miou' of an ADE20K segmenter on the generated images against their label maps (needs segmenter).
   * Default 'fid'.
   */
  metric: EvalMetric;
  /** Held-out samples scored (the first ones of the 'val' phase). Default 50. */
  count: number;
  /** pytorch-fid's pt_inception-2015-12-05-6726825d.pth (metric 'fid'). */
  inceptionWeights: string | null;
  /** The DeepLabV3 ADE20K ONNX file (deeplabv3_mnv2_ade20k_513.onnx; metric 'miou'). */
  segmenter: string | null;
}

/** The best evaluation so far, kept in the checkpoint. */
export interface BestScore {
  metric: EvalMetric;
  value: number;
  iteration: number;
}

/** True when `value` beats `best` (FID: lower; mIoU: higher). */
export function isBetter(metric: EvalMetric, value: number, best: BestScore | null): boolean {
  if (!Number.isFinite(value)) return false;
  if (!best || best.metric !== metric) return true;
  return metric === 'fid' ? value < best.value : value > best.value;
}
