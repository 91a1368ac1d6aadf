import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describeWithShared, sharedPath } from '@clade/test-utils';
import { loadCheckpoint, readCheckpointState, train, type RunConfigInput } from '../index';
import { useWasmTraining } from './helpers/wasm-training';

// Tiny runs on the three real ADE20K samples (ngf 4, 64², ndf 8), on wasm with our training kernels.
const DATA = 'data/ade20k_sceneparsing';
const config = (maxIterations: number, checkpointEvery = 2, useVae = false): RunConfigInput => ({
  generator: { labelNc: 150, containDontcare: true, normMode: 'clade', ngf: 4, cropSize: 64, useVae, zDim: 16 },
  discriminator: { ndf: 8 },
  data: { dataset: 'ade20k', root: sharedPath(DATA), phase: 'val', batchSize: 1, loadSize: 72 },
  schedule: { maxIterations, checkpointEvery },
  seed: 7,
});

describeWithShared('training loop', [`${DATA}/objectInfo150.txt`], () => {
  useWasmTraining();

  it('leaks no tensors across iterations', async () => {
    const counts: string[] = [];
    const dataIds = () => (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
    await train({
      out: mkdtempSync(path.join(tmpdir(), 'clade-leak-')),
      config: config(8, 100),
      onIteration: () => counts.push(`${tf.memory().numTensors} tensors, ${dataIds()} wasm buffers`),
    });
    expect(counts.slice(2)).toEqual(counts.slice(2).map(() => counts[2]));
  });

  it.each([
    ['GAN', false],
    ['VAE (encoder, KLD, seeded reparameterization noise)', true],
  ])('%s: resume continues exactly: 4 iterations = 2 + resume + 2 (weights, optimizer moments, counters)', async (_, vae) => {
    const straight = mkdtempSync(path.join(tmpdir(), 'clade-a-'));
    const split = mkdtempSync(path.join(tmpdir(), 'clade-b-'));
    await train({ out: straight, config: config(4, 2, vae) });
    await train({ out: split, config: config(2, 2, vae) });
    // The resumed run reads run.json; raise its iteration budget as a user would edit it.
    const runJson = path.join(split, 'run.json');
    const run = JSON.parse(readFileSync(runJson, 'utf8'));
    run.schedule.maxIterations = 4;
    writeFileSync(runJson, JSON.stringify(run));
    await train({ out: split, resume: true });
    const a = await readCheckpointState(path.join(straight, 'checkpoints/latest.npz'));
    const b = await readCheckpointState(path.join(split, 'checkpoints/latest.npz'));
    expect(b).toEqual(a);
    const bytes = (dir: string) => readFileSync(path.join(dir, 'checkpoints/latest.npz'));
    // Same weights and moments: compare every array (the metadata holds a timestamp).
    const { readNpz } = await import('@clade/core');
    const A = readNpz(new Uint8Array(bytes(straight)));
    const B = readNpz(new Uint8Array(bytes(split)));
    // A VAE run checkpoints the encoder too.
    expect([...A.keys()].some((k) => k.startsWith('E/'))).toBe(vae);
    const differing = [...A.keys()].filter(
      (k) =>
        k !== '__meta__' &&
        Buffer.compare(Buffer.from((A.get(k)!.data as Float32Array).buffer), Buffer.from((B.get(k)!.data as Float32Array).buffer)) !== 0,
    );
    expect(differing).toEqual([]);
    const logLines = readFileSync(path.join(split, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(logLines.map((l) => l.iter)).toEqual([1, 2, 3, 4]);
    expect(logLines.every((l) => (l.KLD !== undefined) === vae && (!vae || l.KLD > 0))).toBe(true);
    void loadCheckpoint;
  });
});
