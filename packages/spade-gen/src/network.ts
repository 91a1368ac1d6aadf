import type * as tfl from '@tensorflow/tfjs-layers';
import { loadTorchStateDict, type NdArray } from '@clade/core';

/**
 * What G, D and E share: a tfjs LayersModel whose weight names are the official state-dict keys,
 * so official `.pth` files load strictly by name, and parameters count as PyTorch counts them.
 */
export abstract class OfficialNetwork {
  abstract readonly model: tfl.LayersModel;

  /** Loads an official state dict (e.g. `latest_net_G.pth`), strictly: any key mismatch is one error. */
  loadTorchStateDict(state: Map<string, NdArray>, source = 'checkpoint'): void {
    loadTorchStateDict(this.model, state, { source });
  }

  /** Trainable parameters (buffers such as running stats and spectral-norm u, v excluded). */
  countParams(): number {
    return this.model.trainableWeights.reduce((a, w) => a + w.shape.reduce((p: number, d) => p * (d ?? 1), 1), 0);
  }

  dispose(): void {
    this.model.layers.forEach((l) => l.dispose());
  }
}
