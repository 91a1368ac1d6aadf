import * as tf from '@tensorflow/tfjs-core';
import { labelsToSegmap } from '@clade/core';
import { resizeBicubicPil, resizeNearestPil, type LabelMap, type RgbImage } from '@clade/data';
import { SeanGenerator, encodeStyles, synthesize as seanSynthesize } from '@clade/sean';
import { SeanSynthesizer } from '../index';
import { quantizedOutput, same, useWasmBackend } from './helpers/synthesizer-fixtures';

const K = 4;

/**
 * A tiny untrained SEAN-CLADE. Gain 1: at the official 0.02 an untrained net's style effect
 * vanishes in float32; noise_var 0.5: it starts at 0 (official), which would hide the noise seed.
 */
function tinySean(): SeanGenerator {
  const g = new SeanGenerator({ labelNc: K, ngf: 4, styleLength: 16, cropSize: 64, classBranch: 'clade', initGain: 1, initSeed: 7 });
  for (const w of g.synthesisModel.weights)
    if (w.name.includes('noise_var')) {
      const v = tf.fill(w.shape as number[], 0.5);
      w.write(v);
      v.dispose();
    }
  return g;
}

/** Raw ids in blocks (any size), `shift` moves the layout. */
function mask(w: number, h: number, shift = 0): LabelMap {
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = (Math.floor((4 * x) / w) + Math.floor((2 * y) / h) + shift) % K;
  return { width: w, height: h, data };
}

/** A deterministic colourful photo. */
function photo(w: number, h: number, phase: number): RgbImage {
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) for (let c = 0; c < 3; c++) data[3 * i + c] = (i * (c + 1) * 7 + phase * 53 + ((i / w) | 0) * 3) % 256;
  return { width: w, height: h, data };
}

/** What `clade synthesize --model sean` computed before the runtime: resize, one-hot, encode, synthesize, quantise. */
async function composedByHand(g: SeanGenerator, label: LabelMap, style: RgbImage, seed: number): Promise<Uint8Array> {
  const w = g.config.cropSize;
  const l = resizeNearestPil(label, w, w);
  const p = resizeBicubicPil(style, w, w);
  const y = tf.tidy(() => {
    const seg = labelsToSegmap(tf.tensor3d(Int32Array.from(l.data), [1, w, w], 'int32'), K);
    const image = tf.sub(tf.div(tf.tensor4d(Float32Array.from(p.data), [1, w, w, 3]), 127.5), 1) as tf.Tensor4D;
    return seanSynthesize(g, seg, encodeStyles(g, image, seg), { noise: seed });
  });
  return quantizedOutput(y);
}

useWasmBackend();

describe('SeanSynthesizer', () => {
  let synth: SeanSynthesizer;
  beforeAll(() => {
    synth = new SeanSynthesizer(tinySean());
  });
  afterAll(() => synth.dispose());

  it('gives the bytes of the steps composed by hand (PIL NEAREST label, PIL BICUBIC photo), the same for the same seed, and leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const request = { label: mask(80, 80), style: { photo: photo(100, 100, 1) }, seed: 3 };
    const a = await synth.synthesize(request);
    const b = await synth.synthesize(request);
    expect([a.width, a.height, a.values.length]).toEqual([64, 64, 64 * 64 * 3]);
    expect(same(a.rgb, b.rgb)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    expect(same(a.rgb, await composedByHand(synth.generator, mask(80, 80), photo(100, 100, 1), 3))).toBe(true);
  }, 60_000);

  it('another noise seed, style photo or style mask gives another image', async () => {
    const base = { label: mask(64, 64), style: { photo: photo(64, 64, 1) } };
    const a = await synth.synthesize({ ...base, seed: 0 });
    const bySeed = await synth.synthesize({ ...base, seed: 1 });
    const byPhoto = await synth.synthesize({ ...base, style: { photo: photo(64, 64, 2) }, seed: 0 });
    const byMask = await synth.synthesize({ ...base, style: { photo: photo(64, 64, 1), label: mask(64, 64, 1) }, seed: 0 });
    for (const other of [bySeed, byPhoto, byMask]) expect(same(a.rgb, other.rgb)).toBe(false);
  }, 60_000);

  it('edits by a second style: transferring no class or mixing at 0 is the first style exactly, mixing at 1 the second', async () => {
    const before = tf.memory().numTensors;
    const styleA = { photo: photo(64, 64, 1) };
    const styleB = { photo: photo(64, 64, 5), label: mask(64, 64, 2) };
    const plain = await synth.synthesize({ label: mask(64, 64), style: styleA, seed: 2 });
    const none = await synth.synthesize({ label: mask(64, 64), style: styleA, styleB, edit: { transferClasses: [] }, seed: 2 });
    const mix0 = await synth.synthesize({ label: mask(64, 64), style: styleA, styleB, edit: { mix: 0 }, seed: 2 });
    const mix1 = await synth.synthesize({ label: mask(64, 64), style: styleA, styleB, edit: { mix: 1 }, seed: 2 });
    const onlyB = await synth.synthesize({ label: mask(64, 64), style: styleB, seed: 2 });
    const some = await synth.synthesize({ label: mask(64, 64), style: styleA, styleB, edit: { transferClasses: [1] }, seed: 2 });
    expect(Buffer.from(none.values.buffer).equals(Buffer.from(plain.values.buffer))).toBe(true);
    expect(Buffer.from(mix0.values.buffer).equals(Buffer.from(plain.values.buffer))).toBe(true);
    expect(Buffer.from(mix1.values.buffer).equals(Buffer.from(onlyB.values.buffer))).toBe(true);
    expect(same(some.rgb, plain.rgb)).toBe(false);
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it('refuses ids the model lacks (naming the map as the caller does), edits without a second style, bad edits and seeds', () => {
    const bad = mask(64, 64);
    bad.data[5] = 9;
    const style = { photo: photo(64, 64, 1) };
    expect(() => synth.prepare({ label: bad, labelName: "--label 'm.png'", style })).toThrow("--label 'm.png' holds class id 9; this model has ids 0..3.");
    expect(() => synth.prepare({ label: mask(64, 64), style: { ...style, label: bad } })).toThrow(/the style mask holds class id 9/);
    expect(() => synth.prepare({ label: mask(64, 64), style, edit: { mix: 0.5 } })).toThrow(/takes its second style from styleB/);
    expect(() => synth.prepare({ label: mask(64, 64), style, styleB: style, edit: { transferClasses: [4] } })).toThrow(/class ids in 0\.\.3, got 4/);
    expect(() => synth.prepare({ label: mask(64, 64), style, styleB: style, edit: { mix: Number.NaN } })).toThrow(/mix must be a number in \[0, 1\]/);
    expect(() => synth.prepare({ label: mask(64, 64), style, seed: 0.5 })).toThrow(/seed must be an integer/);
  });
});
