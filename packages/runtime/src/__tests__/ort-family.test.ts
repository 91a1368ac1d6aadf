import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { labelsToSegmap, mulberry32, seededNormal } from '@clade/core';
import type { LabelMap } from '@clade/data';
import { GroupDNetGenerator, createGroupDNet } from '@clade/groupdnet';
import { OrtImageGenerator, exportGroupDNetToOnnx, exportLayersModelToOnnx, groupdnetFeeds, groupdnetIo } from '@clade/onnx';
import { GroupDNetSynthesizer, ortGroupDNetSynthesizer } from '../node';
import { convergeSpectral, expectEnginesAgree, maxAbs, useWasmBackend } from './helpers/synthesizer-fixtures';

const TOL = 1e-4;


/**
 * O(1) running statistics, biases and CLADE tables (the kernels come from initGain 1): the default
 * init (mean 0 / var 1, zero biases) would leave the exporter's norm folding untested.
 */
function perturb(g: GroupDNetGenerator, seed: number): void {
  const r = mulberry32(seed);
  const u = (n: number, lo: number, hi: number) => Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
  for (const w of g.model.weights) {
    const name = w.originalName;
    const n = w.shape.reduce((a: number, d) => a * d!, 1);
    let v: Float32Array | null = null;
    if (name.endsWith('running_var')) v = u(n, 0.7, 1.3);
    else if (name.endsWith('running_mean')) v = u(n, -0.3, 0.3);
    else if (name.endsWith('class_specified_affine/weight')) v = u(n, 0.5, 1.5);
    else if (name.endsWith('/bias')) v = u(n, -0.2, 0.2);
    if (!v) continue;
    const t = tf.tensor(v, w.shape as number[]);
    w.write(t);
    t.dispose();
  }
  convergeSpectral(g.model.layers);
}


/** Blocky labels over K classes (8×8 cells plus stray pixels) and their 0/1 edges (a change of label to the left). */
function randomLabels(k: number, h: number, w: number, seed: number): { label: Int32Array; edge: Float32Array } {
  const r = mulberry32(seed);
  const cells = Int32Array.from({ length: Math.ceil(h / 8) * Math.ceil(w / 8) }, () => Math.floor(r() * k));
  const label = Int32Array.from({ length: h * w }, (_, i) => {
    const [y, x] = [Math.floor(i / w), i % w];
    return r() < 0.05 ? Math.floor(r() * k) : cells[(y >> 3) * Math.ceil(w / 8) + (x >> 3)]!;
  });
  const edge = Float32Array.from(label, (l, i) => (i % w > 0 && l !== label[i - 1] ? 1 : 0));
  return { label, edge };
}

interface Case {
  tag: string;
  make: () => GroupDNetGenerator;
}

const small = { ngf: 8, cropSize: 64, initGain: 1 } as const;
/**
 * Cityscapes' layout (the edge interleaved with every class) on 4 classes: the preset's 35 classes
 * do not divide ngf 8's widths, so its group schedule is given (as groupdnet's own tests do).
 */
const cityscapes = (normMode: 'groupSpade' | 'clade', initSeed: number) =>
  new GroupDNetGenerator({
    ...small,
    arch: 'cityscapes',
    labelNc: 4,
    useInstance: true,
    normMode,
    aspectRatio: 2,
    numUpsamplingLayers: 'normal',
    groups: [4, 4, 4, 2, 2, 2, 2, 1],
    initSeed,
  });
const CASES: Case[] = [
  { tag: 'deepfashion GROUP_SPADE', make: () => createGroupDNet('deepfashion', { ...small, initSeed: 11 }) },
  {
    tag: 'cityscapes GROUP_SPADE, instance edges interleaved',
    make: () => cityscapes('groupSpade', 12),
  },
  {
    tag: 'cityscapes GroupDNet-CLADE, edge dropped',
    make: () => cityscapes('clade', 13),
  },
  {
    tag: 'deepfashion GroupDNet-CLADE, instance norm',
    make: () => createGroupDNet('deepfashion', { ...small, paramFreeNorm: 'instance', initSeed: 14 }, 'groupdnet-clade'),
  },
];

useWasmBackend();

describe('exportGroupDNetToOnnx + onnxruntime-node: parity with the tfjs generator (eval)', () => {
  CASES.forEach((c, i) => {
    it(`${c.tag}: image and pre-tanh conv_img within ${TOL}`, async () => {
      const g = c.make();
      perturb(g, 100 + i);
      const io = groupdnetIo(g);
      const { height: h, width: w, numClasses: k } = io.label;
      const { label, edge } = randomLabels(k, h, w, 200 + i);
      const z = seededNormal(g.plan.sh * g.plan.sw * g.plan.latentNc, 300 + i);
      const before = tf.memory().numTensors;
      const [want, wantPre] = tf.tidy(() => {
        const seg = labelsToSegmap(tf.tensor3d(label, [1, h, w], 'int32'), k, io.edge ? tf.tensor3d(edge, [1, h, w]) : undefined);
        const feed = { seg, z: tf.tensor4d(z, [1, g.plan.sh, g.plan.sw, g.plan.latentNc]) };
        const acts = g.activations(feed);
        return [g.apply(feed), acts.get('conv_img')!];
      });
      // The pre-tanh map too: tanh saturates, which would hide differences.
      const pre = tfl.model({ inputs: g.model.inputs, outputs: g.model.getLayer('conv_img').output as tfl.SymbolicTensor });
      const ort = await OrtImageGenerator.create(exportGroupDNetToOnnx(g), { threads: 1 });
      const preBytes = exportLayersModelToOnnx(pre, {
        inputSize: { height: h, width: w },
        inputs: { seg: { kind: 'semantic', numClasses: k, edge: io.edge } },
        outputNames: ['image'],
      });
      const preOrt = await OrtImageGenerator.create(preBytes, { threads: 1 });
      try {
        const feeds = groupdnetFeeds(io, { label, ...(io.edge && { edge }), z });
        const got = await ort.run(feeds);
        const gotPre = await preOrt.run(feeds);
        expect(got.shape).toEqual(want.shape);
        const wantPreV = wantPre.dataSync();
        const scale = Math.max(1, ...Array.from(wantPreV, Math.abs));
        const dImage = maxAbs(got.data, want.dataSync());
        const dPre = maxAbs(gotPre.data, wantPreV) / scale;
        // eslint-disable-next-line no-console
        console.log(`${c.tag}: max |Δ| image ${dImage.toExponential(2)}, conv_img (relative to max |x| ${scale.toFixed(1)}) ${dPre.toExponential(2)}`);
        expect(dImage).toBeLessThanOrEqual(TOL);
        expect(dPre).toBeLessThanOrEqual(TOL);
        // Not a trivially flat image: the comparison means something.
        expect(Math.max(...Array.from(want.dataSync(), Math.abs))).toBeGreaterThan(0.1);
      } finally {
        await ort.dispose();
        await preOrt.dispose();
        tf.dispose([want, wantPre]);
        expect(tf.memory().numTensors).toBe(before);
        g.dispose();
      }
    }, 120_000);
  });
});

/** Raw ids in vertical stripes over K classes, at twice the model's size. */
function stripes(k: number, w: number, h: number): LabelMap {
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = Math.floor((k * x) / w);
  return { width: w, height: h, data };
}

describe('ortGroupDNetSynthesizer: the tfjs synthesizer on onnxruntime', () => {
  it('prepares the same bytes and gives the same image (raw within 1e-4, bytes within 1), leaking nothing', async () => {
    const g = cityscapes('groupSpade', 21);
    perturb(g, 400);
    const tfjs = new GroupDNetSynthesizer(g);
    const ort = await ortGroupDNetSynthesizer(g, { threads: 1 });
    try {
      const { width, height } = ort.size;
      const k = groupdnetIo(g).label.numClasses;
      const label = stripes(k, 2 * width, 2 * height);
      // Two instances per class band (top and bottom), so the edge input is not all zeros.
      const instance = { ...label, data: label.data.map((c, i) => 2 * c + (Math.floor(i / (2 * width)) < height ? 0 : 1)) };
      const request = { label, instance, seed: 5, resampleClass: 2 };
      const before = tf.memory().numTensors;
      const a = tfjs.prepare(request);
      const b = ort.prepare(request);
      expect(Buffer.from(b.classes.buffer).equals(Buffer.from(a.classes.buffer))).toBe(true);
      expect(Buffer.from(b.edges!.buffer).equals(Buffer.from(a.edges!.buffer))).toBe(true);
      expect(Buffer.from(b.z.buffer).equals(Buffer.from(a.z.buffer))).toBe(true);
      expect(b.edges!.some((e) => e === 1)).toBe(true);
      await expectEnginesAgree('ortGroupDNetSynthesizer', { tfjs, ort }, { a, b }, request, TOL);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      await ort.dispose(); // owns g: the tfjs synthesizer shares it and is not disposed again
    }
  }, 120_000);
});
