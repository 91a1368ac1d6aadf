import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { decode } from 'fast-png';
import { SpadeGenerator, presetLabelSpec } from '@clade/spade-gen';
import { toFloat16Bits } from '@clade/runtime';
import { saveGeneratorDir } from '@clade/runtime/node';
import { ROOT, runAll, runCli } from './run-cli';

describe('float16 weights', () => {
  it('rounds like IEEE half precision', () => {
    expect([1, -2, 65504, 1e6, 0, 1e-8, 5.960464477539063e-8, 0.1].map(toFloat16Bits)).toEqual([
      0x3c00, 0xc000, 0x7bff, 0x7c00, 0, 0, 1, 0x2e66,
    ]);
  });
});

describe('clade train → export → showcase', () => {
  it('a trained run exports (float16) and runs on the bundled masks, writing a sheet; --resume takes a new budget', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'clade-showcase-'));
    const run = path.join(dir, 'run');
    const model = path.join(dir, 'model');
    const t = await runCli(['train', '--config', path.join(ROOT, 'examples/train-tiny.json'), '--out', run, '--iterations', '2'], 180_000);
    expect(t.code).toBe(0);
    const e = await runCli(['export', run, model, '--float16', '--crop-size', '64'], 60_000);
    expect(e.code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(model, 'model.json'), 'utf8')).weightsManifest[0].weights[0].quantization).toEqual({ dtype: 'float16' });
    const s = await runCli(['showcase', '--model', model, '--out', path.join(dir, 'sheet'), '--json'], 120_000);
    expect(s.code).toBe(0);
    const summary = JSON.parse(s.out);
    const png = decode(readFileSync(summary.sheet));
    expect(png.width).toBe(2 * 64 + 3 * 4); // mask | clade, 4-px gutters
    expect(existsSync(path.join(dir, 'sheet', 'scene-1.clade.png'))).toBe(true);
    // Exporting over an existing model needs --force: exit 2, one line.
    const again = await runCli(['export', run, model], 60_000);
    expect(again.code).toBe(2);
    expect(again.err.trim().split('\n')).toHaveLength(1);
    // --from best needs a run that evaluated.
    const best = await runCli(['export', run, path.join(dir, 'best'), '--from', 'best'], 60_000);
    expect([best.code, best.err.trim()]).toEqual([
      2,
      expect.stringMatching(/^clade: export: '.*run' has no checkpoints\/best\.npz; a run keeps one only when it evaluates/),
    ]);
    // A resumed run takes a new iteration budget (written into its run.json), not a new batch size.
    const more = await runCli(['train', '--resume', run, '--iterations', '3', '--checkpoint-every', '1'], 180_000);
    expect([more.code, more.out]).toEqual([0, expect.stringMatching(/trained to iteration 3 /)]);
    expect(JSON.parse(readFileSync(path.join(run, 'run.json'), 'utf8')).schedule).toMatchObject({ maxIterations: 3, checkpointEvery: 1 });
    const refused = await runCli(['train', '--resume', run, '--batch-size', '2'], 60_000);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/--batch-size would change what the run trains/);
  }, 400_000);

  it('showcase draws a VAE model\'s style z from --seed: same seed, same sheet; another seed, another image', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'clade-showcase-vae-'));
    const model = path.join(dir, 'vae');
    // initGain 1: at the official 0.02 an untrained net's z barely reaches the image.
    const g = new SpadeGenerator({ labelNc: 150, containDontcare: true, normMode: 'clade', ngf: 4, cropSize: 64, useVae: true, initGain: 1, initSeed: 3 });
    await saveGeneratorDir(
      model,
      { preset: 'ade20k', config: g.config, label: presetLabelSpec(g.config), model: g.model, source: 'test' },
      { file: 'random-init', sha256: '' },
    );
    g.dispose();
    const out = (n: string) => path.join(dir, n);
    const runs = await runAll(
      [
        ['showcase', '--model', model, '--out', out('a')],
        ['showcase', '--model', model, '--out', out('b')],
        ['showcase', '--model', model, '--out', out('c'), '--seed', '1'],
        ['showcase', '--model', model, '--out', out('x'), '--seed', 'one'],
      ],
      { timeoutMs: 120_000 },
    );
    for (const r of runs.slice(0, 3)) expect([r!.code, r!.err]).toEqual([0, expect.anything()]);
    const img = (d: string) => Buffer.from(decode(readFileSync(path.join(out(d), 'scene-1.clade.png'))).data as Uint8Array);
    expect(Buffer.compare(img('a'), img('b'))).toBe(0);
    expect(Buffer.compare(img('a'), img('c'))).not.toBe(0);
    expect([runs[3]!.code, runs[3]!.err.trim()]).toEqual([2, "clade: showcase: --seed must be an integer, got 'one'."]);
  }, 300_000);

  it('showcase without any model is a user error', async () => {
    const r = await runCli(['showcase', '--model', path.join(tmpdir(), 'no-such-model')], 60_000);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no-such-model/);
  });
});
