import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { saveGeneratorDir } from '@clade/runtime/node';
import { SpadeGenerator, presetLabelSpec } from '@clade/spade-gen';
import { initFromCheckpoint, initFromModelFolder, resolveRunConfig, saveCheckpoint } from '../index';

// Starting a new run from another run's checkpoint: here a VAE generator from a non-VAE run, whose
// first layer differs (a conv of the segmap there, a linear layer of z here). Tiny nets, cpu.
const G_CFG = { labelNc: 3, normMode: 'clade' as const, ngf: 4, cropSize: 64 };
const STATE = { iteration: 7, epoch: 1, batchInEpoch: 7, seed: 0, best: null };

describe('initFromCheckpoint (init.generator / init.discriminator as a run checkpoint)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'clade-ckpt-init-'));
  const file = path.join(dir, 'latest.npz');

  it('strict by default, by name and shape with partial: the rest keeps its fresh init', async () => {
    const source = new SpadeGenerator({ ...G_CFG, initSeed: 1 });
    await saveCheckpoint(file, { models: { G: source.model }, optimizers: {} }, STATE);

    // Same config: every weight loads, strictly.
    const same = new SpadeGenerator({ ...G_CFG, initSeed: 2 });
    expect(await initFromCheckpoint(file, 'G', same.model, false)).toEqual({ loaded: source.model.weights.length, kept: [] });
    same.model.weights.forEach((w, i) => expect(tf.equal(w.read(), source.model.weights[i]!.read()).all().dataSync()[0]).toBe(1));

    const vae = new SpadeGenerator({ ...G_CFG, useVae: true, initSeed: 2 });
    const before = tf.memory().numTensors;
    await expect(initFromCheckpoint(file, 'G', vae.model, false)).rejects.toThrow(
      new RegExp(
        String.raw`init: '.*latest\.npz' does not fit this G: fc/kernel \(not in the file\); ` +
          String.raw`fc/bias \(file \[64\], model \[256\]\)\. Set init\.partial \(--init-partial\)`,
      ),
    );
    const fcBefore = vae.model.weights.find((w) => w.originalName === 'fc/kernel')!.read().dataSync().slice();
    const r = await initFromCheckpoint(file, 'G', vae.model, true);
    expect(tf.memory().numTensors).toBe(before);
    expect(r.kept).toEqual(['fc/kernel (not in the file)', 'fc/bias (file [64], model [256])']);
    expect(r.loaded).toBe(vae.model.weights.length - 2);
    // Loaded weights equal the source's; the VAE's own fc is untouched.
    const src = new Map(source.model.weights.map((w) => [w.originalName, w]));
    for (const w of vae.model.weights) {
      const s = src.get(w.originalName);
      if (w.originalName.startsWith('fc/')) continue;
      expect(tf.equal(w.read(), s!.read()).all().dataSync()[0]).toBe(1);
    }
    expect([...vae.model.weights.find((w) => w.originalName === 'fc/kernel')!.read().dataSync()]).toEqual([...fcBefore]);

    await expect(initFromCheckpoint(file, 'D', vae.model, true)).rejects.toThrow(/holds no D weights \(entries 'D\/…'\)/);
    [source, same, vae].forEach((g) => g.dispose());
  });

  it('a model folder (clade export, float16 weights) starts a generator: every weight as the folder decodes it', async () => {
    const source = new SpadeGenerator({ ...G_CFG, initSeed: 1 });
    const folder = path.join(dir, 'model');
    await saveGeneratorDir(
      folder,
      { preset: 'custom', config: source.config, label: presetLabelSpec(source.config), model: source.model, source: 'test' },
      { file: 'test', sha256: '' },
      { float16: true },
    );
    const fresh = new SpadeGenerator({ ...G_CFG, initSeed: 2 });
    const before = tf.memory().numTensors;
    expect(await initFromModelFolder(folder, fresh.model, false)).toEqual({ loaded: source.model.weights.length, kept: [] });
    expect(tf.memory().numTensors).toBe(before);
    const src = new Map(source.model.weights.map((w) => [w.originalName, w]));
    // float16 keeps 11 significant bits: each weight within 2^-11 (relative) of the source's.
    for (const w of fresh.model.weights) {
      const [got, want] = [w.read().dataSync(), src.get(w.originalName)!.read().dataSync()];
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual(Math.abs(want[i]!) * 2 ** -11 + 1e-7);
    }
    [source, fresh].forEach((g) => g.dispose());
  });

  it('the config takes .pth or .npz paths; partial needs a run checkpoint', () => {
    const base = { generator: { labelNc: 3 }, data: { dataset: 'ade20k' as const, root: 'x' } };
    expect(resolveRunConfig({ ...base, init: { generator: 'run/latest.npz', partial: true } }).init).toEqual({
      generator: 'run/latest.npz',
      discriminator: null,
      encoder: null,
      partial: true,
    });
    expect(() => resolveRunConfig({ ...base, init: { generator: 'g.pth', partial: true } })).toThrow(/init.partial applies to clade run checkpoints \(.npz\)/);
    expect(() => resolveRunConfig({ ...base, init: { discriminator: 'd.ckpt' } })).toThrow(
      /init.discriminator must be a path to an official .pth or a clade run checkpoint .npz, or null, got "d.ckpt"/,
    );
    // A generator may start from a model folder (clade export), partially too.
    expect(resolveRunConfig({ ...base, init: { generator: 'models/default-clade', partial: true } }).init.generator).toBe('models/default-clade');
    expect(() => resolveRunConfig({ ...base, init: { generator: 'g.npz', partial: 'yes' as never } })).toThrow(/init.partial must be true or false, got "yes"/);
    // The encoder's init: only where the run has an encoder (a VAE, or GroupDNet).
    const vae = { ...base, generator: { labelNc: 3, useVae: true } };
    expect(resolveRunConfig({ ...vae, init: { encoder: 'latest_net_E.pth' } }).init.encoder).toBe('latest_net_E.pth');
    expect(resolveRunConfig({ ...vae, init: { encoder: 'run/latest.npz', partial: true } }).init.partial).toBe(true);
    expect(() => resolveRunConfig({ ...base, init: { encoder: 'latest_net_E.pth' } })).toThrow(
      /init.encoder is given but this run has no encoder \(model 'spade' without generator.useVae\); drop init.encoder/,
    );
    expect(() => resolveRunConfig({ ...base, model: 'sean', init: { encoder: 'e.pth' } })).toThrow(/this run has no encoder \(model 'sean'\)/);
  });
});
