import * as tf from '@tensorflow/tfjs-core';
import { labelsToSegmap } from '@clade/core';
import { expectNoLeaks, reloadLayersModel } from '@clade/test-utils';
import { SpadeGenerator, type GeneratorConfig } from '../index';

const tiny = { labelNc: 3, ngf: 4, cropSize: 32, spadeHiddenNc: 8 };
function seg(n = 2, size = 32, classes = 3, edge = false): tf.Tensor4D {
  return tf.tidy(() => {
    const ids = tf.randomUniform([n, size, size], 0, classes, 'int32', 5);
    // Whole-image edge maps, all ones for odd samples and all zeros for even ones: low-resolution
    // layers sample few pixels, a·E needs E ≠ 0 for a gradient, and a batch-constant a·E + b would
    // be cancelled exactly by the next train-mode batch norm (so its gradient would be 0).
    const edges = edge
      ? tf.tile(tf.reshape(tf.tensor1d(Array.from({ length: n }, (_, i) => i % 2)), [n, 1, 1]), [1, size, size])
      : undefined;
    return labelsToSegmap(ids, classes, edges);
  });
}

describe('SpadeGenerator', () => {
  it('outputs [N,H,W,3] in [-1,1] for every norm mode, aspect 2 and VAE', () => {
    const configs: Array<Partial<GeneratorConfig> & { labelNc: number; cropSize: number }> = [
      { ...tiny, normMode: 'spade' as const },
      { ...tiny, normMode: 'clade' as const, useInstance: true },
      { ...tiny, cropSize: 128, aspectRatio: 2, numUpsamplingLayers: 'more' as const, normMode: 'clade' as const, useVae: true, zDim: 8 },
    ];
    for (const cfg of configs) {
      const g = new SpadeGenerator(cfg);
      const h = Math.round(cfg.cropSize / (cfg.aspectRatio ?? 1));
      const s = seg(2, cfg.cropSize, 3, cfg.useInstance);
      const input = cfg.aspectRatio ? tf.slice(s, [0, 0, 0, 0], [-1, h, -1, -1]) : s;
      const y = g.apply({ seg: input as tf.Tensor4D });
      expect(y.shape).toEqual([2, h, cfg.cropSize, 3]);
      expect(tf.max(tf.abs(y)).dataSync()[0]).toBeLessThanOrEqual(1);
      tf.dispose([y, s, input]);
      g.dispose();
    }
  });

  it('the VAE input is viewed NCHW like PyTorch: fc column c·sh·sw + h·sw + w feeds pixel (h,w), channel c', () => {
    const g = new SpadeGenerator({ ...tiny, cropSize: 64, useVae: true, zDim: 2, normMode: 'clade' });
    const fc = g.model.getLayer('fc');
    const [kernel, bias] = fc.getWeights();
    // Bias = the PyTorch column index: the activation map then shows the layout directly.
    fc.setWeights([tf.zerosLike(kernel!), tf.range(0, bias!.shape[0]!)]);
    const acts = g.activations({ seg: seg(1, 64), z: tf.zeros([1, 2]) as tf.Tensor2D });
    const x = acts.get('fc')!; // [1, sh=2, sw=2, 64] for crop 64 'normal'
    expect(x.shape).toEqual([1, 2, 2, 64]);
    const expected: number[] = [];
    for (let h = 0; h < 2; h++) for (let w = 0; w < 2; w++) for (let c = 0; c < 64; c++) expected.push(c * 4 + h * 2 + w);
    expect(Array.from(x.dataSync())).toEqual(expected);
    g.dispose();
  });

  it('training mode updates running statistics and spectral-norm vectors; eval mode does not', () => {
    const g = new SpadeGenerator({ ...tiny, normMode: 'clade' });
    const s = seg();
    const read = (name: string) => g.model.weights.find((w) => w.originalName === name)!.read().dataSync().slice();
    const before = [read('head_0.norm_0/param_free_norm/running_mean'), read('head_0.conv_0/weight_u')];
    tf.dispose(g.apply({ seg: s }, false));
    expect(read('head_0.norm_0/param_free_norm/running_mean')).toEqual(before[0]);
    tf.dispose(g.apply({ seg: s }, true));
    expect(read('head_0.norm_0/param_free_norm/running_mean')).not.toEqual(before[0]);
    expect(read('head_0.conv_0/weight_u')).not.toEqual(before[1]);
    g.dispose();
  });

  it('every trainable weight gets a gradient (wasm, with our training kernels)', async () => {
    const { initBackend } = await import('@clade/backend');
    await initBackend({ backend: 'wasm' });
    // tfjs' IS_TEST kernel-leak check misfires on wasm for fused-conv gradients (nothing leaks).
    tf.env().set('IS_TEST', false);
    try {
      const g = new SpadeGenerator({ ...tiny, cropSize: 32, normMode: 'clade', useInstance: true, initSeed: 3 });
      const s = seg(2, 32, 3, true);
      const vars = g.model.trainableWeights.map((w) => w.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(g.apply({ seg: s }, true))) as tf.Scalar, vars);
      const zero = vars.filter((v) => tf.tidy(() => tf.sum(tf.abs(grads[v.name]!)).dataSync()[0]) === 0).map((v) => v.name);
      expect(zero).toEqual([]);
      tf.dispose([value, s, ...Object.values(grads)]);
      g.dispose();
    } finally {
      tf.env().set('IS_TEST', true);
      await tf.setBackend('cpu');
    }
  });

  it('saves and loads in the tfjs format with equal outputs', async () => {
    const g = new SpadeGenerator({ ...tiny, normMode: 'cladeIcpe', useInstance: true });
    const loaded = await reloadLayersModel(g.model);
    const s = seg(1, 32, 3, true);
    const d = tf.randomUniform([1, 32, 32, 2], -1, 1);
    const a = g.apply({ seg: s, dist: d as tf.Tensor4D });
    const b = loaded.predict([s, d]) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-6);
    g.dispose();
  });

  it('leaks no tensors', async () => {
    const g = new SpadeGenerator({ ...tiny, normMode: 'spade' });
    const s = seg();
    await expectNoLeaks(() => g.apply({ seg: s }));
    await expectNoLeaks(() => g.apply({ seg: s }, true));
    g.dispose();
  });

  it('clear errors for bad inputs', () => {
    const g = new SpadeGenerator({ ...tiny, normMode: 'cladeIcpe', useInstance: true });
    expect(() => g.apply({ seg: seg(1, 32, 3, false) })).toThrow(/seg must be \[N,H,W,4\] \(one-hot \+ dontcare \+ edge\), got \[1,32,32,3\]/);
    expect(() => g.apply({ seg: seg(1, 32, 3, true) })).toThrow(/needs dist \[N,H,W,2\]/);
    expect(() => new SpadeGenerator({ ...tiny, normMode: 'group' as never })).toThrow(/normMode must be one of spade, clade, cladeIcpe, got 'group'/);
    g.dispose();
  });
});
