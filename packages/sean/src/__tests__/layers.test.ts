import * as tf from '@tensorflow/tfjs-core';
import { describeLayerContract, useBackend } from '@clade/test-utils';
import { ACE, Zencoder } from '../index';

const seg = (n: number, size: number, k: number) =>
  tf.tidy(() => tf.oneHot(tf.randomUniform([n, size, size], 0, k, 'int32', 4), k).toFloat() as tf.Tensor4D);

/** tfjs lists trainable weights first, then the non-trainable ones (each in creation order). */
const aceNames = (branch: 'spade' | 'clade') => [
  'blending_gamma', 'blending_beta', 'noise_var',
  ...(branch === 'spade'
    ? [
        'Spade/mlp_shared/0/weight', 'Spade/mlp_shared/0/bias', 'Spade/mlp_gamma/weight', 'Spade/mlp_gamma/bias',
        'Spade/mlp_beta/weight', 'Spade/mlp_beta/bias',
      ]
    : ['Clade/class_specified_affine/weight', 'Clade/class_specified_affine/bias']),
  'fc_mu0/weight',
  'fc_mu0/bias',
  'fc_mu1/weight',
  'fc_mu1/bias',
  'fc_mu2/weight',
  'fc_mu2/bias',
  'conv_gamma/weight',
  'conv_gamma/bias',
  'conv_beta/weight',
  'conv_beta/bias',
  ...(branch === 'spade' ? ['Spade/param_free_norm/running_mean', 'Spade/param_free_norm/running_var'] : []),
  'param_free_norm/running_mean', 'param_free_norm/running_var',
];

for (const branch of ['spade', 'clade'] as const) {
  describeLayerContract(`ACE (${branch} branch, with style)`, {
    make: () => new ACE({ numClasses: 3, classBranch: branch, hiddenNc: 4, styleLength: 8, initSeed: 1 }),
    inputs: () => [tf.randomNormal([2, 4, 4, 5], 0, 1, 'float32', 2), seg(2, 8, 3), tf.randomNormal([2, 3, 8], 0, 1, 'float32', 3)],
    outputShape: [2, 4, 4, 5],
    weightNames: aceNames(branch),
    trainable: branch === 'spade' ? 3 + 6 + 6 + 4 : 3 + 2 + 6 + 4,
  });
}

// The Zencoder's fixed 256→512 conv makes its gradient check minutes long on the pure-JS
// backend under jest; wasm runs the same battery in seconds.
describe('on wasm', () => {
  useBackend(async () => (await import('@clade/backend')).initBackend({ backend: 'wasm' }));
  describeLayerContract('Zencoder', {
    make: () => new Zencoder({ numClasses: 3, initSeed: 5 }),
    inputs: () => [tf.randomUniform([2, 8, 8, 3], -1, 1, 'float32', 6), seg(2, 8, 3)],
    outputShape: [2, 3, 512],
    weightNames: [1, 4, 7, 10, 14].flatMap((i) => [`model/${i}/weight`, `model/${i}/bias`]),
    trainable: 10,
  });
});

describe('ACE and Zencoder details', () => {
  it('ACE without style (up_3): class branch only; the blending scalars exist (official keys, counted) but are inert', () => {
    const a = new ACE({ numClasses: 3, useStyle: false, hiddenNc: 4, paramFreeNorm: 'instance' });
    const x = tf.randomNormal([1, 4, 4, 5]);
    const s = seg(1, 4, 3);
    const y = a.apply([x, s]) as tf.Tensor;
    expect(y.shape).toEqual([1, 4, 4, 5]);
    expect(new ACE(a.getConfig() as never).getConfig()).toEqual(a.getConfig());
    const names = a.trainableWeights.map((w) => w.originalName.split('/').slice(1).join('/'));
    expect(names).toEqual([
      'blending_gamma', 'blending_beta', 'noise_var', 'Spade/mlp_shared/0/weight', 'Spade/mlp_shared/0/bias',
      'Spade/mlp_gamma/weight', 'Spade/mlp_gamma/bias', 'Spade/mlp_beta/weight', 'Spade/mlp_beta/bias',
    ]);
    tf.dispose([x, s, y]);
  });

  it('ACE noise: zero noise_var adds nothing; a seed repeats; "none" skips it', () => {
    const a = new ACE({ numClasses: 3, hiddenNc: 4, styleLength: 8, paramFreeNorm: 'instance', initSeed: 2 });
    const xs = [tf.randomNormal([1, 4, 4, 5], 0, 1, 'float32', 1), seg(1, 4, 3), tf.randomNormal([1, 3, 8], 0, 1, 'float32', 2)];
    const y0 = a.apply(xs, { noise: 'none' }) as tf.Tensor;
    const y1 = a.apply(xs) as tf.Tensor;
    expect(Array.from(y1.dataSync())).toEqual(Array.from(y0.dataSync()));
    const nv = a.weights.find((w) => w.originalName.endsWith('noise_var'))!;
    nv.write(tf.fill([5], 0.5));
    const s1 = a.apply(xs, { noise: 7 }) as tf.Tensor;
    const s2 = a.apply(xs, { noise: 7 }) as tf.Tensor;
    const r = a.apply(xs, { noise: 'random' }) as tf.Tensor;
    expect(Array.from(s1.dataSync())).toEqual(Array.from(s2.dataSync()));
    expect(Array.from(r.dataSync())).not.toEqual(Array.from(s1.dataSync()));
    expect(() => a.apply(xs, { noise: 'loud' })).toThrow(/ACE: noise must be 'random', 'none' or an integer seed, got "loud"/);
    tf.dispose([...xs, y0, y1, s1, s2, r]);
  });

  it('clear errors for bad args and shapes', () => {
    expect(() => new ACE({ numClasses: 0 })).toThrow(/ACE: numClasses must be a positive integer, got 0/);
    expect(() => new ACE({ numClasses: 3, classBranch: 'group' as never })).toThrow(/ACE: classBranch must be one of spade, clade, got 'group'/);
    const a = new ACE({ numClasses: 3, styleLength: 8 });
    expect(() => a.apply([tf.zeros([1, 4, 4, 5]), tf.zeros([1, 4, 4, 2]), tf.zeros([1, 3, 8])])).toThrow(/ACE: seg must be \[N,H,W,3\], got \[1,4,4,2\]/);
    expect(() => a.apply([tf.zeros([1, 4, 4, 5]), tf.zeros([1, 4, 4, 3])])).toThrow(/ACE: expected inputs \[x \[N,H,W,C\], seg \[N,H,W,3\], codes \[N,3,8\]\]/);
    const z = new Zencoder({ numClasses: 3 });
    expect(() => z.apply([tf.zeros([1, 8, 8, 1]), tf.zeros([1, 8, 8, 3])])).toThrow(/Zencoder: image must be \[N,H,W,3\], got \[1,8,8,1\]/);
  });
});
