import * as tf from '@tensorflow/tfjs-core';
import { labelsToSegmap } from '@clade/core';
import { instanceEdges, resizeNearestPil, type LabelMap } from '@clade/data';
import { GroupDNetGenerator, createGroupDNet, resampleClass, sampleLatent } from '@clade/groupdnet';
import { GroupDNetSynthesizer } from '../index';
import { quantizedOutput, same, useWasmBackend } from './helpers/synthesizer-fixtures';

const K = 8;

/** A tiny untrained DeepFashion GroupDNet (8 classes, the official group schedule). */
const tinyGroupDNet = () => createGroupDNet('deepfashion', { ngf: 8, cropSize: 64, initGain: 1, initSeed: 3 });

/** Raw ids in vertical stripes, every class present. */
function stripes(w: number, h: number): LabelMap {
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = Math.floor((K * x) / w);
  return { width: w, height: h, data };
}

/** What `clade synthesize --model groupdnet` computed before the runtime: resize, one-hot, seeded latent, generator, quantise. */
async function composedByHand(g: GroupDNetGenerator, label: LabelMap, seed: number, resample?: { c: number; seed: number }): Promise<Uint8Array> {
  const w = g.config.cropSize;
  const l = resizeNearestPil(label, w, w);
  const y = tf.tidy(() => {
    const seg = labelsToSegmap(tf.tensor3d(Int32Array.from(l.data), [1, w, w], 'int32'), K);
    const z = sampleLatent(g.plan, 1, seed);
    return g.apply({ seg, z: resample ? resampleClass(z, resample.c, resample.seed) : z });
  });
  return quantizedOutput(y);
}

useWasmBackend();

describe('GroupDNetSynthesizer', () => {
  let synth: GroupDNetSynthesizer;
  beforeAll(() => {
    synth = new GroupDNetSynthesizer(tinyGroupDNet());
  });
  afterAll(() => synth.dispose());

  it('gives the bytes of the steps composed by hand, the same for the same seed, another for another seed, and leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const a = await synth.synthesize({ label: stripes(96, 96), seed: 3 });
    const b = await synth.synthesize({ label: stripes(96, 96), seed: 3 });
    const c = await synth.synthesize({ label: stripes(96, 96), seed: 4 });
    expect([a.width, a.height]).toEqual([64, 64]);
    expect(same(a.rgb, b.rgb)).toBe(true);
    expect(same(a.rgb, c.rgb)).toBe(false);
    expect(tf.memory().numTensors).toBe(before);
    expect(same(a.rgb, await composedByHand(synth.generator, stripes(96, 96), 3))).toBe(true);
  }, 60_000);

  it('resampleClass redraws one class latent only (resampleSeed defaults to seed + 1)', async () => {
    const before = tf.memory().numTensors;
    const plain = synth.prepare({ label: stripes(64, 64), seed: 3 });
    const redrawn = synth.prepare({ label: stripes(64, 64), seed: 3, resampleClass: 2 });
    const explicit = synth.prepare({ label: stripes(64, 64), seed: 3, resampleClass: 2, resampleSeed: 4 });
    expect(Buffer.from(redrawn.z.buffer).equals(Buffer.from(explicit.z.buffer))).toBe(true);
    // Only channels 16..23 (class 2's eight) differ.
    const nc = plain.z.length / synth.generator.plan.sh / synth.generator.plan.sw;
    const changed = new Set<number>();
    plain.z.forEach((v, i) => v !== redrawn.z[i] && changed.add(i % nc));
    expect([...changed].sort((x, y) => x - y)).toEqual([16, 17, 18, 19, 20, 21, 22, 23]);
    const image = await synth.synthesize({ label: stripes(64, 64), seed: 3, resampleClass: 2 });
    expect(same(image.rgb, await composedByHand(synth.generator, stripes(64, 64), 3, { c: 2, seed: 4 }))).toBe(true);
    expect(same(image.rgb, (await synth.synthesize({ label: stripes(64, 64), seed: 3 })).rgb)).toBe(false);
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it('refuses ids the model lacks, a class it lacks, and an instance map for a model without the edge channel', () => {
    const bad = stripes(64, 64);
    bad.data[0] = 200;
    expect(() => synth.prepare({ label: bad, labelName: "--label 'df.png'" })).toThrow("--label 'df.png' holds class id 200; this model has ids 0..7.");
    expect(() => synth.prepare({ label: stripes(64, 64), resampleClass: 8 })).toThrow(/resampleClass must be a class id in 0\.\.7, got 8/);
    expect(() => synth.prepare({ label: stripes(64, 64), instance: stripes(64, 64) })).toThrow(/no instance-edge channel/);
  });
});

describe('GroupDNetSynthesizer with the instance-edge channel (Cityscapes layout)', () => {
  const W = 64;
  const H = 32;
  const edged = () =>
    new GroupDNetGenerator({
      arch: 'cityscapes',
      labelNc: 4,
      useInstance: true,
      ngf: 8,
      cropSize: W,
      aspectRatio: 2,
      numUpsamplingLayers: 'normal',
      groups: [4, 4, 4, 2, 2, 2, 2, 1],
      initGain: 1,
      initSeed: 4,
    });
  /** Four classes in vertical bands, at twice the model's size. */
  const label = (): LabelMap => {
    const data = new Uint8Array(4 * W * H);
    for (let y = 0; y < 2 * H; y++) for (let x = 0; x < 2 * W; x++) data[y * 2 * W + x] = Math.floor((4 * x) / (2 * W));
    return { width: 2 * W, height: 2 * H, data };
  };
  /** Each band split into two instances, top and bottom. */
  const instances = (): LabelMap => {
    const l = label();
    return { ...l, data: l.data.map((c, i) => c * 2 + (Math.floor(i / (2 * W)) < H ? 0 : 1)) };
  };

  it('feeds the edges of the resized instance map as the last segmap channel, as composed by hand', async () => {
    const synth = new GroupDNetSynthesizer(edged());
    try {
      const before = tf.memory().numTensors;
      const image = await synth.synthesize({ label: label(), instance: instances(), seed: 5 });
      const l = resizeNearestPil(label(), W, H);
      const edges = instanceEdges(resizeNearestPil(instances(), W, H));
      const byHand = tf.tidy(() => {
        const edgeMap = tf.tensor3d(Float32Array.from(edges), [1, H, W], 'float32');
        const seg = labelsToSegmap(tf.tensor3d(Int32Array.from(l.data), [1, H, W], 'int32'), 4, edgeMap);
        return synth.generator.apply({ seg, z: sampleLatent(synth.generator.plan, 1, 5) });
      });
      expect(same(image.rgb, await quantizedOutput(byHand))).toBe(true);
      // The edges matter: the same label with one instance per class gives another image.
      const plain = await synth.synthesize({ label: label(), instance: label(), seed: 5 });
      expect(same(image.rgb, plain.rgb)).toBe(false);
      expect(tf.memory().numTensors).toBe(before);
      expect(() => synth.prepare({ label: label(), labelName: "--label 'city.png'" })).toThrow(
        /instance-edge channel: give an instance map beside --label 'city.png'/,
      );
    } finally {
      synth.dispose();
    }
  }, 60_000);
});
