import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { labelsToSegmap, torchKeyOf } from '@clade/core';
import { expectNoLeaks, maxAbsDiff, reloadLayersModel, useBackend } from '@clade/test-utils';
import {
  MultiscaleDiscriminator,
  discriminatorCost,
  discriminatorPlan,
  discriminatorShapes,
  resolveDiscriminatorConfig,
  type DiscriminatorConfig,
} from '../index';

const tiny = { labelNc: 3, ndf: 4 };
function inputs(n = 2, size = 24, classes = 3): { seg: tf.Tensor4D; image: tf.Tensor4D } {
  return tf.tidy(() => ({
    seg: labelsToSegmap(tf.randomUniform([n, size, size], 0, classes, 'int32', 5), classes),
    image: tf.randomUniform([n, size, size, 3], -1, 1, 'float32', 6) as tf.Tensor4D,
  }));
}
const shapesOf = (feats: tf.Tensor[][]) => feats.map((s) => s.map((f) => f.shape.slice(1)));

// Official dataset channels S: ADE20K 151 (150 + dontcare), COCO-Stuff 184 (182 + dontcare + edge),
// Cityscapes 36 (35 + edge); REFERENCE §16.1.
const DATASETS: Array<{ name: string; cfg: Partial<DiscriminatorConfig> & { labelNc: number }; params: number }> = [
  { name: 'ADE20K', cfg: { labelNc: 150, containDontcare: true }, params: 5_836_930 },
  { name: 'COCO-Stuff', cfg: { labelNc: 182, containDontcare: true, useInstance: true }, params: 5_904_514 },
  { name: 'Cityscapes', cfg: { labelNc: 35, useInstance: true }, params: 5_601_410 },
];

// REFERENCE §8.2: [C, H] per layer at a 256² input (D0) and at the pooled 128² (D1).
const TABLE_256 = [
  [[64, 129], [128, 65], [256, 33], [512, 34], [1, 35]],
  [[64, 65], [128, 33], [256, 17], [512, 18], [1, 19]],
];

describe('MultiscaleDiscriminator', () => {
  // Building a full-size D (5.8M weights) takes ~15 s on the cpu backend (tfjs' JS Gaussian RNG), so
  // full-size facts are checked on the plan and cost model, and tiny built models are checked
  // against that same plan and cost model.
  it('ADE20K plan = the state-dict shapes of REFERENCE §15.2; a built D has exactly the plan\'s keys and shapes', () => {
    const plan = discriminatorPlan(resolveDiscriminatorConfig(DATASETS[0]!.cfg));
    expect(plan.map((l) => [l.conv, l.cout, l.cin, l.strides, l.normed])).toEqual([
      ['model0.0', 64, 154, 2, false],
      ['model1.0.0', 128, 64, 2, true],
      ['model2.0.0', 256, 128, 2, true],
      ['model3.0.0', 512, 256, 1, true],
      ['model4.0', 1, 512, 1, false],
    ]);
    // weight_v of §15.2: I·4·4 = 1024, 2048, 4096.
    expect(plan.filter((l) => l.normed).map((l) => l.cin * 16)).toEqual([1024, 2048, 4096]);

    const cfg = { labelNc: 3, containDontcare: true, useInstance: true, ndf: 4 };
    const d = new MultiscaleDiscriminator(cfg);
    const expected: Array<[string, number[]]> = [];
    for (const i of [0, 1]) {
      for (const l of discriminatorPlan(resolveDiscriminatorConfig(cfg))) {
        const k = `discriminator_${i}.${l.conv}`;
        if (l.normed) expected.push([`${k}.weight_orig`, [l.cout, l.cin, 4, 4]], [`${k}.weight_u`, [l.cout]], [`${k}.weight_v`, [l.cin * 16]]);
        else expected.push([`${k}.weight`, [l.cout, l.cin, 4, 4]], [`${k}.bias`, [l.cout]]);
      }
    }
    // tfjs [kh,kw,I,O] → torch [O,I,kh,kw]; vectors unchanged.
    const torchShape = (s: number[]) => (s.length === 4 ? [s[3], s[2], s[0], s[1]] : s);
    const got = d.model.weights.map((w) => [torchKeyOf(w.originalName), torchShape(w.shape as number[])]);
    const sortByKey = (a: Array<[string, unknown] | unknown[]>) => [...a].sort((x, y) => (String(x[0]) < String(y[0]) ? -1 : 1));
    expect(sortByKey(got)).toEqual(sortByKey(expected));
    expect(got).toHaveLength(26); // 2 × (2 + 3·3 + 2); InstanceNorm and the pooling have no keys
    expect(expected[0]).toEqual(['discriminator_0.model0.0.weight', [4, 8, 4, 4]]); // S = 3 + dontcare + edge, + RGB
    expect(d.countParams()).toBe(discriminatorCost(cfg).params);
    d.dispose();
  });

  it.each(DATASETS)('parameter count of $name equals the official $params', ({ cfg, params }) => {
    expect(discriminatorCost(cfg).params).toBe(params);
  });

  it('feature sizes follow the §8.2 table at 256² (analytic, and symbolic through the built model)', () => {
    const table = discriminatorShapes(DATASETS[0]!.cfg, 256, 256);
    expect(table.map((s) => s.map(([h, , c]) => [c, h]))).toEqual(TABLE_256);
    const d = new MultiscaleDiscriminator(tiny);
    const outs = d.model.apply([tfl.input({ shape: [256, 256, 3] }), tfl.input({ shape: [256, 256, 3] })]) as tfl.SymbolicTensor[];
    expect(outs.map((o) => [o.shape[1], o.shape[2]])).toEqual(TABLE_256.flat().map(([, h]) => [h, h]));
    expect(outs.map((o) => o.shape[3])).toEqual([4, 8, 16, 32, 1, 4, 8, 16, 32, 1]);
    // Concretely, on a non-square (Cityscapes-like 1:2) input, H and W stay apart.
    const wide = inputs(1, 32);
    const cut = {
      seg: tf.slice(wide.seg, [0, 0, 0, 0], [-1, 16, -1, -1]) as tf.Tensor4D,
      image: tf.slice(wide.image, [0, 0, 0, 0], [-1, 16, -1, -1]) as tf.Tensor4D,
    };
    const wf = d.apply(cut);
    expect(shapesOf(wf)).toEqual(discriminatorShapes(tiny, 16, 32));
    tf.dispose([wide.seg, wide.image, cut.seg, cut.image, ...wf.flat()]);
    d.dispose();
  });

  it('returns only the last map per scale without intermediate features, and honours numD / nLayers', () => {
    const { seg, image } = inputs(1, 24);
    const d = new MultiscaleDiscriminator({ ...tiny, intermediateFeatures: false, numD: 3, nLayers: 3 });
    const feats = d.apply({ seg, image });
    expect(feats.map((s) => s.length)).toEqual([1, 1, 1]);
    expect(shapesOf(feats)).toEqual(discriminatorShapes({ ...tiny, numD: 3, nLayers: 3 }, 24, 24).map((s) => [s[s.length - 1]]));
    expect(d.model.weights.map((w) => w.originalName)).toContain('discriminator_2.model3.0/bias');
    tf.dispose([seg, image, ...feats.flat()]);
    d.dispose();
  });

  it('discriminate() runs fake and real as one batch (fake first) and splits every feature in half', () => {
    const d = new MultiscaleDiscriminator(tiny);
    const { seg, image: real } = inputs(2, 24);
    const fake = tf.randomUniform(real.shape, -1, 1, 'float32', 9) as tf.Tensor4D;
    const both = d.discriminate(seg, fake, real);
    const [alone, aloneReal] = [d.apply({ seg, image: fake }), d.apply({ seg, image: real })];
    // InstanceNorm is per sample, so batching changes nothing in eval mode.
    const diffs = both.fake.flatMap((s, i) => s.map((f, j) => maxAbsDiff(f, alone[i]![j]!)))
      .concat(both.real.flatMap((s, i) => s.map((f, j) => maxAbsDiff(f, aloneReal[i]![j]!))));
    expect(Math.max(...diffs)).toBeLessThan(1e-5);
    expect(() => d.discriminate(seg, fake, tf.zeros([2, 24, 24, 1]) as tf.Tensor4D)).toThrow(/fake and real must have the same shape/);
    tf.dispose([seg, real, fake, ...both.fake.flat(), ...both.real.flat(), ...alone.flat(), ...aloneReal.flat()]);
    d.dispose();
  });

  it('training mode updates weight_u / weight_v, eval mode does not', () => {
    const d = new MultiscaleDiscriminator(tiny);
    const { seg, image } = inputs(1, 24);
    const read = () => d.model.weights.find((w) => w.originalName === 'discriminator_1.model2.0.0/weight_u')!.read().dataSync().slice();
    const before = read();
    tf.dispose(d.apply({ seg, image }).flat());
    expect(read()).toEqual(before);
    tf.dispose(d.apply({ seg, image }, true).flat());
    expect(read()).not.toEqual(before);
    tf.dispose([seg, image]);
    d.dispose();
  });

  it('saves and loads in the tfjs format with equal features', async () => {
    const d = new MultiscaleDiscriminator(tiny);
    const loaded = await reloadLayersModel(d.model);
    const { seg, image } = inputs(1, 24);
    const a = d.apply({ seg, image }).flat();
    const b = loaded.predict([seg, image]) as tf.Tensor[];
    expect(b).toHaveLength(a.length);
    expect(Math.max(...a.map((t, i) => maxAbsDiff(t, b[i]!)))).toBeLessThan(1e-6);
    tf.dispose([seg, image, ...a, ...b]);
    loaded.layers.forEach((l) => l.dispose());
    d.dispose();
  });

  it('leaks no tensors (apply in both modes, discriminate)', async () => {
    const d = new MultiscaleDiscriminator(tiny);
    const { seg, image } = inputs(1, 16);
    await expectNoLeaks(() => d.apply({ seg, image }));
    await expectNoLeaks(() => d.apply({ seg, image }, true));
    await expectNoLeaks(() => {
      const r = d.discriminate(seg, image, image, true);
      return [...r.fake.flat(), ...r.real.flat()];
    });
    tf.dispose([seg, image]);
    d.dispose();
  });

  it('clear errors for wrong input channels, mismatched inputs and bad config', () => {
    const d = new MultiscaleDiscriminator({ ...tiny, useInstance: true });
    const { seg, image } = inputs(1, 16);
    expect(() => d.apply({ seg, image })).toThrow(/seg must be \[N,H,W,4\] \(one-hot \+ dontcare \+ edge\), got \[1,16,16,3\]/);
    const seg4 = tf.concat([seg, tf.zeros([1, 16, 16, 1])], 3) as tf.Tensor4D;
    const gray = tf.zeros([1, 16, 16, 1]) as tf.Tensor4D;
    expect(() => d.apply({ seg: seg4, image: gray })).toThrow(/image must be \[N,H,W,3\], got \[1,16,16,1\]/);
    const small = tf.zeros([1, 8, 8, 3]) as tf.Tensor4D;
    expect(() => d.apply({ seg: seg4, image: small })).toThrow(/seg and image must have the same N,H,W, got \[1,16,16,4\] and \[1,8,8,3\]/);
    expect(() => resolveDiscriminatorConfig({ labelNc: 3, numD: 0 })).toThrow(/numD must be a positive integer, got 0/);
    expect(() => resolveDiscriminatorConfig({ labelNc: 3, nLayers: 1 })).toThrow(/nLayers must be at least 2, got 1/);
    expect(() => resolveDiscriminatorConfig({ labelNc: 2.5 })).toThrow(/labelNc must be a positive integer, got 2.5/);
    tf.dispose([seg, image, seg4, gray, small]);
    d.dispose();
  });
});

describe('MultiscaleDiscriminator gradients (wasm backend)', () => {
  useBackend(async () => (await import('@clade/backend')).initBackend({ backend: 'wasm' }));

  it('every trainable weight and the image get a non-zero gradient; wasm forward = cpu forward', async () => {
    const d = new MultiscaleDiscriminator(tiny);
    const { seg, image } = inputs(2, 24);
    const probes = discriminatorShapes(tiny, 24, 24).flat().map(([h, w, c], i) => tf.randomNormal([2, h, w, c], 0, 1, 'float32', 100 + i));
    const loss = (img: tf.Tensor4D) =>
      tf.addN(d.apply({ seg, image: img }, true).flat().map((f, i) => tf.sum(tf.mul(f, probes[i]!)))) as tf.Scalar;
    const vars = d.model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => loss(image), vars);
    const zero = vars.filter((v) => tf.tidy(() => tf.sum(tf.abs(grads[v.name]!)).dataSync()[0]) === 0).map((v) => v.name);
    expect(zero).toEqual([]);
    expect(vars).toHaveLength(2 * 7); // per scale: model0 weight + bias, model1..3 weight_orig, model4 weight + bias
    // G trains through D: the image must receive a gradient too (through the avg-pool into D1).
    const gImage = tf.grad((img: tf.Tensor) => loss(img as tf.Tensor4D))(image);
    expect(tf.sum(tf.abs(gImage)).dataSync()[0]).toBeGreaterThan(0);

    // The same weights on cpu give the same features (eval mode, u/v already updated).
    const wasmFeats = d.apply({ seg, image }).flat();
    const wasmData = wasmFeats.map((f) => f.dataSync().slice());
    await tf.setBackend('cpu');
    const cpuFeats = d.apply({ seg, image }).flat();
    expect(Math.max(...cpuFeats.map((f, i) => maxAbsDiff(f, wasmData[i]!)))).toBeLessThan(1e-4);
    await tf.setBackend('wasm');
    tf.dispose([value, seg, image, gImage, ...probes, ...Object.values(grads), ...wasmFeats, ...cpuFeats]);
    d.dispose();
  });
});
