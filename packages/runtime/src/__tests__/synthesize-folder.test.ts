import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';
import { encodeLabelPng, loadLabelPng } from '@clade/data';
import { SpadeGenerator, presetLabelSpec } from '@clade/spade-gen';
import { tfjsSynthesizer, type LoadedGenerator, type SynthesizedImage, type Synthesizer } from '../index';
import { useWasmBackend } from './helpers/synthesizer-fixtures';
import { planSynthesisFolder, synthesizeFolder, type FolderProgress, type SynthesizeFolderOptions } from '../node';

/** A tiny CLADE VAE generator in the ADE20K label space (untrained; initGain 1 so z and labels show). */
function tinyGenerator(): LoadedGenerator {
  const g = new SpadeGenerator({ labelNc: 150, containDontcare: true, normMode: 'clade', ngf: 4, cropSize: 64, useVae: true, initGain: 1, initSeed: 5 });
  return { preset: 'ade20k', config: g.config, label: presetLabelSpec(g.config), model: g.model, source: 'tiny' };
}

/** A real image format with no dependency: binary PPM (P6). */
const ppm = (img: SynthesizedImage): Uint8Array => Buffer.concat([Buffer.from(`P6\n${img.width} ${img.height}\n255\n`), img.rgb]);

/** Raw ADE20K ids: three regions whose split depends on `k`, so every file gives another image. */
function writeLabel(file: string, w: number, h: number, k: number): void {
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = y < (h * (k + 1)) / 8 ? 3 : x > w / 2 ? 5 + k : 10;
  writeFileSync(file, encodeLabelPng(data, w, h));
}

const NAMES = ['a.png', 'b.png', 'c.png', 'd.png', 'e.png'];
let root: string;
let labels: string;
let synth: Synthesizer;
const dir = (name: string): string => path.join(root, name);
const run = (out: string, o: Partial<SynthesizeFolderOptions> = {}) => synthesizeFolder(synth, { labels, out: dir(out), encode: ppm, seed: 3, ...o });
const files = (d: string): string[] => readdirSync(dir(d)).sort();
const bytes = (d: string, f: string): Buffer => readFileSync(path.join(dir(d), f));

useWasmBackend();
beforeAll(() => {
  synth = tfjsSynthesizer(tinyGenerator()); // built on the test's backend
  root = mkdtempSync(path.join(tmpdir(), 'clade-folder-'));
  labels = dir('labels');
  mkdirSync(labels);
  NAMES.forEach((n, k) => writeLabel(path.join(labels, n), k % 2 ? 80 : 64, k % 2 ? 72 : 64, k));
  writeFileSync(path.join(labels, 'notes.txt'), 'not a label');
  writeFileSync(path.join(labels, '._a.png'), 'AppleDouble metadata, skipped');
});
afterAll(async () => {
  await synth.dispose();
  rmSync(root, { recursive: true, force: true });
});

describe('synthesizeFolder', () => {
  it('writes each label as one-file synthesis with the seed would, skips them on a rerun, redoes them with force, and leaks no tensor', async () => {
    const before = tf.memory().numTensors;
    const seen: FolderProgress[] = [];
    const first = await run('all', { onProgress: (p) => seen.push(p) });
    const want = { labels, out: dir('all'), shard: '0/1', folderSize: 5, total: 5, written: 5, skipped: 0, failed: [], aborted: false };
    expect({ ...first, ms: 0 }).toEqual({ ...want, ms: 0 });
    expect(seen.map((p) => [p.done, p.status, path.basename(p.file)])).toEqual(NAMES.map((n, i) => [i + 1, 'written', n]));
    expect(files('all')).toEqual(NAMES);
    for (const n of NAMES) {
      const one = await synth.synthesize({ label: await loadLabelPng(path.join(labels, n)), seed: 3 });
      expect(bytes('all', n).equals(Buffer.from(ppm(one)))).toBe(true);
    }
    expect(bytes('all', 'a.png').equals(bytes('all', 'c.png'))).toBe(false);

    // A rerun finds every image: nothing synthesized, nothing rewritten.
    const b = bytes('all', 'b.png');
    writeFileSync(path.join(dir('all'), 'b.png'), 'kept as it is');
    const again = await run('all');
    expect([again.written, again.skipped]).toEqual([0, 5]);
    expect(bytes('all', 'b.png').toString()).toBe('kept as it is');
    const forced = await run('all', { force: true });
    expect([forced.written, forced.skipped]).toEqual([5, 0]);
    expect(bytes('all', 'b.png').equals(b)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it('splits the sorted list into shards that together write each file once, as the whole run does', async () => {
    const parts = [];
    for (let index = 0; index < 3; index++) parts.push(await run('shards', { shard: { index, count: 3 } }));
    expect(parts.map((p) => [p.shard, p.total, p.written])).toEqual([['0/3', 2, 2], ['1/3', 2, 2], ['2/3', 1, 1]]);
    expect(files('shards')).toEqual(NAMES);
    const whole = await run('whole');
    expect(whole.written).toBe(5);
    for (const n of NAMES) expect(bytes('shards', n).equals(bytes('whole', n))).toBe(true);
    // A shard past the end of a short list is empty, not an error.
    expect((await run('empty', { shard: { index: 9, count: 10 } })).total).toBe(0);
  }, 120_000);

  it('fails a bad label file alone, naming it, and writes the others', async () => {
    const bad = dir('bad-labels');
    mkdirSync(bad);
    writeLabel(path.join(bad, 'good.png'), 64, 64, 1);
    const ids = new Uint8Array(64 * 64).fill(3);
    ids.fill(200, 0, 5); // ADE20K ids are 0..150
    writeFileSync(path.join(bad, 'ids.png'), encodeLabelPng(ids, 64, 64));
    writeFileSync(path.join(bad, 'text.png'), 'not a png at all');
    const r = await synthesizeFolder(synth, { labels: bad, out: dir('bad-out'), encode: ppm });
    expect([r.written, r.failed.map((f) => path.basename(f.file))]).toEqual([1, ['ids.png', 'text.png']]);
    expect(r.failed[0]!.message).toMatch(/ids\.png.*200/);
    expect(r.failed[1]!.message).toMatch(/text\.png/);
    expect(files('bad-out')).toEqual(['good.png']);
  }, 60_000);

  it('stops before the next image when aborted and leaves only complete files; a killed writer\'s temp file is removed', async () => {
    const out = dir('aborted');
    mkdirSync(out);
    // What writeFileAtomic leaves when its process is killed mid-write: a hidden temp file of a dead pid.
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    const stale = `.c.png.${dead}.0123456789ab.tmp`;
    writeFileSync(path.join(out, stale), 'half an image');
    const ac = new AbortController();
    const r = await run('aborted', { signal: ac.signal, onProgress: (p) => p.done === 2 && ac.abort() });
    expect([r.aborted, r.written]).toEqual([true, 2]);
    expect(files('aborted')).toEqual(['a.png', 'b.png']); // the stale temp file is gone too
    expect(bytes('aborted', 'b.png').equals(bytes('whole', 'b.png'))).toBe(true);
    // Resumed: the rest, and the same files as one run.
    const rest = await run('aborted');
    expect([rest.skipped, rest.written]).toEqual([2, 3]);
    for (const n of NAMES) expect(bytes('aborted', n).equals(bytes('whole', n))).toBe(true);
  }, 120_000);

  it('matches instance maps by name (CLADE-ICPE, edges, no z: the seed is not read), naming a missing one', async () => {
    const config = { labelNc: 150, containDontcare: true, useInstance: true, normMode: 'cladeIcpe', ngf: 4, cropSize: 64, initGain: 1, initSeed: 2 } as const;
    const g = new SpadeGenerator(config);
    const icpe = tfjsSynthesizer({ preset: 'ade20k', config: g.config, label: presetLabelSpec(g.config), model: g.model, source: 'tiny-icpe' });
    const inst = dir('instances');
    mkdirSync(inst);
    // Sizes as a.png (64x64) and b.png (80x72); c.png has none.
    for (const [n, w, h] of [['a.png', 64, 64], ['b.png', 80, 72]] as const) {
      const ids = new Uint8Array(w * h);
      for (let i = 0; i < ids.length; i++) ids[i] = i % w < w / 3 ? 1 : 2;
      writeFileSync(path.join(inst, n), encodeLabelPng(ids, w, h));
    }
    const r = await synthesizeFolder(icpe, { labels, out: dir('icpe'), instances: inst, encode: ppm, seed: 3, shard: { index: 0, count: 2 } });
    expect([r.written, r.failed.map((f) => f.message)]).toEqual([2, [expect.stringMatching(/instances.c\.png/)]]);
    for (const n of ['a.png', 'b.png']) {
      const one = await icpe.synthesize({ label: await loadLabelPng(path.join(labels, n)), instance: await loadLabelPng(path.join(inst, n)) });
      expect(bytes('icpe', n).equals(Buffer.from(ppm(one)))).toBe(true);
    }
    await expect(synthesizeFolder(icpe, { labels, out: dir('icpe-none'), encode: ppm })).rejects.toThrow(/takes instance maps: pass --instances <dir>/);
    await icpe.dispose();
  }, 60_000);

  it('refuses bad folders before any work, naming the flag and the path, and creates nothing', async () => {
    const none = dir('no-pngs');
    mkdirSync(none);
    writeFileSync(path.join(none, 'x.txt'), '');
    writeFileSync(dir('file.png'), '');
    const plan = (l: string, out: string, instances?: string) => planSynthesisFolder({ labels: l, out, ...(instances !== undefined && { instances }) });
    await expect(plan(dir('missing'), dir('o1'))).rejects.toThrow(/--labels '.*missing' does not exist/);
    await expect(plan(dir('file.png'), dir('o1'))).rejects.toThrow(/--labels '.*file\.png' is a file/);
    await expect(plan(none, dir('o1'))).rejects.toThrow(/--labels '.*no-pngs' holds no \.png files/);
    await expect(plan(labels, labels)).rejects.toThrow(/--out '.*labels' is --labels/);
    await expect(plan(labels, path.join(labels, 'out'))).rejects.toThrow(/--out '.*out' is inside --labels/);
    await expect(plan(labels, root)).rejects.toThrow(/--out '.*' holds --labels/);
    await expect(plan(labels, dir('file.png'))).rejects.toThrow(/--out '.*file\.png' is a file/);
    await expect(plan(labels, dir('o1'), dir('nope'))).rejects.toThrow(/--instances '.*nope' does not exist/);
    // An instance folder on a model without the edge channel: refused before the first image.
    await expect(run('o2', { instances: labels })).rejects.toThrow(/no instance-edge channel; drop --instances/);
    expect(readdirSync(root).filter((f) => /^o\d$/.test(f))).toEqual([]);
  });
});
