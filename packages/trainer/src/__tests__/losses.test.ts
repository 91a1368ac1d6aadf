import * as tf from '@tensorflow/tfjs-core';
import { expectTensorsClose } from '@clade/test-utils';
import { createAdam, featureMatchingLoss, ganLoss, kldLoss, learningRates, resolveRunConfig } from '../index';

const p = (v: number[]) => tf.tensor4d(v, [1, 1, v.length, 1]);

describe('official losses (REFERENCE §10)', () => {
  it('hinge: D real −mean(min(p−1,0)), D fake −mean(min(−p−1,0)), G −mean(p); averaged over scales', () => {
    const scales = [[p([0]), p([2, -1])], [p([9]), p([0.5, -3])]]; // last output of each scale is the logit map
    // real: scale0 mean(min([1,-2],0)) = -1 → 1; scale1 mean(min([-0.5,-4],0)) = -2.25 → 2.25; /2
    expectTensorsClose(ganLoss(scales, 'hinge', 'real'), [(1 + 2.25) / 2], 1e-6);
    // fake: scale0 min([-3, 0],0) mean -1.5 → 1.5; scale1 min([-1.5, 2],0) mean -0.75 → 0.75
    expectTensorsClose(ganLoss(scales, 'hinge', 'fake'), [(1.5 + 0.75) / 2], 1e-6);
    expectTensorsClose(ganLoss(scales, 'hinge', 'generator'), [-(0.5 + -1.25) / 2], 1e-6);
  });

  it('ls and original modes', () => {
    expectTensorsClose(ganLoss([[p([0, 2])]], 'ls', 'real'), [(1 + 1) / 2], 1e-6);
    expectTensorsClose(ganLoss([[p([0])]], 'original', 'fake'), [Math.log(2)], 1e-6);
  });

  it('feature matching: intermediate outputs only, λ/numD', () => {
    const fake = [[p([1, 1]), p([5])], [p([0, 0]), p([7])]];
    const real = [[p([0, 3]), p([0])], [p([1, 1]), p([0])]];
    // scale0 mean|[1,-2]| = 1.5; scale1 mean|[-1,-1]| = 1; (1.5 + 1)·10/2
    expectTensorsClose(featureMatchingLoss(fake, real, 10), [12.5], 1e-5);
  });

  it('KLD is a sum over batch and dims', () => {
    const mu = tf.tensor2d([[1, 0], [0, 0]]);
    const logvar = tf.tensor2d([[0, Math.log(2)], [0, 0]]);
    // −0.5·Σ(1 + lv − mu² − e^lv): [−1, ln2 − 1, 0, 0]
    expectTensorsClose(kldLoss(mu, logvar), [-0.5 * (-1 + Math.log(2) - 1)], 1e-6);
  });
});

describe('run config and schedule', () => {
  const base = { generator: { labelNc: 3 }, data: { dataset: 'ade20k' as const, root: '.' } };
  it('TTUR: lr_G = lr/2, lr_D = 2·lr; linear decay after niter', () => {
    const c = resolveRunConfig({ ...base, optim: { niter: 2, niterDecay: 2 } });
    expect(learningRates(c.optim, 1)).toEqual({ g: 1e-4, d: 4e-4 });
    expect(learningRates(c.optim, 3)).toEqual({ g: 5e-5, d: 2e-4 });
    expect(learningRates(c.optim, 4)).toEqual({ g: 0, d: 0 });
  });
  it("Adam: torch's ε 1e-8 (tfjs' default is 1e-7), betas by TTUR", () => {
    const adam = (ttur: boolean) => {
      const opt = createAdam(resolveRunConfig({ ...base, optim: { ttur } }).optim, 1e-4);
      const config = opt.getConfig();
      opt.dispose();
      return config;
    };
    expect(adam(true)).toEqual({ learningRate: 1e-4, beta1: 0, beta2: 0.9, epsilon: 1e-8 });
    expect(adam(false)).toEqual({ learningRate: 1e-4, beta1: 0.5, beta2: 0.999, epsilon: 1e-8 });
  });
  it('fine-tuning paths: generator.init is short for init.generator; data.accumulate defaults to 1', () => {
    const c = resolveRunConfig({ ...base, generator: { labelNc: 3, init: 'g.pth' }, discriminator: { ndf: 8, init: 'd.pth' } });
    expect(c.init).toEqual({ generator: 'g.pth', discriminator: 'd.pth', encoder: null, partial: false });
    expect('init' in c.generator || 'init' in c.discriminator).toBe(false);
    expect(resolveRunConfig({ ...base, init: { generator: 'g.pth' } }).init).toEqual({
      generator: 'g.pth',
      discriminator: null,
      encoder: null,
      partial: false,
    });
    expect(resolveRunConfig(base).data.accumulate).toBe(1);
    expect(() => resolveRunConfig({ ...base, generator: { labelNc: 3, init: 'a.pth' }, init: { generator: 'b.pth' } })).toThrow(
      /generator.init and init.generator must not differ/,
    );
    expect(() => resolveRunConfig({ ...base, init: { discriminator: 3 as never } })).toThrow(
      /init.discriminator must be a path to an official .pth or a clade run checkpoint .npz, or null, got 3/,
    );
    expect(() => resolveRunConfig({ ...base, data: { ...base.data, accumulate: 0 } })).toThrow(/data.accumulate must be a positive integer, got 0/);
    expect(() => resolveRunConfig({ ...base, loss: { vggWeights: 5 as never } })).toThrow(/loss.vggWeights must be a path/);
  });
  it('bad values name the field', () => {
    expect(() => resolveRunConfig({ ...base, loss: { ganMode: 'wgan' as never } })).toThrow(/loss.ganMode must be one of hinge, ls, original, got 'wgan'/);
    expect(() => resolveRunConfig({ ...base, data: { ...base.data, batchSize: 0 } })).toThrow(/data.batchSize must be a positive integer, got 0/);
    expect(() => resolveRunConfig({ ...base, data: { ...base.data, dataset: 'imagenet' as never } })).toThrow(/data.dataset must be one of/);
  });
});
