import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { torchKeyOf } from '@clade/core';
import { expectNoLeaks, maxAbsDiff, reloadLayersModel, useBackend } from '@clade/test-utils';
import { ConvEncoder, encoderCost, encoderFinalSize, encoderWidths, reparameterize, resolveEncoderConfig } from '../index';

// Building the full-size encoder (10.5M weights) takes ~25 s on the cpu backend (tfjs' JS
// Gaussian RNG), so full-size facts are checked on the cost model, and tiny built models
// against that cost model. Every input is resized to 256² first, which costs ~1 s per forward
// on the cpu backend, so this file runs on wasm (parity-d-e.test.ts checks the numerics on cpu).
useBackend(async () => (await import('@clade/backend')).initBackend({ backend: 'wasm' }));

const tiny = { ngf: 2, zDim: 8 };
const image = (n = 1, h = 256, w = 256) => tf.randomUniform([n, h, w, 3], -1, 1, 'float32', 3) as tf.Tensor4D;

describe('ConvEncoder', () => {
  it('official encoder: 10,463,424 parameters and the state-dict shapes of REFERENCE §15.2', () => {
    expect(encoderCost().params).toBe(10_463_424);
    const c = resolveEncoderConfig();
    const w = encoderWidths(c);
    expect(w).toEqual([3, 64, 128, 256, 512, 512, 512]);
    // weight_v = I·3·3: 27, 576, 1152, 2304, 4608, 4608.
    expect(w.slice(0, -1).map((i) => i * 9)).toEqual([27, 576, 1152, 2304, 4608, 4608]);
    expect(w[w.length - 1]! * encoderFinalSize(c) ** 2).toBe(8192); // fc_mu / fc_var input
  });

  it('a built encoder has exactly the official keys and shapes, and the cost model\'s parameter count', () => {
    const e = new ConvEncoder(tiny);
    const torchShape = (s: number[]) => (s.length === 4 ? [s[3], s[2], s[0], s[1]] : s.length === 2 ? [s[1], s[0]] : s);
    const got = e.model.weights.map((v) => [torchKeyOf(v.originalName), torchShape(v.shape as number[])]);
    const widths = [3, 2, 4, 8, 16, 16, 16];
    const expected: unknown[] = [];
    for (let k = 1; k <= 6; k++) {
      expected.push(
        [`layer${k}.0.weight_orig`, [widths[k], widths[k - 1], 3, 3]],
        [`layer${k}.0.weight_u`, [widths[k]]],
        [`layer${k}.0.weight_v`, [widths[k - 1]! * 9]],
      );
    }
    expected.push(['fc_mu.weight', [8, 256]], ['fc_mu.bias', [8]], ['fc_var.weight', [8, 256]], ['fc_var.bias', [8]]);
    const sortByKey = (a: unknown[]) => [...(a as Array<[string, unknown]>)].sort((x, y) => (x[0] < y[0] ? -1 : 1));
    expect(sortByKey(got)).toEqual(sortByKey(expected));
    expect(e.countParams()).toBe(encoderCost(tiny).params);
    e.dispose();
  });

  it('below crop 256 there is no layer6, and the Linear takes the 8×8 map (the official code would fail here)', () => {
    const c = resolveEncoderConfig({ ...tiny, cropSize: 128 });
    expect(encoderWidths(c)).toHaveLength(6);
    expect(encoderFinalSize(c)).toBe(8);
    const e = new ConvEncoder({ ...tiny, cropSize: 128 });
    expect(e.model.weights.some((v) => v.originalName.startsWith('layer6'))).toBe(false);
    expect(e.countParams()).toBe(encoderCost({ ...tiny, cropSize: 128 }).params);
    e.dispose();
  });

  it('outputs mu, logvar [N, zDim] for any input size; a 256² input is not resampled', () => {
    const e = new ConvEncoder(tiny);
    const x = image(2, 256, 256);
    const { mu, logvar } = e.apply(x);
    expect(mu.shape).toEqual([2, 8]);
    expect(logvar.shape).toEqual([2, 8]);
    const resize = tfl.model({ inputs: e.model.inputs, outputs: e.model.getLayer('resize').output as tfl.SymbolicTensor });
    const same = resize.predict(x) as tf.Tensor;
    expect(maxAbsDiff(same, x)).toBe(0);
    const odd = image(1, 40, 72);
    const r = e.apply(odd);
    expect(r.mu.shape).toEqual([1, 8]);
    tf.dispose([x, mu, logvar, same, odd, r.mu, r.logvar]);
    e.dispose();
  });

  it('flattens in NCHW order: fc input index c·s² + h·s + w holds pixel (h, w), channel c', () => {
    const e = new ConvEncoder(tiny);
    const inner = tfl.model({
      inputs: e.model.inputs,
      outputs: [e.model.getLayer('actvn').output as tfl.SymbolicTensor, e.model.getLayer('flatten').output as tfl.SymbolicTensor],
    });
    const x = image(1, 256, 256);
    const [act, flat] = inner.predict(x) as [tf.Tensor4D, tf.Tensor2D];
    expect(act.shape).toEqual([1, 4, 4, 16]);
    const a = act.arraySync()[0]!;
    const expected: number[] = [];
    for (let c = 0; c < 16; c++) for (let h = 0; h < 4; h++) for (let w = 0; w < 4; w++) expected.push(a[h]![w]![c]!);
    expect(maxAbsDiff(flat, expected)).toBe(0);
    tf.dispose([x, act, flat]);
    e.dispose();
  });

  it('reparameterize: z = mu + eps·exp(logvar/2); encode() with a given eps is deterministic', () => {
    const mu = tf.tensor2d([[0, 1], [2, -1]]);
    const logvar = tf.tensor2d([[0, 2], [-2, 0]]);
    const eps = tf.tensor2d([[1, 1], [-1, 0.5]]);
    const z = reparameterize(mu, logvar, eps);
    expect(maxAbsDiff(z, [1, 1 + Math.E, 2 - Math.exp(-1), -0.5])).toBeLessThan(1e-6);
    const sampled = reparameterize(mu, logvar);
    expect(sampled.shape).toEqual([2, 2]);
    expect(() => reparameterize(mu, tf.zeros([2, 3]) as tf.Tensor2D)).toThrow(/mu and logvar must be \[N,zDim\] of the same shape, got \[2,2\] and \[2,3\]/);
    const e = new ConvEncoder(tiny);
    const x = image(1, 64, 64);
    const e8 = tf.randomNormal([1, 8], 0, 1, 'float32', 4) as tf.Tensor2D;
    const out = e.encode(x, false, e8);
    const ref = reparameterize(out.mu, out.logvar, e8);
    expect(maxAbsDiff(out.z, ref)).toBe(0);
    tf.dispose([mu, logvar, eps, z, sampled, x, e8, out.mu, out.logvar, out.z, ref]);
    e.dispose();
  });

  it('saves and loads in the tfjs format with equal outputs', async () => {
    const e = new ConvEncoder(tiny);
    const loaded = await reloadLayersModel(e.model);
    const x = image(1, 48, 64);
    const { mu, logvar } = e.apply(x);
    const [mu2, logvar2] = loaded.predict(x) as tf.Tensor[];
    expect(Math.max(maxAbsDiff(mu, mu2!), maxAbsDiff(logvar, logvar2!))).toBeLessThan(1e-6);
    tf.dispose([x, mu, logvar, mu2!, logvar2!]);
    loaded.layers.forEach((l) => l.dispose());
    e.dispose();
  });

  it('leaks no tensors, in eval and training mode', async () => {
    const e = new ConvEncoder(tiny);
    const x = image(1, 32, 32);
    await expectNoLeaks(() => e.apply(x));
    await expectNoLeaks(() => e.encode(x, true));
    x.dispose();
    e.dispose();
  });

  it('clear errors for wrong input channels and bad config', () => {
    const e = new ConvEncoder(tiny);
    const gray = tf.zeros([1, 32, 32, 1]) as tf.Tensor4D;
    expect(() => e.apply(gray)).toThrow(/ConvEncoder: image must be \[N,H,W,3\] \(RGB in \[-1,1\]\), got \[1,32,32,1\]/);
    const flat = tf.zeros([32, 32, 3]);
    expect(() => e.apply(flat as tf.Tensor4D)).toThrow(/image must be \[N,H,W,3\].*got \[32,32,3\]/);
    expect(() => resolveEncoderConfig({ ngf: 0 })).toThrow(/ngf must be a positive integer, got 0/);
    expect(() => resolveEncoderConfig({ initGain: -1 })).toThrow(/initGain must be > 0, got -1/);
    tf.dispose([gray, flat]);
    e.dispose();
  });
});

describe('ConvEncoder gradients', () => {
  it('every trainable weight gets a non-zero gradient through a KLD + reparameterized loss', () => {
    const e = new ConvEncoder(tiny);
    const x = image(2, 64, 96);
    const eps = tf.randomNormal([2, 8], 0, 1, 'float32', 8) as tf.Tensor2D;
    const probe = tf.randomNormal([2, 8], 0, 1, 'float32', 9);
    const vars = e.model.trainableWeights.map((w) => w.read() as tf.Variable);
    expect(vars).toHaveLength(6 + 4);
    const { value, grads } = tf.variableGrads(() => {
      const { mu, logvar, z } = e.encode(x, true, eps);
      // KLD (REFERENCE §10, summed) + a probe on z, so mu and logvar both matter.
      const kld = tf.mul(-0.5, tf.sum(tf.sub(tf.add(1, logvar), tf.add(tf.square(mu), tf.exp(logvar)))));
      return tf.add(kld, tf.sum(tf.mul(z, probe))) as tf.Scalar;
    }, vars);
    const zero = vars.filter((v) => tf.tidy(() => tf.sum(tf.abs(grads[v.name]!)).dataSync()[0]) === 0).map((v) => v.name);
    expect(zero).toEqual([]);
    tf.dispose([x, eps, probe, value, ...Object.values(grads)]);
    e.dispose();
  });
});
