import { ConfigError } from '@clade/core';

/** How raw label values become one-hot channel indices for a dataset (REFERENCE §12.4, §13). */
export interface LabelSpec {
  /** Number of dataset classes (ADE20K 150, COCO-Stuff 182, Cityscapes 35, CelebAMask-HQ 19). */
  labelNc: number;
  /** Whether an extra "dontcare" channel (index labelNc) exists; raw 255 maps to it. */
  containDontcare: boolean;
  /**
   * ADE20K only. Default false, the official behaviour the released checkpoints were trained with
   * (§13, §18 #1): channel = raw PNG value. true applies the intended shift: raw v → v − 1, raw 0 → labelNc.
   */
  ade20kLabelShift?: boolean;
}

/** Raw value that the official loader sends to the dontcare channel. */
export const UNKNOWN_RAW_VALUE = 255;

/** One-hot class channels (K): labelNc, plus one for dontcare. The edge channel is not counted. */
export function numClassChannels(spec: LabelSpec): number {
  return spec.labelNc + (spec.containDontcare ? 1 : 0);
}

export function assertLabelSpec(spec: LabelSpec, what: string): void {
  if (!Number.isInteger(spec.labelNc) || spec.labelNc < 1)
    throw new ConfigError(`${what}: labelNc must be a positive integer, got ${spec.labelNc}.`);
  if (spec.ade20kLabelShift && !spec.containDontcare)
    throw new ConfigError(`${what}: ade20kLabelShift needs containDontcare (raw 0 goes to the dontcare channel).`);
}
