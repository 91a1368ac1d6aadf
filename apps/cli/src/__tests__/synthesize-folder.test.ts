// `clade synthesize --labels <dir> --out <dir>` through the real CLI, on a tiny random-init VAE
// model (so --seed reaches the image) and four small label maps of different sizes.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { encodeLabelPng } from '@clade/data';
import { saveGeneratorDir } from '@clade/runtime/node';
import { SpadeGenerator, presetLabelSpec } from '@clade/spade-gen';
import { folderOptions, spadeOptions } from '../commands/synthesize-options';
import { expectUserError, runAll } from './run-cli';

const LABELS: Array<[name: string, w: number, h: number]> = [['a.png', 64, 64], ['b.png', 96, 80], ['c.png', 128, 128], ['d.png', 64, 96]];

let dir: string;
const p = (...parts: string[]): string => path.join(dir, ...parts);
const png = (...parts: string[]): Buffer => readFileSync(p(...parts));
const pngs = (d: string): string[] => readdirSync(p(d)).sort();

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'clade-synth-folder-'));
  const g = new SpadeGenerator({ labelNc: 150, containDontcare: true, normMode: 'clade', ngf: 4, cropSize: 64, useVae: true, initGain: 1, initSeed: 3 });
  const model = { preset: 'ade20k' as const, config: g.config, label: presetLabelSpec(g.config), model: g.model, source: 'test' };
  await saveGeneratorDir(p('model'), model, { file: 'random-init', sha256: '' });
  g.dispose();
  mkdirSync(p('labels'));
  LABELS.forEach(([name, w, h], k) => {
    // Raw ADE20K ids: two regions split at another column per file.
    const data = new Uint8Array(w * h);
    for (let i = 0; i < w * h; i++) data[i] = i % w < (w * (k + 1)) / 5 ? 3 : 5 + k;
    writeFileSync(p('labels', name), encodeLabelPng(data, w, h));
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('clade synthesize --labels <dir>', () => {
  it('writes every label as --label would, in shards as in one run, on both engines; refuses an --out inside --labels before loading', async () => {
    const base = ['synthesize', '--checkpoint', p('model'), '--seed', '3'];
    const [all, one, s0, s1, onnx, oneOnnx, sameDir] = await runAll([
      [...base, '--labels', p('labels'), '--out', p('all'), '--json'],
      [...base, '--label', p('labels', 'b.png'), '--out', p('one.png')],
      [...base, '--labels', p('labels'), '--out', p('shards'), '--shard', '0/2'],
      [...base, '--labels', p('labels'), '--out', p('shards'), '--shard', '1/2'],
      [...base, '--labels', p('labels'), '--out', p('onnx'), '--engine', 'onnx'],
      [...base, '--label', p('labels', 'c.png'), '--out', p('one-onnx.png'), '--engine', 'onnx'],
      [...base, '--labels', p('labels'), '--out', p('labels', 'out')],
    ]);
    for (const r of [all, one, s0, s1, onnx, oneOnnx]) expect([r!.code, r!.err]).toEqual([0, expect.not.stringMatching(/clade:/)]);
    const summary = JSON.parse(all!.out);
    expect(summary).toMatchObject({ shard: '0/1', folderSize: 4, total: 4, written: 4, skipped: 0, failed: [], aborted: false, seed: 3 });
    // Progress is on stderr (a line per step on a non-terminal), ending at done/total.
    expect(all!.err).toMatch(/synthesize: 4\/4 \(100%\) [\d.]+ img\/s\n$/);
    expect(pngs('all')).toEqual(['a.png', 'b.png', 'c.png', 'd.png']);
    expect(png('all', 'b.png').equals(png('one.png'))).toBe(true);
    expect(png('all', 'a.png').equals(png('all', 'b.png'))).toBe(false);
    expect(s0!.out).toMatch(/\(shard 0\/2 of 4 files\): 2 written/);
    expect(s1!.out).toMatch(/\(shard 1\/2 of 4 files\): 2 written/);
    expect(pngs('shards')).toEqual(pngs('all'));
    for (const f of pngs('all')) expect(png('shards', f).equals(png('all', f))).toBe(true);
    expect(png('onnx', 'c.png').equals(png('one-onnx.png'))).toBe(true);
    expectUserError(sameDir!, /--out '.*out' is inside --labels '.*labels'/);
    expect(existsSync(p('labels', 'out'))).toBe(false);

    // A rerun skips every image; a bad label added since is named, written as nothing, and exits 2.
    const ids = new Uint8Array(64 * 64).fill(3);
    ids.fill(200, 0, 7); // ADE20K ids are 0..150
    writeFileSync(p('labels', 'e.png'), encodeLabelPng(ids, 64, 64));
    const before = pngs('all').map((f) => png('all', f));
    const [again] = await runAll([[...base, '--labels', p('labels'), '--out', p('all'), '--json']]);
    expect(again!.code).toBe(2);
    expect(again!.err).toMatch(/^clade: .*e\.png' has raw values 200 \(7 px\)/m);
    expect(JSON.parse(again!.out)).toMatchObject({ total: 5, written: 0, skipped: 4, failed: [{ file: p('labels', 'e.png') }] });
    expect(pngs('all')).toEqual(['a.png', 'b.png', 'c.png', 'd.png']);
    pngs('all').forEach((f, i) => expect(png('all', f).equals(before[i]!)).toBe(true));
  }, 300_000); // 50–80 s on 2 busy cores; the margin is for a machine running other suites
});

describe('folder-mode flags', () => {
  // The same functions the command calls first, in-process: a CLI start each would cost seconds.
  const folder = { checkpoint: 'm', labels: 'l', out: 'o' };
  it('refuse what only makes sense for one file, and the families folder mode does not run', () => {
    expect(() => folderOptions({ ...folder, label: 'a.png' })).toThrow(/^--label is for one --label file; --labels synthesizes a folder\.$/);
    expect(() => folderOptions({ ...folder, instance: 'i.png' })).toThrow(/--instance is for one --label file; .*--instances <dir>, matched by name/);
    for (const flag of ['z', 'distMap', 'outNpy', 'style', 'resampleClass'] as const)
      expect(() => folderOptions({ ...folder, [flag]: 'x' })).toThrow(/is for one --label file/);
    expect(() => folderOptions({ ...folder, model: 'sean' })).toThrow(/--model sean synthesizes one --label at a time/);
    expect(folderOptions({ ...folder, shard: '1/4', instances: 'i', seed: '2' })).toEqual({ ...folder, shard: '1/4', instances: 'i', seed: '2' });
  });

  it('one file needs --label, and takes no folder flags', () => {
    expect(() => spadeOptions({ checkpoint: 'm', out: 'o.png' })).toThrow(/required option '--label <png>' not specified \(or --labels <dir>/);
    const oneFile = { checkpoint: 'm', label: 'a.png', out: 'o.png' };
    expect(() => spadeOptions({ ...oneFile, shard: '0/2' })).toThrow(/--shard is for --labels <dir>/);
    expect(() => spadeOptions({ ...oneFile, instances: 'i' })).toThrow(/--instances is for --labels <dir> .*--instance <png>/);
  });
});
