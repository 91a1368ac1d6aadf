import { ConfigError } from '@clade/core';
import type { EvalPreset } from '../protocol/presets';
import { baseProtocol, type EvalProtocol } from '../protocol/protocol';
import { softwareVersions } from '../protocol/versions';
import { evaluateFidKid, type FidKidConfig, type FidKidEvaluation } from './fid-kid-run';
import { evaluateMiou, type MiouConfig, type MiouEvaluation } from './miou-run';
import type { StageProgress } from './progress';

export interface MetricsConfig {
  /** The dataset's conventions (image size, reference split, label convention), recorded in the protocol. */
  preset?: EvalPreset | null;
  /** FID and/or KID (or real statistics only). */
  fidKid?: Omit<FidKidConfig, 'preset' | 'progress'> | null;
  /** Segmentation mIoU and accuracy. */
  miou?: Omit<MiouConfig, 'preset' | 'progress'> | null;
  progress?: StageProgress;
}

export interface MetricsReport {
  fidKid: FidKidEvaluation | null;
  miou: MiouEvaluation | null;
  /** One protocol for every score of the report. */
  protocol: EvalProtocol;
}

/** The runs asked for (FID/KID first, then mIoU) and one protocol that covers them all. */
export async function evaluateMetrics(config: MetricsConfig): Promise<MetricsReport> {
  if (!config.fidKid && !config.miou) throw new ConfigError('evaluateMetrics: nothing to evaluate; pass fidKid and/or miou.');
  const { preset = null, progress } = config;
  const fidKid = config.fidKid ? await evaluateFidKid({ ...config.fidKid, preset, progress }) : null;
  const miou = config.miou ? await evaluateMiou({ ...config.miou, preset, progress }) : null;
  return {
    fidKid,
    miou,
    protocol: {
      ...baseProtocol(preset, fidKid?.software ?? softwareVersions()),
      fid: fidKid?.protocol.fid ?? null,
      kid: fidKid?.protocol.kid ?? null,
      segmentation: miou?.protocol ?? null,
    },
  };
}
