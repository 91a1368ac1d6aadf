import { writeFileSync } from 'node:fs';
import { writeTorchCheckpoint, type NdArray } from '@clade/core';
import { fidInceptionStateShapes } from '@clade/metrics';

/**
 * Writes a valid pytorch-fid-layout InceptionV3 state dict with arbitrary small weights (He-scaled
 * deterministic convs, identity batch norms): FID's arithmetic on finite features, not its meaning.
 */
export function writeStandInInception(file: string): void {
  const state = new Map<string, NdArray>();
  const pattern = Float32Array.from({ length: 997 }, (_, i) => Math.sin(i * 12.9898) * 0.5);
  for (const [k, shape] of fidInceptionStateShapes()) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (k.endsWith('conv.weight')) {
      const s = Math.sqrt(6 / shape.slice(1).reduce((a, b) => a * b, 1));
      for (let i = 0; i < n; i++) data[i] = pattern[(i + k.length) % 997]! * s;
    } else if (k.endsWith('running_var') || k.endsWith('bn.weight')) data.fill(1);
    state.set(k, { dtype: 'float32', shape, data });
  }
  writeFileSync(file, writeTorchCheckpoint(state));
}
