import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { decode } from 'fast-png';
import { initBackend } from '@clade/backend';
import { describeWithShared, sharedPath } from '@clade/test-utils';
import { buildTrainable, createEvaluator, loadCheckpoint, resolveRunConfig, type RunConfigInput } from '@clade/trainer';
import { ROOT, runAll } from './run-cli';

const SEGMENTER = 'models/deeplabv3_mnv2_ade20k_513.onnx';

// One seeded latent source and one quantiser: the bundled VAE model gives the same pixels for the
// same mask and --seed through `clade synthesize` and `clade showcase`.
describe('the same --seed through synthesize and showcase', () => {
  it('gives byte-identical images, and another seed another image', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'clade-seed-'));
    const masks = path.join(ROOT, 'examples/masks');
    const label = path.join(masks, 'scene-1.png');
    const model = path.join(ROOT, 'models/default-clade');
    const results = await runAll([
      ['showcase', '--model', model, '--masks', masks, '--seed', '3', '--out', path.join(dir, 'show')],
      ['synthesize', '--checkpoint', model, '--label', label, '--seed', '3', '--out', path.join(dir, 'three.png')],
      ['synthesize', '--checkpoint', model, '--label', label, '--seed', '4', '--out', path.join(dir, 'four.png')],
    ]);
    for (const r of results) expect([r.code, r.err]).toEqual([0, '']);
    const pixels = (f: string) => Buffer.from(decode(readFileSync(path.join(dir, f))).data as Uint8Array);
    expect(pixels('three.png').equals(pixels('show/scene-1.clade.png'))).toBe(true);
    expect(pixels('four.png').equals(pixels('three.png'))).toBe(false);
  });
});

// Trainer evaluation scores the images users get: the same model, label and z give the same PNG
// bytes through the run's evaluator (a VAE draws z from seed 7 there) and `clade synthesize --seed 7`.
describeWithShared('trainer evaluation and clade synthesize', [SEGMENTER], () => {
  it('make byte-identical images of a held-out label', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'clade-eval-identity-'));
    const config = {
      generator: { labelNc: 150, containDontcare: true, normMode: 'clade', ngf: 4, cropSize: 64, useVae: true },
      discriminator: { ndf: 4 },
      data: { dataset: 'ade20k', root: 'data', synthetic: { count: 2, size: 72, seed: 0 }, loadSize: 72, batchSize: 1 },
      loss: { lambdaVgg: 0 },
      schedule: { maxIterations: 2, checkpointEvery: 2, logEvery: 1 },
      seed: 0,
    };
    writeFileSync(path.join(dir, 'run.json'), JSON.stringify(config));
    const run = path.join(dir, 'run');
    const cli = ['--backend', 'wasm', '--threads', '1'];
    const [trained] = await runAll(
      [
        [
          ...cli, 'train', '--config', path.join(dir, 'run.json'), '--out', run, '--miou-every', '2', '--eval-count',
          '1', '--segmenter', sharedPath(SEGMENTER),
        ],
      ],
      { timeoutMs: 240_000 },
    );
    expect([trained!.code, trained!.err]).toEqual([0, expect.any(String)]); // the run writes the synthetic val split it evaluates on
    const [exported] = await runAll([[...cli, 'export', run, path.join(dir, 'model')]]);
    expect(exported!.code).toBe(0);

    await initBackend({ backend: 'wasm', threads: 1 });
    const runConfig = resolveRunConfig(JSON.parse(readFileSync(path.join(run, 'run.json'), 'utf8')) as RunConfigInput);
    const G = buildTrainable(runConfig);
    await loadCheckpoint(path.join(run, 'checkpoints', 'latest.npz'), { models: G.nets, optimizers: {} });
    const evaluator = await createEvaluator({
      config: { metric: 'miou', every: 1, count: 1, inceptionWeights: null, segmenter: sharedPath(SEGMENTER) },
      sample: G.sample,
      dataset: 'ade20k',
      root: path.join(dir, 'data'),
    });
    const held: Array<{ id: string; rgb: Uint8Array }> = [];
    for await (const { sample, rgb } of evaluator.images(G)) held.push({ id: sample.id, rgb });
    evaluator.dispose();
    G.dispose();
    expect(held).toHaveLength(1);

    const label = path.join(dir, 'data', 'annotations', 'validation', `${held[0]!.id}.png`);
    const [synth] = await runAll([
      [
        ...cli, 'synthesize', '--checkpoint', path.join(dir, 'model'), '--label', label, '--seed', '7', '--out',
        path.join(dir, 'seven.png'),
      ],
    ]);
    expect([synth!.code, synth!.err]).toEqual([0, '']);
    const png = decode(readFileSync(path.join(dir, 'seven.png')));
    expect(Buffer.from(png.data as Uint8Array).equals(Buffer.from(held[0]!.rgb))).toBe(true);
  }, 400_000);
});
