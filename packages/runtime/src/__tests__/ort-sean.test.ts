import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { labelsToSegmap, mulberry32, seededNormal } from '@clade/core';
import type { LabelMap, RgbImage } from '@clade/data';
import { OrtImageGenerator, exportLayersModelToOnnx, exportSeanToOnnx, seanFeeds, seanIo } from '@clade/onnx';
import { ACE, SeanGenerator } from '@clade/sean';
import { SeanSynthesizer, ortSeanSynthesizer } from '../node';
import { convergeSpectral, expectEnginesAgree, maxAbs, useWasmBackend } from './helpers/synthesizer-fixtures';

const TOL = 1e-4;
const K = 4;


/**
 * A tiny SEAN (gain-1 kernels) with O(1) running statistics, biases, CLADE tables, noise scales and
 * blending scalars (all zero or one at init, which would leave the export's use of them untested),
 * and converged spectral u, v (random ones give a tiny σ and a saturated tanh).
 */
function tinySean(classBranch: 'spade' | 'clade', paramFreeNorm: 'syncBatch' | 'instance', seed: number): SeanGenerator {
  const tiny = { labelNc: K, ngf: 4, styleLength: 16, spadeHiddenNc: 16, cropSize: 64, initGain: 1 };
  const g = new SeanGenerator({ ...tiny, classBranch, paramFreeNorm, initSeed: seed });
  const r = mulberry32(seed);
  const u = (n: number, lo: number, hi: number) => Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
  for (const w of g.synthesisModel.weights) {
    const name = w.originalName;
    const n = w.shape.reduce((a: number, d) => a * d!, 1);
    let v: Float32Array | null = null;
    if (name.endsWith('running_var')) v = u(n, 0.7, 1.3);
    else if (name.endsWith('running_mean')) v = u(n, -0.3, 0.3);
    else if (name.endsWith('class_specified_affine/weight') || name.endsWith('class_specified_affine/bias')) v = u(n, -0.5, 0.5);
    else if (name.endsWith('noise_var')) v = u(n, 0.2, 0.6);
    else if (/blending_(gamma|beta)$/.test(name)) v = u(n, -1, 1);
    else if (name.endsWith('/bias')) v = u(n, -0.2, 0.2);
    if (!v) continue;
    const t = tf.tensor(v, w.shape as number[]);
    w.write(t);
    t.dispose();
  }
  convergeSpectral(g.synthesisModel.layers);
  return g;
}

/** Blocky labels over K classes (8×8 cells plus stray pixels); one class left out, so a region is empty. */
function randomLabels(h: number, w: number, seed: number): Int32Array {
  const r = mulberry32(seed);
  const cells = Int32Array.from({ length: Math.ceil(h / 8) * Math.ceil(w / 8) }, () => Math.floor(r() * (K - 1)));
  const cell = (i: number) => cells[(Math.floor(i / w) >> 3) * Math.ceil(w / 8) + ((i % w) >> 3)]!;
  return Int32Array.from({ length: h * w }, (_, i) => (r() < 0.05 ? Math.floor(r() * (K - 1)) : cell(i)));
}

const CASES = [
  { tag: 'SEAN (SPADE class branch, batch norm)', make: () => tinySean('spade', 'syncBatch', 31) },
  { tag: 'SEAN-CLADE (instance norm)', make: () => tinySean('clade', 'instance', 32) },
];

useWasmBackend();

describe('exportSeanToOnnx + onnxruntime-node: parity with the tfjs synthesis model (eval, seeded noise)', () => {
  CASES.forEach((c, i) => {
    it(`${c.tag}: image and pre-tanh conv_img within ${TOL}`, async () => {
      const g = c.make();
      const io = seanIo(g);
      const { height: h, width: w } = io.label;
      const label = randomLabels(h, w, 500 + i);
      const codes = seededNormal(K * io.codes.length, 600 + i);
      const seed = 7 + i;
      const before = tf.memory().numTensors;
      const pre = tfl.model({ inputs: g.synthesisModel.inputs, outputs: g.synthesisModel.getLayer('conv_img').getOutputAt(0) as tfl.SymbolicTensor });
      const [want, wantPre] = tf.tidy(() => {
        const feed = [labelsToSegmap(tf.tensor3d(label, [1, h, w], 'int32'), K), tf.tensor3d(codes, [1, K, io.codes.length])];
        const kwargs = { training: false, noise: seed };
        return [g.synthesisModel.apply(feed, kwargs) as tf.Tensor4D, pre.apply(feed, kwargs) as tf.Tensor4D];
      });
      const noise: Record<string, Float32Array> = {};
      for (const e of io.noise) {
        const r = (g.synthesisModel.getLayer(e.layer) as ACE).noiseMap(1, e.height, e.width, seed)!;
        noise[e.layer] = Float32Array.from(r.dataSync());
        r.dispose();
      }
      const ort = await OrtImageGenerator.create(exportSeanToOnnx(g), { threads: 1 });
      const preOrt = await OrtImageGenerator.create(
        exportLayersModelToOnnx(pre, {
          inputSize: { height: h, width: w },
          inputs: { seg: { kind: 'semantic', numClasses: K, edge: false } },
          outputNames: ['image'],
        }),
        { threads: 1 },
      );
      try {
        const feeds = seanFeeds(io, { label, codes, noise });
        const got = await ort.run(feeds);
        const gotPre = await preOrt.run(feeds);
        expect(got.shape).toEqual(want.shape);
        const wantPreV = wantPre.dataSync();
        const scale = Math.max(1, ...Array.from(wantPreV, Math.abs));
        const dImage = maxAbs(got.data, want.dataSync());
        const dPre = maxAbs(gotPre.data, wantPreV) / scale;
        // The noise matters: without it (zeros fed) the image is another one.
        const quiet = await ort.run(seanFeeds(io, { label, codes }));
        const dNoise = maxAbs(quiet.data, want.dataSync());
        const preMsg = `conv_img (relative to max |x| ${scale.toFixed(1)}) ${dPre.toExponential(2)}`;
        // eslint-disable-next-line no-console
        console.log(`${c.tag}: max |Δ| image ${dImage.toExponential(2)}, ${preMsg}; noise off ${dNoise.toExponential(2)}`);
        expect(dImage).toBeLessThanOrEqual(TOL);
        expect(dPre).toBeLessThanOrEqual(TOL);
        expect(dNoise).toBeGreaterThan(1e-2);
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

/** Raw ids in blocks (any size). */
function mask(w: number, h: number): LabelMap {
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = (Math.floor((4 * x) / w) + Math.floor((2 * y) / h)) % K;
  return { width: w, height: h, data };
}

/** A deterministic colourful photo. */
function photo(w: number, h: number, phase: number): RgbImage {
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) for (let c = 0; c < 3; c++) data[3 * i + c] = (i * (c + 1) * 7 + phase * 53 + ((i / w) | 0) * 3) % 256;
  return { width: w, height: h, data };
}

describe('ortSeanSynthesizer: the tfjs synthesizer with its synthesis on onnxruntime', () => {
  it('prepares the same bytes and gives the same image (raw within 1e-4, bytes within 1) for a style edit, leaking nothing', async () => {
    const g = tinySean('clade', 'syncBatch', 33);
    const tfjs = new SeanSynthesizer(g);
    const ort = await ortSeanSynthesizer(g, { threads: 1 });
    try {
      const request = { label: mask(96, 96), style: { photo: photo(80, 80, 1) }, styleB: { photo: photo(64, 64, 2) }, edit: { transferClasses: [1] }, seed: 4 };
      const before = tf.memory().numTensors;
      const a = tfjs.prepare(request);
      const b = ort.prepare(request);
      expect(Buffer.from(b.classes.buffer).equals(Buffer.from(a.classes.buffer))).toBe(true);
      expect(Buffer.from(b.style.image.buffer).equals(Buffer.from(a.style.image.buffer))).toBe(true);
      expect(Buffer.from(b.styleB!.image.buffer).equals(Buffer.from(a.styleB!.image.buffer))).toBe(true);
      expect([b.edit, b.seed]).toEqual([a.edit, a.seed]);
      await expectEnginesAgree('ortSeanSynthesizer', { tfjs, ort }, { a, b }, request, TOL);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      await ort.dispose(); // owns g: the tfjs synthesizer shares it and is not disposed again
    }
  }, 120_000);
});
