import { ConfigError } from '@clade/core';
import type { PreprocessConfig } from '../geometry';
import type { LabelSpec } from '../labels/label-spec';
import { listAde20k } from './ade20k';
import { listCelebAMaskHq } from './celebamask-hq';
import { listCityscapes } from './cityscapes';
import { listCocoStuff } from './coco-stuff';
import { listCustom } from './custom';
import { listDeepFashion } from './deepfashion';
import type { DatasetListing, PairingOptions } from './pairs';

export const DATASET_NAMES = ['ade20k', 'coco', 'cityscapes', 'celebamask', 'deepfashion', 'custom'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

/** The official per-dataset conventions (REFERENCE §13). */
export interface DatasetInfo {
  label: LabelSpec;
  /** Whether the model gets an instance-edge channel. */
  useInstances: boolean;
  /** Raw value the ICPE map skips (official: 0 for every dataset, §5.1). */
  icpeSkipValue: number;
  /** Training geometry (flip allowed). */
  train: PreprocessConfig;
  /** Test geometry: no flip, crop at (0, 0). */
  test: PreprocessConfig;
}

const square = (load: number, crop: number, flip: boolean): PreprocessConfig => ({
  mode: 'resize_and_crop', loadSize: load, cropSize: crop, aspectRatio: 1, flip,
});

export const DATASETS: Readonly<Record<DatasetName, DatasetInfo>> = {
  ade20k: { label: { labelNc: 150, containDontcare: true }, useInstances: false, icpeSkipValue: 0,
    train: square(286, 256, true), test: square(256, 256, false) },
  coco: { label: { labelNc: 182, containDontcare: true }, useInstances: true, icpeSkipValue: 0,
    train: square(286, 256, true), test: square(256, 256, false) },
  cityscapes: { label: { labelNc: 35, containDontcare: false }, useInstances: true, icpeSkipValue: 0,
    train: { mode: 'fixed', loadSize: 512, cropSize: 512, aspectRatio: 2, flip: true },
    test: { mode: 'fixed', loadSize: 512, cropSize: 512, aspectRatio: 2, flip: false } },
  // SEAN's loader was not studied (REFERENCE §13): 19 classes 0..18, no dontcare, square 256.
  celebamask: { label: { labelNc: 19, containDontcare: false }, useInstances: false, icpeSkipValue: 0,
    train: square(256, 256, true), test: square(256, 256, false) },
  // SMIS (REFERENCE §13): 8 CIHP parsing classes 0..7, no dontcare, no instances, resize_and_crop 256/256.
  deepfashion: { label: { labelNc: 8, containDontcare: false }, useInstances: false, icpeSkipValue: 0,
    train: square(256, 256, true), test: square(256, 256, false) },
  // The official custom default label_nc is 13; pass the real value in `label`.
  custom: { label: { labelNc: 13, containDontcare: false }, useInstances: false, icpeSkipValue: 0,
    train: square(286, 256, true), test: square(256, 256, false) },
};

/** The conventions of `name`; a ConfigError lists the supported names. */
export function datasetInfo(name: string): DatasetInfo {
  if (!(DATASET_NAMES as readonly string[]).includes(name))
    throw new ConfigError(`datasetInfo: dataset must be one of ${DATASET_NAMES.join(', ')}; got '${name}'.`);
  return DATASETS[name as DatasetName];
}

export interface ListDatasetOptions extends PairingOptions {
  phase?: string;
  /** Instances for the datasets that have them (COCO-Stuff, Cityscapes). Default: the dataset's convention. */
  useInstances?: boolean;
}

/**
 * Lists `root` with the layout of `name`. 'custom' reads `label/`, `image/` and (if present)
 * `instance/` under root; call `listCustom` for other folders.
 */
export async function listDataset(name: DatasetName, root: string, options: ListDatasetOptions = {}): Promise<DatasetListing> {
  const info = datasetInfo(name);
  const useInstances = options.useInstances ?? info.useInstances;
  switch (name) {
    case 'ade20k': return listAde20k(root, options);
    case 'coco': return listCocoStuff(root, { ...options, useInstances });
    case 'cityscapes': return listCityscapes(root, { ...options, useInstances });
    case 'celebamask': return listCelebAMaskHq(root, options);
    case 'deepfashion': return listDeepFashion(root, options);
    case 'custom': {
      const { join } = await import('node:path');
      return listCustom({
        ...options, labelDir: join(root, 'label'), imageDir: join(root, 'image'),
        ...(useInstances && { instanceDir: join(root, 'instance') }),
      });
    }
  }
}
