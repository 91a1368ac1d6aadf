import { serialization } from '@tensorflow/tfjs-core';
import { CLADE } from './layers/clade';
import { CLADEICPE } from './layers/clade-icpe';
import { NearestResize } from './layers/nearest-resize';
import { SPADE } from './layers/spade';
import { SpectralConv2D } from './layers/spectral-conv2d';
import { InstanceNorm } from './layers/instance-norm';
import { AvgPoolExcludePad } from './layers/avg-pool-exclude-pad';
import { BilinearResize } from './layers/bilinear-resize';
import { GroupConv2D } from './layers/group-conv2d';

/** The serializable layer classes of @clade/core. */
export const LAYER_CLASSES = [
  SPADE, CLADE, CLADEICPE, SpectralConv2D, NearestResize, InstanceNorm, AvgPoolExcludePad, BilinearResize, GroupConv2D,
] as const;

/**
 * Registers every @clade/core layer with tfjs serialization, so `tf.loadLayersModel` can
 * rebuild models that contain them. Idempotent. Importing the layer modules already
 * registers them; call this where a bundler may have dropped those side effects.
 */
export function registerLayers(): void {
  for (const cls of LAYER_CLASSES) serialization.registerClass(cls);
}
registerLayers();
