import { writeFileSync } from 'node:fs';
import { writeTorchCheckpoint, type NdArray } from '@clade/core';
import { fidInceptionStateShapes } from '../../index';
import { hashedInceptionTensor } from './hashed';

/** Writes a .pth in pytorch-fid's InceptionV3 layout with hashed weights (so not the official sha256). */
export function writeHashedInception(file: string): void {
  const state = new Map<string, NdArray>(
    fidInceptionStateShapes().map(([k, shape]) => [k, { dtype: 'float32', shape, data: hashedInceptionTensor(k, shape) }]),
  );
  writeFileSync(file, writeTorchCheckpoint(state));
}
