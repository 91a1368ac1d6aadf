import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  loadTorchCheckpointFile, readNpz, torchKeyOf, torchStateDictOf, torchToTfjs, torchTransformOf, writeTorchCheckpoint, type NdArray,
} from '@clade/core';
import { MultiscaleDiscriminator, SpadeGenerator, type OfficialNetwork } from '@clade/spade-gen';
import { describeWithShared, sharedPath } from '@clade/test-utils';
import { train, type RunConfigInput } from '../index';
import { useWasmTraining } from './helpers/wasm-training';

// Fine-tuning from the official p1 COCO-Stuff generator (CLADE, labelNc 182 + dontcare, instance
// edges, ngf 4, crop 64) on the shared COCO-Stuff train samples, one iteration, on wasm.
const P1_G = 'fixtures/p1_coco_generator/clade_G.pth';
const COCO = 'data/coco_stuff';
const G_CFG = { labelNc: 182, containDontcare: true, useInstance: true, normMode: 'clade' as const, ngf: 4, cropSize: 64 };
const D_CFG = { ndf: 4 };


/** max |checkpoint − reference| over a net's trainable weights (tfjs layout). */
function maxStep(ckpt: Map<string, NdArray>, prefix: string, net: OfficialNetwork, reference: Map<string, NdArray>): number {
  let worst = 0;
  for (const w of net.model.trainableWeights) {
    const ref = reference.get(torchKeyOf(w.originalName))!;
    const want = torchToTfjs(ref, torchTransformOf(w.originalName, w.shape.length));
    const got = ckpt.get(`${prefix}/${w.originalName}`)!;
    const d = want.dataSync();
    for (let i = 0; i < d.length; i++) worst = Math.max(worst, Math.abs((got.data as Float32Array)[i]! - d[i]!));
    want.dispose();
  }
  return worst;
}

describeWithShared('fine-tuning from official checkpoints', [P1_G, `${COCO}/train_label/000000017914.png`], () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'clade-finetune-'));
  const config = (over: Partial<RunConfigInput> = {}): RunConfigInput => ({
    generator: { ...G_CFG, init: sharedPath(P1_G) },
    discriminator: { ...D_CFG },
    data: { dataset: 'coco', root: sharedPath(COCO), phase: 'train', batchSize: 1, loadSize: 72 },
    loss: { lambdaVgg: 0 },
    schedule: { maxIterations: 1, checkpointEvery: 100, imageEvery: 0 },
    seed: 2,
    ...over,
  });

  useWasmTraining();

  it('a new run starts from the official G (and a D state dict): one iteration moves each weight by at most lr', async () => {
    // A D state dict in the official layout, from a D with its own seed (no official D fixture exists).
    const dSource = new MultiscaleDiscriminator({ ...D_CFG, labelNc: 182, containDontcare: true, useInstance: true, initSeed: 77 });
    const dState = torchStateDictOf(dSource.model);
    dSource.dispose();
    const dFile = path.join(tmp, 'latest_net_D.pth');
    writeFileSync(dFile, writeTorchCheckpoint(dState));

    const out = mkdtempSync(path.join(tmp, 'run-'));
    const notes: string[] = [];
    await train({ out, config: config({ init: { discriminator: dFile } }), log: (l) => notes.push(l) });
    expect(notes).toEqual(expect.arrayContaining([`generator initialised from ${sharedPath(P1_G)}`, `discriminator initialised from ${dFile}`]));
    const run = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8'));
    expect(run.init).toEqual({ generator: sharedPath(P1_G), discriminator: dFile, encoder: null, partial: false });
    expect(run.generator.init).toBeUndefined(); // the network config holds network fields only

    // One TTUR Adam step (β1 = 0) moves every weight by at most lr: |Δ| ≤ 1e-4 for G, 4e-4 for D.
    // A fresh init would be O(0.1) away, so the run really started from the given weights.
    const ckpt = readNpz(new Uint8Array(readFileSync(path.join(out, 'checkpoints/latest.npz'))));
    const G = new SpadeGenerator(G_CFG);
    const D = new MultiscaleDiscriminator({ ...D_CFG, labelNc: 182, containDontcare: true, useInstance: true });
    const gStep = maxStep(ckpt, 'G', G, await loadTorchCheckpointFile(sharedPath(P1_G)));
    const dStep = maxStep(ckpt, 'D', D, dState);
    G.dispose();
    D.dispose();
    // Measured: 1.00017e-4 and 3.99999e-4 (float32 rounding of O(1) weights adds ~1e-7).
    expect(gStep).toBeGreaterThan(0.9e-4);
    expect(gStep).toBeLessThan(1e-4 + 1e-6);
    expect(dStep).toBeGreaterThan(0.9 * 4e-4);
    expect(dStep).toBeLessThan(4e-4 + 1e-6);
  });

  it('a state dict that does not fit the config is one IOError listing the keys', async () => {
    const out = mkdtempSync(path.join(tmp, 'bad-'));
    await expect(train({ out, config: config({ generator: { ...G_CFG, ngf: 8, init: sharedPath(P1_G) } }) })).rejects.toThrow(
      /clade_G\.pth' does not fit layer 'netG'.*mis-shaped keys: .*fc\.weight \[64,184,3,3\] \(expected \[128,184,3,3\]\)/,
    );
  });
});
