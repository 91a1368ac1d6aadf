import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '@clade/core';
import {
  SYNTH_CLASSES,
  SYNTH_CLASS_NAMES,
  SYNTH_VERSION,
  decodeLabelPng,
  listAde20k,
  loadImage,
  loadLabelPng,
  synthSampleSeed,
  synthScene,
  writeSynthDataset,
  type SynthScene,
} from '../../index';
import { logd } from '../noise';

const VALID = new Set<number>(Object.values(SYNTH_CLASSES));
const SEEDS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];

// Rendered once and shared: 12 scenes at 80x60 take well under a second.
const scenes = new Map<number, SynthScene>();
const scene = (seed: number): SynthScene => {
  let s = scenes.get(seed);
  if (!s) scenes.set(seed, (s = synthScene({ seed, width: 80, height: 60 })));
  return s;
};

/** Mean RGB of the pixels whose label is `id`, or null if none. */
function meanColor(s: SynthScene, id: number): [number, number, number] | null {
  const acc = [0, 0, 0];
  let n = 0;
  for (let i = 0; i < s.label.length; i++)
    if (s.label[i] === id) {
      for (let c = 0; c < 3; c++) acc[c]! += s.image[3 * i + c]!;
      n++;
    }
  return n ? [acc[0]! / n, acc[1]! / n, acc[2]! / n] : null;
}

const dist = (a: number[], b: number[]) => Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!);

describe('synthScene', () => {
  it('is deterministic: same seed, same bytes; other seeds differ', () => {
    const a = synthScene({ seed: 42, width: 64, height: 48 });
    const b = synthScene({ seed: 42, width: 64, height: 48 });
    expect(Buffer.from(b.image).equals(Buffer.from(a.image))).toBe(true);
    expect(Buffer.from(b.label).equals(Buffer.from(a.label))).toBe(true);
    expect(b.classes).toEqual(a.classes);
    const c = synthScene({ seed: 43, width: 64, height: 48 });
    expect(Buffer.from(c.image).equals(Buffer.from(a.image))).toBe(false);
  });

  it('gives the same bytes on every machine (golden hashes of SYNTH_VERSION 1)', () => {
    // Integer-hashed noise and only +, −, ×, ÷, floor, sqrt: no engine- or libm-dependent math.
    // A deliberate change of the generator updates these hashes and bumps SYNTH_VERSION.
    expect(SYNTH_VERSION).toBe(1);
    const golden: Record<number, string> = { 1: '905994ca9a54a5c9', 2: 'eef0036637835f94', 3: '8b548b9835ab920f' };
    for (const [seed, want] of Object.entries(golden)) {
      const s = synthScene({ seed: Number(seed), width: 64, height: 48 });
      expect(createHash('sha256').update(s.label).update(s.image).digest('hex').slice(0, 16)).toBe(want);
    }
  });

  it('labels only ADE20K ids it declares, lists them in `classes`, and covers the outdoor classes across seeds', () => {
    const union = new Set<number>();
    for (const seed of SEEDS) {
      const s = scene(seed);
      const present = new Set(s.label);
      expect([...present].sort((x, y) => x - y)).toEqual(s.classes);
      for (const id of present) expect(VALID.has(id)).toBe(true);
      expect(present.has(SYNTH_CLASSES.sky)).toBe(true);
      for (const id of present) union.add(id);
    }
    for (const name of ['sky', 'tree', 'grass', 'mountain', 'sand', 'rock'] as const) expect(union).toContain(SYNTH_CLASSES[name]);
    expect(union.has(SYNTH_CLASSES.water) || union.has(SYNTH_CLASSES.sea)).toBe(true);
    // Every id the generator may emit is a real ADE20K class name (objectInfo150.txt).
    expect(SYNTH_CLASS_NAMES[SYNTH_CLASSES.mountain]).toBe('mountain');
    expect(SYNTH_CLASS_NAMES[SYNTH_CLASSES.sea]).toBe('sea');
  });

  it('paints what the labels say: sky above, brighter and bluer than grass; the sea looks like the sky it mirrors', () => {
    let skyOverGrass = 0;
    let grassScenes = 0;
    let seaCloserToSky = 0;
    let seaScenes = 0;
    for (const seed of SEEDS) {
      const s = scene(seed);
      const sky = meanColor(s, SYNTH_CLASSES.sky)!;
      const grass = meanColor(s, SYNTH_CLASSES.grass);
      if (grass) {
        grassScenes++;
        const blueness = (c: number[]) => c[2]! - (c[0]! + c[1]!) / 2;
        const lum = (c: number[]) => c[0]! + c[1]! + c[2]!;
        if (lum(sky) > lum(grass) && blueness(sky) > blueness(grass)) skyOverGrass++;
      }
      // (A lake mirrors its dark far shore as much as the sky, so only the open sea is compared.)
      const sea = meanColor(s, SYNTH_CLASSES.sea);
      const ground = grass ?? meanColor(s, SYNTH_CLASSES.sand);
      if (sea && ground) {
        seaScenes++;
        if (dist(sea, sky) < dist(sea, ground)) seaCloserToSky++;
      }
      // Sky is on top: the first row is all sky or mountain/tree silhouettes, never ground.
      const top = new Set(s.label.subarray(0, s.width));
      for (const id of [SYNTH_CLASSES.grass, SYNTH_CLASSES.sand, SYNTH_CLASSES.water, SYNTH_CLASSES.sea]) expect(top.has(id)).toBe(false);
    }
    expect(grassScenes).toBeGreaterThan(4);
    expect(skyOverGrass / grassScenes).toBeGreaterThanOrEqual(0.8);
    expect(seaScenes).toBeGreaterThan(1);
    expect(seaCloserToSky / seaScenes).toBeGreaterThanOrEqual(0.8);
  });

  it('renders any size, and the scene does not depend on it', () => {
    for (const [w, h] of [[64, 48], [300, 200], [1, 1], [17, 40]] as const) {
      const s = synthScene({ seed: 5, width: w, height: h });
      expect(s.label).toHaveLength(w * h);
      expect(s.image).toHaveLength(w * h * 3);
    }
    // The same seed at 4x the size, sampled at the small image's pixel centres, gives the same labels.
    const small = synthScene({ seed: 7, width: 60, height: 40 });
    const big = synthScene({ seed: 7, width: 240, height: 160 });
    let same = 0;
    for (let y = 0; y < 40; y++)
      for (let x = 0; x < 60; x++) if (small.label[y * 60 + x] === big.label[(4 * y + 2) * 240 + 4 * x + 2]) same++;
    expect(same / (60 * 40)).toBeGreaterThan(0.9);
    expect(big.kind).toBe(small.kind);
  });

  it('rejects bad arguments with a ConfigError', () => {
    expect(() => synthScene({ seed: 1.5, width: 8, height: 8 })).toThrow(ConfigError);
    expect(() => synthScene({ seed: 1, width: 0, height: 8 })).toThrow(/size must be positive integers, got 0x8/);
  });

  it('logd matches Math.log closely', () => {
    for (const x of [1e-6, 0.1, 0.75, 1, 1.5, 2, 10, 12345.678]) expect(logd(x)).toBeCloseTo(Math.log(x), 12);
  });
});

describe('writeSynthDataset', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'clade-synth-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes an ADE20K-layout dataset that listAde20k and the decoders load, with a manifest', async () => {
    const progress: number[] = [];
    const train = await writeSynthDataset({ out: root, count: 3, size: 48, seed: 9, onProgress: (d) => progress.push(d) });
    await writeSynthDataset({ out: root, count: 2, size: { width: 40, height: 30 }, seed: 9, split: 'val' });
    expect(progress).toEqual([1, 2, 3]);
    const listed = await listAde20k(root, { phase: 'train' });
    expect(listed.pairs.map((p) => p.id)).toEqual(['SYNTH_train_00000001', 'SYNTH_train_00000002', 'SYNTH_train_00000003']);
    expect((await listAde20k(root, { phase: 'val' })).pairs).toHaveLength(2);
    for (const [i, pair] of listed.pairs.entries()) {
      const s = synthScene({ seed: synthSampleSeed(9, 'train', i), width: 48, height: 48 });
      const label = await loadLabelPng(pair.label);
      expect(Buffer.from(label.data).equals(Buffer.from(s.label))).toBe(true);
      const photo = await loadImage(pair.image!);
      expect([photo.width, photo.height]).toEqual([48, 48]);
      let err = 0;
      for (let k = 0; k < photo.data.length; k++) err += Math.abs(photo.data[k]! - s.image[k]!);
      expect(err / photo.data.length).toBeLessThan(6); // JPEG, quality 92
      expect(train.samples[i]!.classes).toEqual(s.classes);
    }
    const manifest = JSON.parse(await readFile(path.join(root, 'synth-train.json'), 'utf8'));
    expect(manifest).toMatchObject({ generator: '@clade/data synth', split: 'train', seed: 9, count: 3, width: 48, height: 48 });
    expect(manifest.samples[0].image).toBe(path.join('images', 'training', 'SYNTH_train_00000001.jpg'));
    expect(Object.values(train.classPixels).reduce((a, b) => a + b, 0)).toBe(3 * 48 * 48);
  });

  it('writes byte-identical label PNGs for the same seed', async () => {
    const a = await writeSynthDataset({ out: path.join(root, 'a'), count: 1, size: 32, seed: 3 });
    const b = await writeSynthDataset({ out: path.join(root, 'b'), count: 1, size: 32, seed: 3 });
    const [la, lb] = await Promise.all([readFile(a.samples[0]!.label), readFile(b.samples[0]!.label)]);
    expect(la.equals(lb)).toBe(true);
    expect(decodeLabelPng(new Uint8Array(la)).width).toBe(32);
  });

  it('rejects bad options with a ConfigError naming the value', async () => {
    await expect(writeSynthDataset({ out: root, count: -1, size: 8 })).rejects.toThrow(/count must be a non-negative integer, got -1/);
    await expect(writeSynthDataset({ out: root, count: 1, size: 8, split: 'test' as never })).rejects.toThrow(/split must be one of train, val; got 'test'/);
    await expect(writeSynthDataset({ out: root, count: 1, size: 8, quality: 0 })).rejects.toThrow(ConfigError);
  });
});
