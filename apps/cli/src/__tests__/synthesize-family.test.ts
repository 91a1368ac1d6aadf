import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readNpy } from '@clade/core';
import { describeWithShared, maxAbsDiff, sharedPath } from '@clade/test-utils';
import { decode, encode } from 'fast-png';
import { ROOT, expectUserError, runAll } from './run-cli';

// `clade synthesize --model sean|groupdnet` end to end on tiny untrained configs (--random-init):
// the real CelebAMask-HQ samples as masks and style photos, a synthetic 8-class DeepFashion mask.
const CELEBA = 'data/celebamask_hq';

describeWithShared('clade synthesize --model sean / groupdnet', [`${CELEBA}/1.jpg`], () => {
  it('writes SEAN images from a style photo, and GroupDNet images whose --resample-class redraws one class latent', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'clade-family-'));
    const mask = new Uint8Array(64 * 64).map((_, i) => Math.floor((i % 64) / 8));
    writeFileSync(path.join(dir, 'df.png'), encode({ width: 64, height: 64, data: mask, channels: 1, depth: 8 }));
    const out = (n: string) => path.join(dir, n);
    const tiny = ['--random-init', '--ngf', '8', '--crop-size', '64'];
    const df = ['synthesize', '--model', 'groupdnet', '--preset', 'deepfashion', ...tiny, '--label', out('df.png'), '--seed', '3'];
    const sean = ['synthesize', '--model', 'sean-clade', '--preset', 'celebamask-hq', ...tiny, '--init-gain', '1', '--label', sharedPath(`${CELEBA}/0.png`),
      '--style', sharedPath(`${CELEBA}/1.jpg`), '--style-label', sharedPath(`${CELEBA}/1.png`)];
    const styleB = ['--style-b', sharedPath(`${CELEBA}/2.jpg`), '--style-b-label', sharedPath(`${CELEBA}/2.png`)];
    const runs = await runAll([
      [...sean, '--out', out('sean.png'), '--out-npy', out('sean.npy')],
      [...df, '--out', out('a.png')],
      [...df, '--out', out('b.png')],
      [...df, '--resample-class', '2', '--out', out('c.png')],
      ['synthesize', '--model', 'sean', '--preset', 'celebamask-hq', ...tiny, '--label', sharedPath(`${CELEBA}/0.png`), '--out', out('x.png')],
      [...df, '--resample-class', '9', '--out', out('x.png')],
      ['synthesize', '--model', 'groupdnet', '--preset', 'deepfashion', '--label', out('df.png'), '--out', out('x.png')],
      ['synthesize', '--model', 'groupdnet', '--preset', 'deepfashion', ...tiny, '--label', sharedPath(`${CELEBA}/0.png`), '--out', out('x.png')],
      [...sean, ...styleB, '--mix', '0', '--out', out('mix0.png'), '--out-npy', out('mix0.npy')],
      [...sean, ...styleB, '--mix', '1', '--out', out('mix1.png'), '--out-npy', out('mix1.npy')],
      [...sean, ...styleB, '--transfer-classes', '0,99', '--out', out('x.png')],
      [...df, '--engine', 'onnx', '--out', out('a-onnx.png')],
      [...df, '--dist-map', out('d.npy'), '--vae', '--out', out('x.png')],
    ], { timeoutMs: 240_000 });
    for (const r of runs.slice(0, 4)) expect([r!.code, r!.err]).toEqual([0, expect.anything()]);
    const png = (n: string) => decode(readFileSync(out(n)));
    expect([png('sean.png').width, png('sean.png').height]).toEqual([64, 64]);
    const [a, b, c] = ['a.png', 'b.png', 'c.png'].map((n) => png(n).data as Uint8Array);
    expect(Buffer.compare(Buffer.from(a!), Buffer.from(b!))).toBe(0); // same seed, same image
    let changed = 0;
    for (let i = 0; i < a!.length; i++) if (a![i] !== c![i]) changed++;
    expect(changed).toBeGreaterThan(0);
    expectUserError(runs[4]!, /--model sean takes its region styles from a photo: pass --style <image>/);
    expectUserError(runs[5]!, /--resample-class must be a class id in 0\.\.7, got '9'/);
    expectUserError(runs[6]!, /give --checkpoint <official latest_net_G\.pth> or --random-init/);
    expectUserError(runs[7]!, /--label '.*0\.png' holds class id \d+; this model has ids 0\.\.7/);
    // Style interpolation: t = 0 is --style exactly (noise seeded), t = 1 another picture.
    for (const r of runs.slice(8, 10)) expect([r!.code, r!.err]).toEqual([0, expect.anything()]);
    // Raw outputs (init gain 1: at the official 0.02 an untrained net's style effect vanishes in float32).
    const npy = (n: string) => readNpy(new Uint8Array(readFileSync(out(n))), n).data as Float32Array;
    expect(maxAbsDiff(npy('mix0.npy'), npy('sean.npy'))).toBe(0);
    expect(maxAbsDiff(npy('mix1.npy'), npy('sean.npy'))).toBeGreaterThan(0);
    expectUserError(runs[10]!, /--transfer-classes must be class ids in 0\.\.18, comma-separated, got '0,99'/);
    // onnxruntime: the same latent and quantiser, the same image within a byte of rounding.
    expect(runs[11]!.code).toBe(0);
    expect(maxAbsDiff(Float32Array.from(png('a-onnx.png').data), Float32Array.from(a!))).toBeLessThanOrEqual(1);
    // Another family's flags are refused, not dropped.
    expectUserError(runs[12]!, /--dist-map, --vae: not read by --model groupdnet; drop them/);
  }, 400_000);
});

// `clade train` on the example SEAN-CLADE and GroupDNet-CLADE configs (synthetic scenes, no shared
// data), then `clade synthesize` from the run folders.
describe('clade train --model sean / groupdnet, then synthesize from the run', () => {
  it('trains both families and synthesizes from their runs; mismatched flags are one clear line', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'clade-family-run-'));
    const run = (n: string) => path.join(dir, n);
    const trained = await runAll([
      ['train', '--config', path.join(ROOT, 'examples/train-sean-tiny.json'), '--out', run('sean'), '--iterations', '2'],
      ['train', '--config', path.join(ROOT, 'examples/train-groupdnet-tiny.json'), '--out', run('gd'), '--iterations', '2'],
    ], { timeoutMs: 300_000 });
    for (const r of trained) expect([r!.code, r!.err]).toEqual([0, expect.anything()]);
    const synth = path.join(ROOT, '.clade-cache/synth-64');
    const label = path.join(synth, 'annotations/training/SYNTH_train_00000001.png');
    const style = [
      '--style',
      path.join(synth, 'images/training/SYNTH_train_00000002.jpg'),
      '--style-label',
      path.join(synth, 'annotations/training/SYNTH_train_00000002.png'),
    ];
    const runs = await runAll([
      ['synthesize', '--model', 'sean-clade', '--checkpoint', run('sean'), '--label', label, ...style, '--out', run('sean.png')],
      ['synthesize', '--model', 'groupdnet-clade', '--checkpoint', path.join(run('gd'), 'checkpoints/latest.npz'), '--label', label, '--out', run('gd.png')],
      ['synthesize', '--model', 'sean', '--checkpoint', run('sean'), '--label', label, ...style, '--out', run('x.png')],
      ['synthesize', '--model', 'groupdnet-clade', '--checkpoint', run('gd'), '--preset', 'deepfashion', '--label', label, '--out', run('x.png')],
      ['export', run('sean'), run('model')],
      // A new run started from this one: G, D and the grouped encoder E from its checkpoint.
      ['train', '--config', path.join(ROOT, 'examples/train-groupdnet-tiny.json'), '--out', run('gd-ft'), '--iterations', '1',
        ...['--init-g', '--init-d', '--init-e'].flatMap((f) => [f, path.join(run('gd'), 'checkpoints/latest.npz')])],
      ['train', '--config', path.join(ROOT, 'examples/train-tiny.json'), '--out', run('x'), '--init-e', path.join(run('gd'), 'checkpoints/latest.npz')],
    ], { timeoutMs: 240_000 });
    for (const r of runs.slice(0, 2)) expect([r!.code, r!.err]).toEqual([0, expect.anything()]);
    for (const f of ['sean.png', 'gd.png']) expect([decode(readFileSync(run(f))).width, decode(readFileSync(run(f))).height]).toEqual([64, 64]);
    expectUserError(runs[2]!, /is a sean-clade run; pass --model sean-clade, got --model sean\./);
    expectUserError(runs[3]!, /--preset does not apply to a trained run: its run\.json fixes the architecture/);
    expectUserError(runs[4]!, /trains a sean-clade generator; model folders hold SPADE\/CLADE generators/);
    expect([runs[5]!.code, runs[5]!.err]).toEqual([0, expect.anything()]);
    for (const net of ['generator', 'discriminator', 'encoder'])
      expect(runs[5]!.out + runs[5]!.err).toMatch(new RegExp(`${net} initialised from .*latest\\.npz: \\d+ weights\\n`));
    expectUserError(runs[6]!, /init.encoder is given but this run has no encoder \(model 'spade' without generator.useVae\)/);
  }, 600_000);
});
