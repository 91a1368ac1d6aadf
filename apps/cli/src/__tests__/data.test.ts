import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { listAde20k, loadLabelPng, synthSampleSeed, synthScene } from '@clade/data';
import { parseSize } from '../commands/data';
import { expectUserError, runAll } from './run-cli';

describe('clade data synth', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'clade-cli-synth-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes a dataset the ADE20K layout loads; --json, --help and user errors', async () => {
    const out = path.join(root, 'synth');
    const [table, json, help, badSize] = await runAll([
      ['data', 'synth', '--out', out, '--count', '3', '--size', '64'],
      ['data', 'synth', '--out', path.join(root, 'wide'), '--count', '2', '--size', '48x32', '--seed', '5', '--split', 'val', '--json'],
      ['data', 'synth', '--help'],
      ['data', 'synth', '--out', out, '--size', '64x'],
    ]);
    expect(table!.code).toBe(0);
    expect(table!.out).toMatch(/wrote 3 train samples \(64x64\)/);
    expect(table!.out).toMatch(/\n3\s+sky\s/);
    const listed = await listAde20k(out, { phase: 'train' });
    expect(listed.pairs.map((p) => p.id)).toEqual(['SYNTH_train_00000001', 'SYNTH_train_00000002', 'SYNTH_train_00000003']);
    const label = await loadLabelPng(listed.pairs[0]!.label);
    const scene = synthScene({ seed: synthSampleSeed(0, 'train', 0), width: 64, height: 64 });
    expect(Buffer.from(label.data).equals(Buffer.from(scene.label))).toBe(true);

    expect(json!.code).toBe(0);
    const summary = JSON.parse(json!.out);
    expect(summary).toMatchObject({ split: 'val', seed: 5, count: 2, width: 48, height: 32 });
    expect(summary.samples.map((s: { id: string }) => s.id)).toEqual(['SYNTH_val_00000001', 'SYNTH_val_00000002']);
    expect((await listAde20k(path.join(root, 'wide'), { phase: 'val' })).pairs).toHaveLength(2);

    expect(help!.code).toBe(0);
    expect(help!.out).toMatch(/Examples:/);
    expect(help!.out).toMatch(/--count <n>/);
    expectUserError(badSize!, /--size must be S or WxH .*got '64x'/);
  });
});

describe('parseSize', () => {
  it('reads S and WxH', () => {
    expect(parseSize('256')).toEqual({ width: 256, height: 256 });
    expect(parseSize('320x240')).toEqual({ width: 320, height: 240 });
    expect(() => parseSize('0')).toThrow(/--size/);
  });
});
