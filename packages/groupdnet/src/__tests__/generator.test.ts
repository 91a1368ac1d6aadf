import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, instanceNorm, spadeModulate, torchKeyOf, torchShapeOf, torchTransformOf, type NdArray } from '@clade/core';
import { blockDiagonalKernel } from '@clade/core/internal';
import { describeLayerContract, expectNoLeaks, maxAbsDiff, reloadLayersModel, useBackend } from '@clade/test-utils';
import {
  GroupDNetGenerator,
  GroupDNetSegLayout,
  GroupSPADE,
  classLatent,
  resampleClass,
  sampleLatent,
  synthesize,
  type ConfigInput,
} from '../index';

/** A one-hot map [n,h,w,k] where every class appears (blocks of classes), plus an edge channel. */
function segmap(n: number, h: number, w: number, k: number, edge: boolean): tf.Tensor4D {
  return tf.tidy(() => {
    const ids = tf.tensor3d(
      Array.from({ length: n * h * w }, (_, i) => (Math.floor((i % w) / Math.max(1, w / k)) + Math.floor(i / (w * h))) % k),
      [n, h, w],
      'int32',
    );
    const oneHot = tf.cast(tf.oneHot(ids, k), 'float32') as tf.Tensor4D;
    if (!edge) return oneHot;
    const e = tf.cast(tf.greater(tf.randomUniform([n, h, w, 1], 0, 1, 'float32', 5), 0.8), 'float32');
    return tf.concat([oneHot, e], 3) as tf.Tensor4D;
  });
}

const DF: ConfigInput = { arch: 'deepfashion', labelNc: 8, ngf: 8, cropSize: 64, initSeed: 3 };
// Cityscapes' generator in miniature: 4 classes + edges interleaved into GROUP_SPADE, a short schedule.
const CS: ConfigInput = {
  arch: 'cityscapes', labelNc: 4, useInstance: true, ngf: 8, cropSize: 64, aspectRatio: 2,
  numUpsamplingLayers: 'normal', groups: [4, 4, 4, 2, 2, 2, 2, 1], initSeed: 4,
};

// The CPU backend needs minutes for these forwards on a loaded machine; wasm takes seconds.
useBackend(async () => (await import('@clade/backend')).initBackend({ backend: 'wasm' }));
// Building is the slow part under jest (random init), so tests share one generator per config.
const built = new Map<string, GroupDNetGenerator>();
function net(c: ConfigInput): GroupDNetGenerator {
  const key = JSON.stringify(c);
  if (!built.has(key)) built.set(key, new GroupDNetGenerator(c));
  return built.get(key)!;
}
afterAll(async () => {
  built.forEach((g) => g.dispose());
  await tf.setBackend('cpu');
  tf.env().set('IS_TEST', true);
});

describe('GroupDNetGenerator', () => {
  it('DeepFashion / Cityscapes / GroupDNet-CLADE: output shapes, z shapes, tanh range', () => {
    for (const [c, seg, out, z] of [
      [DF, segmap(1, 64, 64, 8, false), [1, 64, 64, 3], [1, 1, 1, 64]],
      [{ ...DF, normMode: 'clade' }, segmap(1, 64, 64, 8, false), [1, 64, 64, 3], [1, 1, 1, 64]],
      [CS, segmap(1, 32, 64, 4, true), [1, 32, 64, 3], [1, 1, 2, 32]],
      [{ ...CS, normMode: 'clade' }, segmap(1, 32, 64, 4, true), [1, 32, 64, 3], [1, 1, 2, 32]],
    ] as const) {
      const g = net(c as ConfigInput);
      expect([g.plan.sh, g.plan.sw, g.plan.latentNc]).toEqual(z.slice(1));
      const { image, z: used } = synthesize(g, seg, { seed: 1 });
      expect(image.shape).toEqual(out);
      expect(used.shape).toEqual(z);
      expect(Math.max(...(image.dataSync() as Float32Array).map(Math.abs))).toBeLessThanOrEqual(1);
      tf.dispose([image, used, seg]);
    }
  });

  it('resampling one class changes its latent only (others bit for bit) and changes the image', () => {
    const g = net(DF);
    const seg = segmap(1, 64, 64, 8, false);
    const z = sampleLatent(g.plan, 1, 7);
    const z2 = resampleClass(z, 3, 8);
    for (let j = 0; j < 8; j++) {
      const [a, b] = [classLatent(z, j), classLatent(z2, j)];
      const same = Buffer.from((a.dataSync() as Float32Array).buffer).equals(Buffer.from((b.dataSync() as Float32Array).buffer));
      expect({ j, same }).toEqual({ j, same: j !== 3 });
      tf.dispose([a, b]);
    }
    const y1 = g.apply({ seg, z });
    const y2 = g.apply({ seg, z: z2 });
    expect(maxAbsDiff(y1, y2)).toBeGreaterThan(0);
    expect(() => resampleClass(z, 8)).toThrow(/classIndex must be an integer in \[0, 7\] \(z holds 8 classes\), got 8/);
    tf.dispose([seg, z, z2, y1, y2]);
  });

  it('weight names are the official state-dict keys (. → /), and an official-shaped state dict loads strictly', () => {
    const g = net(CS);
    const keys = g.model.weights.map((w) => torchKeyOf(w.originalName));
    const up0 = keys.filter((k) => k.startsWith('up_0.')).sort();
    const conv = (n: string, bias: boolean) => [...(bias ? [`up_0.${n}.bias`] : []), `up_0.${n}.weight_orig`, `up_0.${n}.weight_u`, `up_0.${n}.weight_v`];
    const norm = (n: string) =>
      [
        'mlp_beta.bias', 'mlp_beta.weight', 'mlp_gamma.bias', 'mlp_gamma.weight', 'mlp_shared.0.bias',
        'mlp_shared.0.weight', 'param_free_norm.running_mean', 'param_free_norm.running_var',
      ].map((s) => `up_0.${n}.${s}`);
    expect(up0).toEqual(
      [
        ...conv('conv_0', true), ...conv('conv_1', true), ...conv('conv_s', false), ...norm('norm_0'),
        ...norm('norm_1'), ...norm('norm_s'),
      ].sort(),
    );
    expect(keys).toEqual(expect.arrayContaining(['fc.weight', 'fc.bias', 'conv_img.weight', 'conv_img.bias']));
    // Grouped layouts: up_0 (128 → 64, 2 groups) conv_0 is torch [64, 64, 3, 3]; mlp_shared sees 2 channels per class.
    const shapeOf = (key: string) => {
      const w = g.model.weights.find((v) => torchKeyOf(v.originalName) === key)!;
      return torchShapeOf(w.shape as number[], torchTransformOf(w.originalName, w.shape.length));
    };
    expect(shapeOf('up_0.conv_0.weight_orig')).toEqual([64, 64, 3, 3]);
    expect(shapeOf('up_0.norm_0.mlp_shared.0.weight')).toEqual([8, 2, 3, 3]);
    expect(shapeOf('fc.weight')).toEqual([128, 8, 3, 3]);
    // A state dict in PyTorch layout (our weights transposed back) loads strictly and reproduces the output.
    const seg = segmap(1, 32, 64, 4, true);
    const z = sampleLatent(g.plan, 1, 2);
    const y = g.apply({ seg, z });
    const state = new Map<string, NdArray>();
    for (const w of g.model.weights) {
      const t = w.read();
      const transform = torchTransformOf(w.originalName, t.rank);
      const torch = tf.tidy(() => (transform === 'conv' ? tf.transpose(t, [3, 2, 0, 1]) : t));
      state.set(torchKeyOf(w.originalName), { dtype: 'float32', shape: torch.shape, data: torch.dataSync() as Float32Array });
      if (torch !== t) torch.dispose();
    }
    const h = new GroupDNetGenerator({ ...CS, initSeed: 99 });
    h.loadTorchStateDict(state);
    const y2 = h.apply({ seg, z });
    expect(maxAbsDiff(y, y2)).toBe(0);
    tf.dispose([seg, z, y, y2]);
    h.dispose();
  });

  it('saves and loads as a LayersModel with equal predictions', async () => {
    const g = net(CS);
    const seg = segmap(1, 32, 64, 4, true);
    const z = sampleLatent(g.plan, 1, 3);
    const loaded = await reloadLayersModel(g.model);
    const a = g.apply({ seg, z });
    const b = loaded.predict([seg, z]) as tf.Tensor;
    expect(maxAbsDiff(a, b)).toBeLessThan(1e-6);
    tf.dispose([seg, z, a, b]);
    loaded.layers.forEach((l) => l.dispose());
  });

  it('gives a non-zero gradient to every trainable weight in training mode, and leaks nothing', async () => {
    const g = new GroupDNetGenerator({ ...CS, paramFreeNorm: 'instance' });
    const seg = segmap(1, 32, 64, 4, true);
    const z = sampleLatent(g.plan, 1, 4);
    const vars = g.model.trainableWeights.map((w) => w.read() as tf.Variable);
    const probe = tf.randomNormal([1, 32, 64, 3], 0, 1, 'float32', 9);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(g.apply({ seg, z }, true), probe)) as tf.Scalar, vars);
    const zeros = vars.filter((v) => tf.tidy(() => tf.sum(tf.abs(grads[v.name]!)).dataSync()[0]) === 0).map((v) => v.name);
    expect(zeros).toEqual([]);
    tf.dispose([value, probe, ...Object.values(grads)]);
    await expectNoLeaks(() => g.apply({ seg, z }));
    await expectNoLeaks(() => g.apply({ seg, z }, true));
    await expectNoLeaks(() => g.apply({ seg })); // sampled z is freed
    tf.dispose([seg, z]);
    g.dispose();
  });

  it('rejects wrong input shapes with a ShapeError naming the expected shape', () => {
    const g = net(DF);
    const seg = segmap(1, 64, 64, 8, false);
    const bad = tf.zeros([1, 64, 64, 9]) as tf.Tensor4D;
    const z = tf.zeros([1, 2, 2, 64]) as tf.Tensor4D;
    expect(() => g.apply({ seg: bad })).toThrow(ShapeError);
    expect(() => g.apply({ seg: bad })).toThrow(/seg must be \[N,H,W,8\] \(one-hot\), got \[1,64,64,9\]/);
    expect(() => g.apply({ seg, z })).toThrow(/z must be \[1,1,1,64\] \(8 channels per class\), got \[1,2,2,64\]/);
    tf.dispose([seg, bad, z]);
  });
});

describe('GroupDNetSegLayout', () => {
  it("'interleaveEdge' pairs every class with the edge map; 'dropEdge' keeps the classes", () => {
    const seg = tf.tensor4d([1, 0, 0, 1, 0, 1, 0, 0], [1, 1, 2, 4]); // 3 classes + edge, 2 pixels
    const inter = new GroupDNetSegLayout({ layout: 'interleaveEdge' }).apply(seg) as tf.Tensor;
    expect(Array.from(inter.dataSync())).toEqual([1, 1, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0]);
    const drop = new GroupDNetSegLayout({ layout: 'dropEdge' }).apply(seg) as tf.Tensor;
    expect(Array.from(drop.dataSync())).toEqual([1, 0, 0, 0, 1, 0]);
    tf.dispose([seg, inter, drop]);
  });
});

describe('GroupSPADE numerics', () => {
  it('equals SPADE with block-diagonal (dense) kernels: x̂·(1 + γ) + β', () => {
    const layer = new GroupSPADE({ semanticNc: 6, hiddenNc: 9, sharedGroups: 3, groups: 3, paramFreeNorm: 'instance', initGain: 1, initSeed: 5 });
    const x = tf.randomNormal([2, 4, 4, 6], 0, 1, 'float32', 1) as tf.Tensor4D;
    const seg = segmap(2, 8, 8, 6, false);
    const y = layer.apply([x, seg]) as tf.Tensor4D;
    const [sk, sb, gk, gb, bk, bb] = layer.trainableWeights.map((w) => w.read()) as tf.Tensor4D[];
    const ref = tf.tidy(() =>
      spadeModulate(instanceNorm(x), seg, {
        sharedKernel: blockDiagonalKernel(sk!, 3), sharedBias: sb as unknown as tf.Tensor1D,
        gammaKernel: blockDiagonalKernel(gk!, 3), gammaBias: gb as unknown as tf.Tensor1D,
        betaKernel: blockDiagonalKernel(bk!, 3), betaBias: bb as unknown as tf.Tensor1D,
      }),
    );
    expect(maxAbsDiff(y, ref)).toBeLessThan(1e-5);
    expect(tf.tidy(() => maxAbsDiff(y, instanceNorm(x)))).toBeGreaterThan(1e-3); // the modulation is not trivial
    tf.dispose([x, seg, y, ref]);
    layer.dispose();
  });
});

describeLayerContract('GroupSPADE (Cityscapes-style: 2 seg channels per class, 4 groups)', {
  make: () => new GroupSPADE({ semanticNc: 8, hiddenNc: 8, sharedGroups: 4, groups: 4, initSeed: 1, name: 'norm_0' }),
  inputs: () => [tf.randomNormal([2, 4, 4, 8], 0, 1, 'float32', 1), segmap(2, 8, 8, 8, false)],
  outputShape: [2, 4, 4, 8],
  weightNames: [
    'mlp_shared/0/weight', 'mlp_shared/0/bias', 'mlp_gamma/weight', 'mlp_gamma/bias', 'mlp_beta/weight',
    'mlp_beta/bias', 'param_free_norm/running_mean', 'param_free_norm/running_var',
  ],
  trainable: 6,
});
