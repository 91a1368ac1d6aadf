import * as tf from '@tensorflow/tfjs-core';
import { labelsToSegmap } from '@clade/core';
import { resizeNearestPil, type LabelMap } from '@clade/data';
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

  it('refuses ids the model lacks, a class it lacks, and generators with the edge channel', () => {
    const bad = stripes(64, 64);
    bad.data[0] = 200;
    expect(() => synth.prepare({ label: bad, labelName: "--label 'df.png'" })).toThrow("--label 'df.png' holds class id 200; this model has ids 0..7.");
    expect(() => synth.prepare({ label: stripes(64, 64), resampleClass: 8 })).toThrow(/resampleClass must be a class id in 0\.\.7, got 8/);
    const edged = new GroupDNetGenerator({ arch: 'cityscapes', labelNc: 4, useInstance: true, ngf: 8, cropSize: 64, aspectRatio: 2, numUpsamplingLayers: 'normal', groups: [4, 4, 4, 2, 2, 2, 2, 1], initSeed: 4 });
    expect(() => new GroupDNetSynthesizer(edged)).toThrow(/instance-edge channel/);
    edged.dispose();
  });
});
