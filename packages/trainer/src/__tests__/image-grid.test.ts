import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { decode as decodePng } from 'fast-png';
import { spadeLabelColormap } from '@clade/data';
import { imageGrid, saveImageGrid } from '../index';

describe('image grids (label | generated | real)', () => {
  it('one row per sample; labels in the SPADE colour map, edge channel ignored', async () => {
    // 2 samples of 1×2 pixels, 3 classes + an edge channel; sample 0 = classes [0, 2], sample 1 = [1, 1].
    const oneHot = (c: number, edge: number): number[] => [...[0, 1, 2].map((k) => (k === c ? 1 : 0)), edge];
    const seg = tf.tensor4d([...oneHot(0, 1), ...oneHot(2, 0), ...oneHot(1, 0), ...oneHot(1, 1)], [2, 1, 2, 4]);
    const fake = tf.tensor4d([-1, -1, -1, 1, 1, 1, 0, 0, 0, 0.5, 0.5, 0.5], [2, 1, 2, 3]);
    const real = tf.neg(fake) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const g = imageGrid({ seg, fake, real, numClasses: 3 });
    expect(tf.memory().numTensors).toBe(before); // a grid per N iterations must not leak
    expect([g.width, g.height]).toEqual([6, 2]);
    const pal = spadeLabelColormap(3);
    const px = (x: number, y: number) => [...g.data.subarray(3 * (y * g.width + x), 3 * (y * g.width + x) + 3)];
    expect(px(0, 0)).toEqual([...pal.subarray(0, 3)]);
    expect(px(1, 0)).toEqual([...pal.subarray(6, 9)]);
    expect(px(0, 1)).toEqual([...pal.subarray(3, 6)]);
    expect([px(2, 0), px(3, 0), px(4, 0), px(5, 0)]).toEqual([[0, 0, 0], [255, 255, 255], [255, 255, 255], [0, 0, 0]]);
    expect([px(2, 1), px(3, 1), px(4, 1), px(5, 1)]).toEqual([[127, 127, 127], [191, 191, 191], [127, 127, 127], [63, 63, 63]]);

    const dir = mkdtempSync(path.join(tmpdir(), 'clade-grid-'));
    await saveImageGrid(path.join(dir, 'iter_1.png'), { seg, fake, real, numClasses: 3 });
    const png = decodePng(readFileSync(path.join(dir, 'iter_1.png')));
    expect([png.width, png.height, png.channels, png.depth]).toEqual([6, 2, 3, 8]);
    expect(Buffer.compare(Buffer.from(png.data as Uint8Array), Buffer.from(g.data))).toBe(0);
    expect(readdirSync(dir)).toEqual(['iter_1.png']); // no temp file left behind
    expect(() => imageGrid({ seg, fake, real: tf.zeros([2, 1, 3, 3]) as tf.Tensor4D, numClasses: 3 })).toThrow(
      /real must be \[2,1,2,3\] like fake, got \[2,1,3,3\]/,
    );
    tf.dispose([seg, fake, real]);
  });
});
