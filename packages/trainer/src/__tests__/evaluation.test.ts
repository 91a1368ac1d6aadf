import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { writeFileSync } from 'node:fs';
import { writeTorchCheckpoint, type NdArray } from '@clade/core';
import { fidInceptionStateShapes } from '@clade/metrics';
import { describeWithShared, sharedPath } from '@clade/test-utils';
import { isBetter, readCheckpointState, resolveRunConfig, train, type RunConfigInput } from '../index';
import { useWasmTraining } from './helpers/wasm-training';

const SEGMENTER = 'models/deeplabv3_mnv2_ade20k_513.onnx';

/** A tiny CLADE run on 4 synthetic 64² scenes with evaluation on; returns its log's eval lines. */
async function tinyRunEvals(out: string, maxIterations: number, evaluation: RunConfigInput['eval']) {
  await train({
    out,
    config: {
      generator: { labelNc: 150, containDontcare: true, normMode: 'clade', ngf: 4, cropSize: 64 },
      discriminator: { ndf: 4 },
      data: { dataset: 'ade20k', root: path.join(out, 'synth'), synthetic: { count: 4, size: 64, seed: 3 }, batchSize: 1 },
      loss: { lambdaVgg: 0 },
      schedule: { maxIterations, checkpointEvery: 100, imageEvery: 0 },
      eval: evaluation,
    },
  });
  return readFileSync(path.join(out, 'log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((l) => l.eval);
}

describe('evaluation config and the best-score rule', () => {
  const base: RunConfigInput = { generator: { labelNc: 150 }, data: { dataset: 'ade20k', root: '.' } };
  it('is off by default; FID needs the Inception weights, mIoU the segmenter (one clear error each)', () => {
    expect(resolveRunConfig(base).eval.every).toBe(0);
    expect(() => resolveRunConfig({ ...base, eval: { every: 10 } })).toThrow(
      /eval\.metric 'fid' needs eval\.inceptionWeights: download pytorch-fid's pt_inception-2015-12-05-6726825d\.pth/,
    );
    expect(() => resolveRunConfig({ ...base, eval: { every: 10, metric: 'miou' } })).toThrow(/eval\.metric 'miou' needs eval\.segmenter/);
    expect(() => resolveRunConfig({ ...base, eval: { every: 10, metric: 'psnr' as never } })).toThrow(/eval\.metric must be one of fid, miou, got 'psnr'/);
    expect(() => resolveRunConfig({ ...base, eval: { every: 1.5 } })).toThrow(/eval\.every must be an integer/);
  });
  it('FID improves downwards, mIoU upwards; NaN never counts as better', () => {
    expect(isBetter('fid', 30, { metric: 'fid', value: 40, iteration: 1 })).toBe(true);
    expect(isBetter('fid', 50, { metric: 'fid', value: 40, iteration: 1 })).toBe(false);
    expect(isBetter('miou', 0.3, { metric: 'miou', value: 0.2, iteration: 1 })).toBe(true);
    expect(isBetter('miou', 0.1, { metric: 'miou', value: 0.2, iteration: 1 })).toBe(false);
    expect(isBetter('miou', Number.NaN, null)).toBe(false);
    expect(isBetter('miou', 0, null)).toBe(true);
  });
});

describeWithShared('evaluation during training keeps the best checkpoint', [SEGMENTER], () => {
  useWasmTraining();

  it('scores FID every 2 iterations with Inception weights in pytorch-fid\'s layout (random here: the mechanics, not the value)', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'clade-fid-'));
    // He-scaled random convs, identity batch norms: finite features of a plausible scale.
    const state = new Map<string, NdArray>(
      fidInceptionStateShapes().map(([k, shape]) => {
        const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
        const t = k.endsWith('conv.weight') || k === 'fc.weight'
          ? tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', k.length)
          : tf.fill(shape, k.endsWith('bn.weight') || k.endsWith('running_var') ? 1 : 0);
        const data = t.dataSync() as Float32Array;
        t.dispose();
        return [k, { dtype: 'float32', shape, data }];
      }),
    );
    const weights = path.join(mkdtempSync(path.join(tmpdir(), 'clade-inception-')), 'pt_inception-random.pth');
    writeFileSync(weights, writeTorchCheckpoint(state));
    const evals = await tinyRunEvals(out, 2, { every: 2, metric: 'fid', count: 3, inceptionWeights: weights });
    expect(evals).toHaveLength(1);
    expect(Number.isFinite(evals[0].eval.fid)).toBe(true);
    expect(evals[0].eval.fid).toBeGreaterThan(0);
    expect((await readCheckpointState(path.join(out, 'checkpoints/best.npz'))).best).toEqual({ metric: 'fid', value: evals[0].eval.fid, iteration: 2 });
  }, 400_000);

  it('scores mIoU of the real ADE20K segmenter on held-out synthetic scenes every 2 iterations; best.npz holds the best one', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'clade-eval-'));
    const evals = await tinyRunEvals(out, 4, { every: 2, metric: 'miou', count: 2, segmenter: sharedPath(SEGMENTER) });
    expect(evals.map((l) => l.iter)).toEqual([2, 4]);
    const values = evals.map((l) => l.eval.miou as number);
    for (const v of values) expect(v).toBeGreaterThanOrEqual(0);
    for (const v of values) expect(v).toBeLessThanOrEqual(1);
    const best = Math.max(...values);
    const bestIter = evals[values.indexOf(best)].iter;
    const latest = await readCheckpointState(path.join(out, 'checkpoints/latest.npz'));
    expect(latest.best).toEqual({ metric: 'miou', value: best, iteration: bestIter });
    expect(existsSync(path.join(out, 'checkpoints/best.npz'))).toBe(true);
    const kept = await readCheckpointState(path.join(out, 'checkpoints/best.npz'));
    expect(kept.iteration).toBe(bestIter);
  }, 400_000); // ~30 s on a quiet machine (4 segmenter runs at 513²)
});
