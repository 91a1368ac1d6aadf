import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';
import { seededNormal } from '@clade/core';
import { resizeNearestPil } from '@clade/data';
import { SpadeGenerator, presetLabelSpec } from '@clade/spade-gen';
import { tfjsSynthesizer, type LoadedGenerator } from '../index';
import { ortSynthesizer } from '../node';

/** A tiny CLADE VAE generator in the ADE20K label space (untrained; initGain 1 so z and labels show). */
function tinyGenerator(): LoadedGenerator {
  const g = new SpadeGenerator({ labelNc: 150, containDontcare: true, normMode: 'clade', ngf: 4, cropSize: 64, useVae: true, initGain: 1, initSeed: 5 });
  return { preset: 'ade20k', config: g.config, label: presetLabelSpec(g.config), model: g.model, source: 'tiny' };
}

/** A label of raw ADE20K ids: sky over grass with a tree, at any size. */
function scene(w: number, h: number): { width: number; height: number; data: Uint8Array } {
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = y < h / 3 ? 3 : x > w / 2 && y < (2 * h) / 3 ? 5 : 10;
  return { width: w, height: h, data };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('Synthesizer (tfjs)', () => {
  it('draws z from the seed as given z would, brings any label size to the model by PIL NEAREST, and leaks nothing', async () => {
    const synth = tfjsSynthesizer(tinyGenerator());
    const before = tf.memory().numTensors;
    const bySeed = await synth.synthesize({ label: scene(64, 64), seed: 3 });
    const byZ = await synth.synthesize({ label: scene(64, 64), z: seededNormal(256, 3) });
    const other = await synth.synthesize({ label: scene(64, 64), seed: 4 });
    expect(Buffer.from(bySeed.rgb).equals(Buffer.from(byZ.rgb))).toBe(true);
    expect(Buffer.from(other.rgb).equals(Buffer.from(bySeed.rgb))).toBe(false);
    // The official test transform: a larger label is resized with PIL NEAREST, exactly as resizing it first.
    const big = scene(100, 80);
    const resized = resizeNearestPil(big, 64, 64);
    const a = await synth.synthesize({ label: big, seed: 1 });
    const b = await synth.synthesize({ label: resized, seed: 1 });
    expect([a.width, a.height]).toEqual([64, 64]);
    expect(Buffer.from(a.rgb).equals(Buffer.from(b.rgb))).toBe(true);
    expect(a.values).toHaveLength(64 * 64 * 3);
    expect(tf.memory().numTensors).toBe(before);
    await synth.dispose();
  });

  it('refuses inputs the generator does not take, naming them', async () => {
    const synth = tfjsSynthesizer(tinyGenerator());
    expect(() => synth.prepare({ label: scene(64, 64), z: new Float32Array(3) })).toThrow(/z must hold 256 values, got 3/);
    expect(() => synth.prepare({ label: scene(64, 64), z: new Float32Array(256).fill(Number.NaN) })).toThrow(/non-finite value \(NaN at index 0\)/);
    expect(() => synth.prepare({ label: scene(64, 64), instance: scene(64, 64) })).toThrow(/no instance-edge channel/);
    const bad = scene(64, 64);
    bad.data[0] = 200;
    expect(() => synth.prepare({ label: bad, source: 'bad.png' })).toThrow(/bad\.png/);
    await synth.dispose();
  });
});

describe('Synthesizer (onnxruntime)', () => {
  it('gives the tfjs image within float rounding, from the same prepared input', async () => {
    const tfjs = tfjsSynthesizer(tinyGenerator());
    const ort = await ortSynthesizer(tinyGenerator());
    const input = tfjs.prepare({ label: scene(64, 64), seed: 2 });
    const [a, b] = [await tfjs.run(input), await ort.run(input)];
    let max = 0;
    for (let i = 0; i < a.values.length; i++) max = Math.max(max, Math.abs(a.values[i]! - b.values[i]!));
    expect(max).toBeLessThan(1e-4);
    await tfjs.dispose();
    await ort.dispose();
  }, 60_000);
});
