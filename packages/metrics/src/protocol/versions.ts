import * as tf from '@tensorflow/tfjs-core';
// Named imports: a bundle inlines these two fields, not the whole package.json.
import { dependencies, version } from '../../package.json';

/** Version of this package, recorded with every result; package.json is its one home. */
export const METRICS_VERSION: string = version;

/**
 * The software a score depends on, as its protocol records it: this package, the onnxruntime-node
 * it pins (segmenters run on it), the tfjs-core that is loaded, and `backend`, the tfjs backend the
 * Inception features ran on (only when they ran).
 */
export function softwareVersions(backend?: string): Record<string, string> {
  return {
    '@clade/metrics': METRICS_VERSION,
    'onnxruntime-node': dependencies['onnxruntime-node'],
    '@tensorflow/tfjs-core': tf.version_core,
    ...(backend ? { tfjsBackend: backend } : {}),
  };
}
