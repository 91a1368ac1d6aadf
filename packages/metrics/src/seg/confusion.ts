import { ConfigError, ShapeError } from '@clade/core';
import { assertPositiveInt } from '@clade/core/internal';

/** Integer label samples, row-major [H,W]. */
export interface LabelPlane {
  width: number;
  height: number;
  data: ArrayLike<number>;
}

/** Which classes a mean IoU averages over (MODELS.md: state it; with few images they differ a lot). */
export const MIOU_AVERAGING = ['gt-present', 'union'] as const;
export type MiouAveraging = (typeof MIOU_AVERAGING)[number];

export interface SegmentationScores {
  /** Mean IoU over classes present in the ground truth (GT_c > 0). */
  miou: number;
  /** Mean IoU over classes with union > 0 (present in GT or predicted on scored pixels). */
  miouUnion: number;
  /** Number of classes each mean averages over. */
  classesGt: number;
  classesUnion: number;
  /** Correct / scored (non-ignored GT) pixels. */
  accuracy: number;
  /** Mean over GT-present classes of TP_c / GT_c. */
  meanClassAccuracy: number;
  /** IoU per class id (index = class id); null where the union is 0 or the id is the ignore index. */
  perClass: (number | null)[];
  /** Scored pixels. */
  pixels: number;
}

/**
 * Confusion matrix accumulated over a whole evaluation set (MODELS.md "Metric convention"):
 * rows = GT class id 0..K−1, columns = predicted id 0..K−1 plus one "miss" column for predictions
 * that are not a class (the ignore index, e.g. ADE 0, or any id outside 0..K−1).
 * GT pixels equal to `ignoreIndex` or outside 0..K−1 (e.g. 255) are skipped entirely.
 * IoU_c = TP_c / (GT_c + Pred_c − TP_c); accuracy = ΣTP / scored pixels. Counts are float64
 * (exact to 2⁵³ pixels).
 */
export class ConfusionMatrix {
  readonly numClasses: number;
  readonly ignoreIndex: number;
  /** K × (K + 1), row-major. */
  readonly counts: Float64Array;

  constructor(numClasses: number, ignoreIndex: number) {
    assertPositiveInt(numClasses, 'ConfusionMatrix', 'numClasses');
    if (!Number.isInteger(ignoreIndex)) throw new ConfigError(`ConfusionMatrix: ignoreIndex must be an integer, got ${ignoreIndex}.`);
    this.numClasses = numClasses;
    this.ignoreIndex = ignoreIndex;
    this.counts = new Float64Array(numClasses * (numClasses + 1));
  }

  /** Adds one image: `gt` and `pred` must have the same size. */
  add(gt: LabelPlane, pred: LabelPlane): this {
    if (gt.width !== pred.width || gt.height !== pred.height)
      throw new ShapeError(`ConfusionMatrix.add: GT is ${gt.width}x${gt.height} but the prediction is ${pred.width}x${pred.height}.`);
    const k = this.numClasses;
    const ign = this.ignoreIndex;
    const row = k + 1;
    const c = this.counts;
    const n = gt.width * gt.height;
    for (let i = 0; i < n; i++) {
      const g = gt.data[i]!;
      if (g === ign || g < 0 || g >= k) continue;
      const p = pred.data[i]!;
      const col = p === ign || p < 0 || p >= k || !Number.isInteger(p) ? k : p;
      c[g * row + col] = c[g * row + col]! + 1;
    }
    return this;
  }

  /** Adds another matrix (same K and ignore index), e.g. from another shard. */
  merge(other: ConfusionMatrix): this {
    if (other.numClasses !== this.numClasses || other.ignoreIndex !== this.ignoreIndex)
      throw new ConfigError('ConfusionMatrix.merge: the matrices have different class counts or ignore indices.');
    for (let i = 0; i < this.counts.length; i++) this.counts[i] = this.counts[i]! + other.counts[i]!;
    return this;
  }

  scores(): SegmentationScores {
    const k = this.numClasses;
    const row = k + 1;
    const c = this.counts;
    const gtCount = new Float64Array(k);
    const predCount = new Float64Array(k);
    let tp = 0;
    let total = 0;
    for (let g = 0; g < k; g++)
      for (let p = 0; p <= k; p++) {
        const v = c[g * row + p]!;
        gtCount[g] = gtCount[g]! + v;
        if (p < k) predCount[p] = predCount[p]! + v;
        total += v;
        if (p === g) tp += v;
      }
    const perClass: (number | null)[] = [];
    let sumGt = 0;
    let nGt = 0;
    let sumUnion = 0;
    let nUnion = 0;
    let sumAcc = 0;
    for (let cls = 0; cls < k; cls++) {
      if (cls === this.ignoreIndex) { perClass.push(null); continue; }
      const t = c[cls * row + cls]!;
      const union = gtCount[cls]! + predCount[cls]! - t;
      const iou = union > 0 ? t / union : null;
      perClass.push(iou);
      if (union > 0) { sumUnion += iou!; nUnion++; }
      if (gtCount[cls]! > 0) { sumGt += iou!; nGt++; sumAcc += t / gtCount[cls]!; }
    }
    return {
      miou: nGt ? sumGt / nGt : NaN,
      miouUnion: nUnion ? sumUnion / nUnion : NaN,
      classesGt: nGt,
      classesUnion: nUnion,
      accuracy: total ? tp / total : NaN,
      meanClassAccuracy: nGt ? sumAcc / nGt : NaN,
      perClass,
      pixels: total,
    };
  }
}
