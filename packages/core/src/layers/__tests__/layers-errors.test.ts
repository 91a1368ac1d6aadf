import * as tf from '@tensorflow/tfjs-core';
import { CLADE, CLADEICPE, CladeError, SPADE } from '../../index';

describe('bad input gives one clear error', () => {
  const x = tf.zeros([1, 4, 4, 3]);
  const seg = tf.zeros([1, 8, 8, 3]);

  it('bad config values', () => {
    expect(() => new CLADE({ numClasses: 0 })).toThrow(/CLADE: numClasses must be a positive integer, got 0/);
    expect(() => new CLADE({ numClasses: 3, paramFreeNorm: 'group' as never })).toThrow(
      /paramFreeNorm must be one of instance, batch, syncBatch, got 'group'/,
    );
    expect(() => new SPADE({ semanticNc: 3, kernelSize: 4 })).toThrow(/kernelSize must be odd, got 4/);
  });

  it('wrong seg channel count names the shapes', () => {
    const layer = new CLADE({ numClasses: 5 });
    let err: unknown;
    try {
      layer.apply([x, seg]);
    } catch (e) {
      err = e;
    }
    expect(CladeError.isInstance(err)).toBe(true);
    expect(String(err)).toMatch(/seg must have 5 channels, got \[1,8,8,3\]/);
  });

  it('wrong rank, missing inputs, batch mismatch, dist size mismatch', () => {
    expect(() => new SPADE({ semanticNc: 3 }).apply([tf.zeros([4, 4, 3]), seg])).toThrow(/must be rank 4 \(NHWC\), got \[4,4,3\]/);
    expect(() => new CLADE({ numClasses: 3 }).apply(x)).toThrow(/expected inputs \[x \[N,H,W,C\], seg \[N,H,W,3\]\]/);
    expect(() => new CLADE({ numClasses: 3 }).apply([tf.zeros([2, 4, 4, 3]), seg])).toThrow(/batch sizes differ/);
    expect(() => new CLADEICPE({ numClasses: 3 }).apply([x, seg, tf.zeros([1, 4, 4, 2])])).toThrow(
      /dist and seg must have the same N,H,W, got \[1,4,4,2\] vs \[1,8,8,3\]/,
    );
  });

  it('x channels differing from the built width', () => {
    const layer = new CLADE({ numClasses: 3 });
    layer.apply([x, seg]);
    expect(() => layer.apply([tf.zeros([1, 4, 4, 5]), seg])).toThrow(/x must have 3 channels \(as built\), got \[1,4,4,5\]/);
  });
});
