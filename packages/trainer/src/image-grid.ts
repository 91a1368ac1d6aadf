import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, formatShape, writeFileAtomic } from '@clade/core';
import { encodeRgbPng, spadeLabelColormap } from '@clade/data';
import { quantizeImage } from '@clade/runtime';

/** An RGB image, row-major, 3 bytes a pixel. */
export interface RgbGrid {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface ImageGridInputs {
  /** One-hot semantic map [N,H,W,S]: class channels (incl. dontcare) first, an edge channel may follow. */
  seg: tf.Tensor4D;
  /** Generated images [N,H,W,3] in [−1, 1]. */
  fake: tf.Tensor4D;
  /** Real photos [N,H,W,3] in [−1, 1]. */
  real: tf.Tensor4D;
  /** Class channels of seg (labelNc + dontcare); the channels after them (the edge) are not drawn. */
  numClasses: number;
}

/**
 * A label | generated | real sheet: one row per sample. Labels are drawn with SPADE's colour map
 * (`spadeLabelColormap(numClasses)`, the ADE20K/COCO palette), the class being the arg-max of the
 * class channels; images are quantised as the official code saves them.
 */
export function imageGrid(inputs: ImageGridInputs): RgbGrid {
  const { seg, fake, real, numClasses } = inputs;
  const [n, h, w] = fake.shape;
  for (const [name, t, c] of [['fake', fake, 3], ['real', real, 3]] as const)
    if (t.rank !== 4 || t.shape[0] !== n || t.shape[1] !== h || t.shape[2] !== w || t.shape[3] !== c)
      throw new ShapeError(`imageGrid: ${name} must be [${n},${h},${w},3] like fake, got ${formatShape(t.shape)}.`);
  if (seg.rank !== 4 || seg.shape[0] !== n || seg.shape[1] !== h || seg.shape[2] !== w || seg.shape[3] < numClasses)
    throw new ShapeError(`imageGrid: seg must be [${n},${h},${w},≥${numClasses}], got ${formatShape(seg.shape)}.`);
  const idsT = tf.tidy(() => tf.argMax(tf.slice(seg, [0, 0, 0, 0], [-1, -1, -1, numClasses]), -1));
  const ids = idsT.dataSync() as Int32Array;
  idsT.dispose();
  const fakeQ = quantizeImage(fake.dataSync());
  const realQ = quantizeImage(real.dataSync());
  const palette = spadeLabelColormap(numClasses);
  const width = 3 * w;
  const data = new Uint8Array(n * h * width * 3);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < h; y++) {
      const src = (b * h + y) * w; // pixel index of the row start in the batch
      const dst = ((b * h + y) * width) * 3;
      for (let x = 0; x < w; x++) {
        const c = ids[src + x]! * 3;
        data[dst + 3 * x] = palette[c]!;
        data[dst + 3 * x + 1] = palette[c + 1]!;
        data[dst + 3 * x + 2] = palette[c + 2]!;
      }
      data.set(fakeQ.subarray(3 * src, 3 * (src + w)), dst + 3 * w);
      data.set(realQ.subarray(3 * src, 3 * (src + w)), dst + 6 * w);
    }
  }
  return { width, height: n * h, data };
}

/** Writes `imageGrid(inputs)` as an RGB PNG, atomically (temp file + rename). */
export async function saveImageGrid(file: string, inputs: ImageGridInputs): Promise<void> {
  const g = imageGrid(inputs);
  await writeFileAtomic(file, encodeRgbPng(g));
}
