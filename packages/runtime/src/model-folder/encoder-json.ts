import type { EncoderConfig } from '@clade/spade-gen';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { FolderJson } from './folder-json';

/**
 * A VAE encoder folder: model.json + weights.bin and `encoder.json`, which rebuilds its config.
 * `clade convert --encoder` writes one as the `encoder/` subfolder of a model folder.
 */
export const ENCODER_DIR = 'encoder';
export const ENCODER_JSON = 'encoder.json';
export const ENCODER_JSON_FORMAT = 'clade-encoder';

/** Contents of encoder.json. */
export interface EncoderModelJson extends FolderJson<typeof ENCODER_JSON_FORMAT> {
  encoder: EncoderConfig;
}

/** A VAE encoder ready to run: image [1,H,W,3] in [−1, 1] → [mu, logvar] [1, zDim]. */
export interface LoadedEncoder {
  config: EncoderConfig;
  model: tfl.LayersModel;
  /** Where it came from, for messages. */
  source: string;
}
