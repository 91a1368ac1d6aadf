import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError, formatShape } from '@clade/core';
import type { SeanGenerator, SeanRunOptions } from './generator';

/**
 * The style API: per-region codes [N,K,512] are the unit of control. Encode them from an
 * image, edit them (transfer, interpolate), synthesize from a segmap and codes.
 */

/** Per-region style codes [N,K,512] of an image [N,H,W,3] in [−1,1] under its segmap [N,H,W,K]. */
export function encodeStyles(generator: SeanGenerator, image: tf.Tensor4D, seg: tf.Tensor4D): tf.Tensor3D {
  return generator.encode(image, seg);
}

/** The image [N,H,W,3] in [−1,1] for a segmap and per-region codes. */
export function synthesize(generator: SeanGenerator, seg: tf.Tensor4D, codes: tf.Tensor3D, opts: SeanRunOptions = {}): tf.Tensor4D {
  return generator.synthesize(seg, codes, opts);
}

/** What `synthesizeWithStyle` takes. */
export interface StyleImageInputs {
  /** The segmap to draw [N,H,W,K]. */
  seg: tf.Tensor4D;
  /** The style image [N,H',W',3] in [−1,1]. */
  styleImage: tf.Tensor4D;
  /** The style image's own segmap [N,H',W',K]; default `seg` (the official reconstruction setting). */
  styleSeg?: tf.Tensor4D;
}

/** Encode the style image under its segmap, then draw `seg` with those codes. */
export function synthesizeWithStyle(generator: SeanGenerator, inputs: StyleImageInputs, opts: SeanRunOptions = {}): tf.Tensor4D {
  const codes = generator.encode(inputs.styleImage, inputs.styleSeg ?? inputs.seg);
  try {
    return generator.synthesize(inputs.seg, codes, opts);
  } finally {
    codes.dispose();
  }
}

function checkPair(who: string, a: tf.Tensor, b: tf.Tensor): [number, number, number] {
  if (a.rank !== 3 || b.rank !== 3 || a.shape.some((d, i) => d !== b.shape[i]))
    throw new ShapeError(`${who}: codes must be two [N,K,S] tensors of one shape, got ${formatShape(a.shape)} and ${formatShape(b.shape)}.`);
  return a.shape as [number, number, number];
}

/**
 * Region-style transfer: the codes of `classes` from B, every other class's from A. Draw the
 * result with A's segmap to restyle only those regions of A. A class absent from B's image has
 * a zero code in B (as the official encoder gives), which is what gets transferred.
 */
export function transferRegionStyles(codesA: tf.Tensor3D, codesB: tf.Tensor3D, classes: number[]): tf.Tensor3D {
  const [, k] = checkPair('transferRegionStyles', codesA, codesB);
  for (const j of classes)
    if (!(Number.isInteger(j) && j >= 0 && j < k))
      throw new ConfigError(`transferRegionStyles: classes must be integers in [0, ${k - 1}], got ${JSON.stringify(j)}.`);
  return tf.tidy(() => {
    const pick = new Float32Array(k);
    for (const j of classes) pick[j] = 1;
    const fromB = tf.tensor3d(pick, [1, k, 1]);
    // A select, not a blend: untouched classes keep A's values bit for bit.
    return tf.where(tf.cast(tf.broadcastTo(fromB, codesA.shape), 'bool'), codesB, codesA) as tf.Tensor3D;
  });
}

/**
 * Style interpolation: (1 − t)·A + t·B, with one t for all classes or one per class ([K]), t in
 * [0, 1] (t outside extrapolates, which is allowed but rarely useful).
 */
export function interpolateStyles(codesA: tf.Tensor3D, codesB: tf.Tensor3D, t: number | number[]): tf.Tensor3D {
  const [, k] = checkPair('interpolateStyles', codesA, codesB);
  const ts = typeof t === 'number' ? [t] : t;
  if (!(ts.length === 1 || ts.length === k) || ts.some((v) => typeof v !== 'number' || !Number.isFinite(v)))
    throw new ConfigError(`interpolateStyles: t must be a finite number or ${k} of them (one per class), got ${JSON.stringify(t)}.`);
  return tf.tidy(() => {
    const w = ts.length === 1 ? tf.scalar(ts[0]!) : tf.tensor3d(ts, [1, k, 1]);
    // (1−t)·A + t·B rather than A + t·(B−A): the ends give A and B exactly.
    return tf.add(tf.mul(tf.sub(1, w), codesA), tf.mul(w, codesB)) as tf.Tensor3D;
  });
}
