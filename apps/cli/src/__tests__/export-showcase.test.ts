import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { decode } from 'fast-png';
import { toFloat16Bits } from '../float16';
import { ROOT, runCli } from './run-cli';

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
    // A resumed run takes a new iteration budget (written into its run.json), not a new batch size.
    const more = await runCli(['train', '--resume', run, '--iterations', '3', '--checkpoint-every', '1'], 180_000);
    expect([more.code, more.out]).toEqual([0, expect.stringMatching(/trained to iteration 3 /)]);
    expect(JSON.parse(readFileSync(path.join(run, 'run.json'), 'utf8')).schedule).toMatchObject({ maxIterations: 3, checkpointEvery: 1 });
    const refused = await runCli(['train', '--resume', run, '--batch-size', '2'], 60_000);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/--batch-size would change what the run trains/);
  }, 400_000);

  it('showcase without any model is a user error', async () => {
    const r = await runCli(['showcase', '--model', path.join(tmpdir(), 'no-such-model')], 60_000);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no-such-model/);
  });
});
