import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, torchStateDictOf } from '@clade/core';
import { expectNoLeaks, maxAbsDiff } from '@clade/test-utils';
import { SeanGenerator, resolveSeanConfig, seanCost, type SeanConfig } from '../index';

const K = 3;
const tiny: Partial<SeanConfig> & { labelNc: number } = { labelNc: K, ngf: 4, cropSize: 32, initSeed: 1 };

/** Batch of K segmaps; sample b has class b at pixel (0,0), so every class survives even a 1×1 resize. */
function seg(size = 32, n = K): tf.Tensor4D {
  return tf.tidy(() => {
    const ids = tf.randomUniform([n, size, size], 0, K, 'int32', 5).arraySync() as number[][][];
    ids.forEach((m, b) => (m[0]![0] = b % K));
    return tf.oneHot(tf.tensor3d(ids, undefined, 'int32'), K).toFloat() as tf.Tensor4D;
  });
}
const image = (size = 32, n = K, seed = 6) => tf.randomUniform([n, size, size, 3], -1, 1, 'float32', seed) as tf.Tensor4D;


describe('SeanGenerator', () => {
  let g: SeanGenerator;
  beforeAll(async () => {
    const { initBackend } = await import('@clade/backend');
    await initBackend({ backend: 'wasm' });
    tf.env().set('IS_TEST', false); // tfjs' kernel-leak check misfires on wasm gradients (nothing leaks)
    g = new SeanGenerator(tiny);
  });
  afterAll(async () => {
    g.dispose();
    tf.env().set('IS_TEST', true);
    await tf.setBackend('cpu');
  });

  it('official forward, encoder and synthesis shapes; the forward equals synthesis from the encoded codes', () => {
    const s = seg();
    const img = image();
    const y = g.apply(s, img, { noise: 'none' });
    expect(y.shape).toEqual([K, 32, 32, 3]);
    const codes = g.encode(img, s);
    expect(codes.shape).toEqual([K, K, 512]);
    const y2 = g.synthesize(s, codes, { noise: 'none' });
    expect(maxAbsDiff(y, y2)).toBe(0);
    tf.dispose([s, img, y, codes, y2]);
  });

  it('aspect 2 with "more" upsampling: 64×128 output, codes from a style image of another size', () => {
    const g2 = new SeanGenerator({ labelNc: K, ngf: 4, cropSize: 128, aspectRatio: 2, numUpsamplingLayers: 'more', classBranch: 'clade' });
    const s = tf.tidy(() => tf.slice(seg(128, 1), [0, 0, 0, 0], [1, 64, 128, K])) as tf.Tensor4D;
    const codes = g2.encode(image(16, 1), seg(16, 1));
    const y = g2.synthesize(s, codes);
    expect(y.shape).toEqual([1, 64, 128, 3]);
    tf.dispose([s, codes, y]);
    g2.dispose();
  });

  it('trainable parameters equal seanCost, for SEAN and SEAN-CLADE (PyTorch counting)', () => {
    expect(g.countParams()).toBe(seanCost(tiny).params.total);
    const c = new SeanGenerator({ ...tiny, classBranch: 'clade', ngf: 6, labelNc: 4, cropSize: 64, numUpsamplingLayers: 'more' });
    expect(c.countParams()).toBe(seanCost(c.config).params.total);
    c.dispose();
  });

  it('styleLength narrows the codes, the Zencoder output and every projection (small models to train)', () => {
    const s = new SeanGenerator({ ...tiny, styleLength: 16 });
    expect(s.countParams()).toBe(seanCost(s.config).params.total);
    // Each style ACE holds K projections of styleLength² + styleLength weights.
    expect(g.countParams() - s.countParams()).toBeGreaterThan(K * (512 * 512 - 16 * 16));
    const codes = s.encode(image(32, 1), seg(32, 1));
    expect(codes.shape).toEqual([1, K, 16]);
    const y = s.synthesize(seg(32, 1), codes);
    expect(y.shape).toEqual([1, 32, 32, 3]);
    expect(() => s.synthesize(seg(32, 1), tf.zeros([1, K, 512]) as tf.Tensor3D)).toThrow(new RegExp(`codes must be \\[1,${K},16\\], got \\[1,${K},512\\]`));
    tf.dispose([codes, y]);
    s.dispose();
  });

  it('weights carry the official state-dict keys and load strictly from a state dict', () => {
    const sd = torchStateDictOf(g.model);
    const shapes = Object.fromEntries([...sd].map(([k, v]) => [k, v.shape]));
    expect(shapes).toMatchObject({
      'fc.weight': [64, K, 3, 3],
      'Zencoder.model.1.weight': [32, 3, 3, 3],
      'Zencoder.model.10.weight': [128, 256, 3, 3], // ConvTranspose2d: [in, out, k, k]
      'Zencoder.model.14.weight': [512, 256, 3, 3],
      'head_0.ace_0.blending_gamma': [1],
      'head_0.ace_0.noise_var': [64],
      'head_0.ace_0.Spade.param_free_norm.running_mean': [64],
      'head_0.ace_0.Spade.mlp_shared.0.weight': [128, K, 3, 3],
      'head_0.ace_0.fc_mu2.weight': [512, 512],
      'head_0.ace_0.conv_gamma.weight': [64, 512, 3, 3],
      'head_0.conv_0.weight_orig': [64, 64, 3, 3],
      'up_0.conv_s.weight_orig': [32, 64, 1, 1],
      'up_3.ace_s.noise_var': [8],
      'conv_img.weight': [3, 4, 3, 3],
    });
    // up_3 has no style branch; one fc_mu per class elsewhere (the official 19 is not hard-coded).
    expect([...sd.keys()].some((k) => k.startsWith('up_3.') && k.includes('fc_mu'))).toBe(false);
    expect([...sd.keys()].filter((k) => k.startsWith('up_2.ace_0.fc_mu') && k.endsWith('.weight'))).toHaveLength(K);
    // Per ACE with style: 3 own + 2 + 6 SPADE + 2 norm buffers + 2K fc + 4 conv; 18 ACEs, up_3's 3 without style.
    const perAce = 3 + 2 + 6 + 2;
    const expected = 2 + 10 + 18 * perAce + 15 * (2 * K + 4) + 7 * 2 * 4 + 4 * 3 + 2;
    expect(sd.size).toBe(expected);

    const fresh = new SeanGenerator({ ...tiny, initSeed: 99 });
    fresh.loadTorchStateDict(sd, 'round trip');
    const s = seg();
    const img = image();
    const a = g.apply(s, img, { noise: 'none' });
    const b = fresh.apply(s, img, { noise: 'none' });
    expect(maxAbsDiff(a, b)).toBe(0);
    sd.delete('up_1.ace_1.fc_mu0.bias');
    expect(() => fresh.loadTorchStateDict(sd, 'broken')).toThrow(/missing keys: up_1\.ace_1\.fc_mu0\.bias/);
    tf.dispose([s, img, a, b]);
    fresh.dispose();
  });

  it('every trainable weight gets a gradient in training mode (G and Zencoder together)', () => {
    const s = seg();
    const img = image();
    const vars = g.model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(g.apply(s, img, { training: true, noise: 3 }))) as tf.Scalar, vars);
    const zero = vars.filter((v) => !grads[v.name] || tf.tidy(() => tf.sum(tf.abs(grads[v.name]!)).dataSync()[0]) === 0).map((v) => v.name);
    // up_3's blending scalars have no path (no style branch there), as in the official module.
    expect(zero.map((n) => n.replace(/_\d+$/, ''))).toEqual(
      ['up_3.ace_0', 'up_3.ace_1', 'up_3.ace_s'].flatMap((a) => [`${a}/blending_gamma`, `${a}/blending_beta`]),
    );
    tf.dispose([value, s, img, ...Object.values(grads).filter((t) => t)]);
  });

  it('leaks no tensors (forward, synthesis, encoder, training)', async () => {
    const s = seg(32, 1);
    const img = image(32, 1);
    const codes = g.encode(img, s);
    await expectNoLeaks(() => g.apply(s, img));
    await expectNoLeaks(() => g.synthesize(s, codes, { training: true }));
    await expectNoLeaks(() => g.encode(img, s));
    tf.dispose([s, img, codes]);
  });

  it('bad configs and inputs give one clear error naming the field, the value and what is allowed', () => {
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(err(() => resolveSeanConfig({ ...tiny, classBranch: 'group' as never }))).toBe("sean: classBranch must be one of spade, clade, got 'group'.");
    expect(err(() => resolveSeanConfig({ ...tiny, numUpsamplingLayers: 'most' as never }))).toBe(
      "sean: numUpsamplingLayers must be one of normal, more, got 'most'.",
    );
    expect(err(() => resolveSeanConfig({ ...tiny, ngf: 0 }))).toBe('sean: ngf must be a positive integer, got 0.');
    expect(err(() => resolveSeanConfig({ ...tiny, labelNc: 2.5 }))).toBe('sean: labelNc must be a positive integer, got 2.5.');
    expect(err(() => resolveSeanConfig({ ...tiny, paramFreeNorm: 'group' as never }))).toBe(
      "sean: paramFreeNorm must be one of instance, batch, syncBatch, got 'group'.",
    );
    expect(err(() => resolveSeanConfig({ ...tiny, styleDim: 8 } as never))).toMatch(
      /^sean: unknown config field 'styleDim'\. Supported: labelNc, containDontcare, classBranch/,
    );
    expect(err(() => resolveSeanConfig({ ...tiny, cropSize: 16 }))).toMatch(/^sean: cropSize 16 with aspectRatio 1 gives a 0×0 first feature map/);
    const s = seg(32, 1);
    expect(() => g.apply(tf.zeros([1, 32, 32, 4]) as tf.Tensor4D, image(32, 1))).toThrow(
      /SeanGenerator.apply: seg must be \[N,H,W,3\] \(one-hot classes\), got \[1,32,32,4\]/,
    );
    expect(() => g.synthesize(s, tf.zeros([1, 3, 256]) as tf.Tensor3D)).toThrow(/SeanGenerator.synthesize: codes must be \[1,3,512\], got \[1,3,256\]/);
    s.dispose();
  });
});
