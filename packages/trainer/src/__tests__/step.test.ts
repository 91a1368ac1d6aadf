import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { labelsToSegmap } from '@clade/core';
import { MultiscaleDiscriminator, SpadeGenerator, type DiscriminatorConfig, type GeneratorConfig } from '@clade/spade-gen';
import { maxAbsDiff } from '@clade/test-utils';
import { loadVgg19Features, resolveRunConfig, trainStep, vggLoss, type LossConfig, type StepBatch, type Vgg19Features } from '../index';
import { useWasmTraining } from './helpers/wasm-training';

// Tiny nets on wasm with our training kernels: 3 classes, 64², ngf 4, ndf 4; the VGG is the golden's
// tiny one.
const G_CFG: Partial<GeneratorConfig> & { labelNc: number } = { labelNc: 3, ngf: 4, cropSize: 64, normMode: 'clade', initSeed: 11 };
const D_CFG: Partial<DiscriminatorConfig> & { labelNc: number } = { labelNc: 3, ndf: 4, initSeed: 12 };
const lossCfg = (over: Partial<LossConfig>): LossConfig =>
  resolveRunConfig({ generator: { labelNc: 3 }, data: { dataset: 'ade20k', root: '.' }, loss: over }).loss;

function makeBatch(n: number, seed: number): StepBatch {
  return tf.tidy(() => ({
    seg: labelsToSegmap(tf.randomUniform([n, 64, 64], 0, 3, 'int32', seed), 3),
    image: tf.randomUniform([n, 64, 64, 3], -1, 1, 'float32', seed + 1) as tf.Tensor4D,
  }));
}

const weightsOf = (net: { model: { trainableWeights: Array<{ originalName: string; read(): tf.Tensor }> } }) =>
  new Map(net.model.trainableWeights.map((w) => [w.originalName, w.read().clone()]));

useWasmTraining();

describe('trainStep with the VGG loss', () => {
  let vgg: Vgg19Features;
  beforeAll(async () => {
    vgg = await loadVgg19Features(path.join(__dirname, 'fixtures/vgg19_tiny.pth'), { widths: [4, 8, 8, 8, 8] });
  });
  afterAll(() => vgg.dispose());

  it('adds λ·L_VGG to the G step only: ΔG(with) − ΔG(without) = −lr·λ·∇G L_VGG', () => {
    const batch = makeBatch(1, 5);
    const run = (lambdaVgg: number) => {
      const G = new SpadeGenerator(G_CFG);
      const D = new MultiscaleDiscriminator(D_CFG);
      const before = weightsOf(G);
      const losses = trainStep({ G, D, optG: tf.train.sgd(0.1), optD: tf.train.sgd(0.1), vgg }, batch, lossCfg({ lambdaVgg }));
      const after = weightsOf(G);
      G.dispose();
      D.dispose();
      return { losses, before, after };
    };
    const on = run(10);
    const off = run(0);
    expect(off.losses.G_VGG).toBeUndefined();
    expect(on.losses.G_GAN).toBeCloseTo(off.losses.G_GAN, 6); // same forward pass

    // The same first G forward (train mode) on a twin: the VGG term and its gradient.
    const twin = new SpadeGenerator(G_CFG);
    const vars = twin.model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => tf.mul(vggLoss(vgg, twin.apply({ seg: batch.seg }, true), batch.image), 10) as tf.Scalar, vars);
    expect(on.losses.G_VGG).toBeCloseTo(value.dataSync()[0]!, 5);
    expect(on.losses.G_VGG).toBeGreaterThan(0);
    let moved = 0;
    let worst = 0;
    let largest = 0;
    twin.model.trainableWeights.forEach((w) => {
      const name = w.originalName;
      const expected = tf.mul(grads[(w.read() as tf.Variable).name]!, -0.1);
      const delta = tf.sub(on.after.get(name)!, off.after.get(name)!);
      const size = tf.max(tf.abs(expected)).dataSync()[0]!;
      worst = Math.max(worst, maxAbsDiff(delta, expected));
      largest = Math.max(largest, size);
      if (size > 1e-6) moved++;
      tf.dispose([expected, delta]);
    });
    // Float error of w − lr·g in float32 (weights O(1)): measured 2.4e-6 against steps up to 0.73.
    expect(worst).toBeLessThan(1e-5);
    expect(largest).toBeGreaterThan(1e-2);
    expect(moved).toBeGreaterThan(vars.length / 2); // the VGG gradient reaches most of G
    twin.dispose();
    tf.dispose([value, ...Object.values(grads), batch.seg, batch.image]);
    for (const m of [on.before, on.after, off.before, off.after]) tf.dispose([...m.values()]);
  });
});

describe('trainStep with gradient accumulation', () => {
  // Per-sample norms only (instance norm, no spectral norm), so one batch of 2 and two batches of 1
  // compute the same mean gradient; SGD makes the update that gradient exactly.
  const G_PER_SAMPLE = { ...G_CFG, paramFreeNorm: 'instance' as const, spectral: false };
  const D_PER_SAMPLE = { ...D_CFG, spectral: false };

  it('two batches of 1 accumulated = one batch of 2 (G and D updates, losses)', () => {
    const big = makeBatch(2, 21);
    const halves = [0, 1].map((i) => ({
      seg: tf.slice(big.seg, [i, 0, 0, 0], [1, -1, -1, -1]),
      image: tf.slice(big.image, [i, 0, 0, 0], [1, -1, -1, -1]),
    }));
    const run = (batches: StepBatch | StepBatch[]) => {
      const G = new SpadeGenerator(G_PER_SAMPLE);
      const D = new MultiscaleDiscriminator(D_PER_SAMPLE);
      const before = { G: weightsOf(G), D: weightsOf(D) };
      const losses = trainStep({ G, D, optG: tf.train.sgd(0.1), optD: tf.train.sgd(0.1) }, batches, lossCfg({ lambdaVgg: 0 }));
      const after = { G: weightsOf(G), D: weightsOf(D) };
      G.dispose();
      D.dispose();
      return { losses, before, after };
    };
    const one = run(big);
    const acc = run(halves);
    for (const k of ['G_GAN', 'G_GAN_Feat', 'D_Fake', 'D_real'] as const) expect(acc.losses[k]).toBeCloseTo(one.losses[k], 5);
    let worst = 0;
    const largest = { G: 0, D: 0 };
    for (const net of ['G', 'D'] as const)
      for (const [name, w] of one.after[net]) {
        worst = Math.max(worst, maxAbsDiff(acc.after[net].get(name)!, w));
        largest[net] = Math.max(largest[net], maxAbsDiff(w, one.before[net].get(name)!));
      }
    expect(largest.G).toBeGreaterThan(1e-3); // both nets really moved
    expect(largest.D).toBeGreaterThan(1e-3);
    expect(worst).toBeLessThan(1e-6); // float error only: measured 1.4e-8
    tf.dispose([big.seg, big.image, ...halves.flatMap((h) => [h.seg, h.image])]);
    for (const r of [one, acc]) for (const m of [r.before.G, r.before.D, r.after.G, r.after.D]) tf.dispose([...m.values()]);
  });

  it('a single batch in a list is the plain step; an empty list is an error', () => {
    const G = new SpadeGenerator(G_PER_SAMPLE);
    const D = new MultiscaleDiscriminator(D_PER_SAMPLE);
    expect(() => trainStep({ G, D, optG: tf.train.sgd(0.1), optD: tf.train.sgd(0.1) }, [], lossCfg({}))).toThrow(/at least one batch, got none/);
    G.dispose();
    D.dispose();
  });
});
