import { ConfigError } from '@clade/core';
import { compose, type SceneKind } from './compose';
import { Canvas, type Lighting } from './context';
import { mixSeed } from './noise';
import { develop } from './post';
import { Random } from './random';

/**
 * Version of the scene generator. Bumped whenever a change alters any output for some seed, so a
 * dataset's manifest says which generator wrote it.
 */
export const SYNTH_VERSION = 1;

export interface SynthSceneOptions {
  /** Any integer; the same seed gives the same scene (and bytes) at a given size. */
  seed: number;
  width: number;
  height: number;
}

export interface SynthScene {
  width: number;
  height: number;
  /** ADE20K class ids (raw values as in ADE20K label PNGs), row-major [H,W]. */
  label: Uint8Array;
  /** 8-bit RGB, row-major, interleaved [H,W,3]. */
  image: Uint8Array;
  /** The class ids present in `label`, ascending. */
  classes: number[];
  /** The composition and lighting drawn for this seed. */
  kind: SceneKind;
  lighting: Lighting;
}

/**
 * Renders one synthetic outdoor scene: an ADE20K-id label map and a matching photo-like RGB image.
 * The scene depends only on `seed` (not on the size: other sizes show the same scene), and the
 * bytes are identical on every machine and JavaScript engine.
 */
export function synthScene(options: SynthSceneOptions): SynthScene {
  const { seed, width, height } = options;
  if (!Number.isInteger(seed)) throw new ConfigError(`synthScene: seed must be an integer, got ${seed}.`);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new ConfigError(`synthScene: size must be positive integers, got ${width}x${height}.`);
  const scene = compose(new Random(mixSeed(seed, 0x51ced)));
  const cv = new Canvas(width, height);
  const { layers } = scene;
  for (const l of layers) l.prepare?.(cv);
  // hidden[k]: pixels covered by the layers in front of layer k.
  const n = width * height;
  const hidden: Uint8Array[] = new Array(layers.length);
  let acc = new Uint8Array(n);
  for (let k = layers.length - 1; k >= 0; k--) {
    hidden[k] = acc;
    const cover = layers[k]!.cover;
    if (cover && k > 0) {
      acc = acc.slice();
      cover.call(layers[k], cv, acc);
    }
  }
  for (let k = 0; k < layers.length; k++) layers[k]!.draw(cv, hidden[k]!);
  const image = develop(cv, scene.exposure, mixSeed(seed, 7));
  const seen = new Uint8Array(256);
  for (let i = 0; i < n; i++) seen[cv.label[i]!] = 1;
  const classes: number[] = [];
  for (let c = 0; c < 256; c++) if (seen[c]) classes.push(c);
  return { width, height, label: cv.label, image, classes, kind: scene.kind, lighting: scene.lighting };
}
