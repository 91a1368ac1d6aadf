import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { writeTorchCheckpoint, type NdArray } from '@clade/core';
import {
  FID_WEIGHTS_URL,
  FidInceptionV3,
  INCEPTION_DIMS,
  fidInceptionStateShapes,
} from '../../index';
import { hashedImagesNhwc, hashedInceptionTensor } from '../../__tests__/helpers/hashed';
import golden from './fixtures/fid_inception.json';

// Golden: scripts/goldens/fid_inception.py — pytorch-fid's FIDInceptionV3 written with torch.nn,
// random (hashed) weights in pytorch-fid's key layout, torch version in the JSON.

let cached: Map<string, NdArray> | undefined;
function hashedStateDict(): Map<string, NdArray> {
  cached ??= new Map(
    fidInceptionStateShapes().map(([k, shape]) => [k, { dtype: 'float32', shape, data: hashedInceptionTensor(k, shape) } as NdArray]),
  );
  return cached;
}

describe('FidInceptionV3 (pytorch-fid layout)', () => {
  let model: FidInceptionV3;
  let raw: FidInceptionV3; // resize_input=False, normalize_input=False
  let dir: string;

  beforeAll(async () => {
    const { initBackend } = await import('@clade/backend');
    await initBackend({ backend: 'wasm', threads: 2 });
    dir = mkdtempSync(path.join(tmpdir(), 'metrics-inception-'));
    const file = path.join(dir, 'pt_inception-hashed.pth');
    const state = hashedStateDict();
    expect(state.size).toBe(golden.keys);
    expect([...state.keys()].slice(0, 6)).toEqual(golden.firstKeys);
    expect([...state.keys()].slice(-4)).toEqual(golden.lastKeys);
    writeFileSync(file, writeTorchCheckpoint(state));
    model = await FidInceptionV3.load(file);
    raw = FidInceptionV3.fromStateDict(state, 'hashed', null, { resizeInput: false, normalizeInput: false });
  });

  afterAll(async () => {
    model?.dispose();
    raw?.dispose();
    rmSync(dir, { recursive: true, force: true });
    await tf.setBackend('cpu');
  });

  it.each(golden.cases.map((c) => [`${c.n}×${c.height}×${c.width}`, c] as const))(
    'gives the torch features at every tap for input %s',
    (_, c) => {
      const x = tf.tensor4d(hashedImagesNhwc(c.seed, c.n, c.height, c.width), [c.n, c.height, c.width, 3]);
      expect(c.resizeInput).toBe(c.normalizeInput);
      const net = c.resizeInput ? model : raw;
      const taps = net.taps(x);
      for (const dims of INCEPTION_DIMS) {
        const got = taps[dims].arraySync();
        const want = (c.features as Record<string, number[][]>)[String(dims)]!;
        expect(got.length).toBe(c.n);
        let maxAbs = 0;
        let scale = 0;
        got.forEach((row, i) => row.forEach((v, j) => {
          maxAbs = Math.max(maxAbs, Math.abs(v - want[i]![j]!));
          scale = Math.max(scale, Math.abs(want[i]![j]!));
        }));
        expect({ dims, relErr: maxAbs / scale < 1e-5 }).toEqual({ dims, relErr: true });
      }
      const f = net.features(x, 768);
      expect(f.shape).toEqual([c.n, 768]);
      expect(tf.max(tf.abs(tf.sub(f, taps[768]))).dataSync()[0]).toBe(0);
      tf.dispose([x, f, ...Object.values(taps)]);
    },
    120_000,
  );

  it("reads pytorch-fid's InceptionV3 wrapper layout (blocks.<b>.<j>.*) as the same network", () => {
    const blocks = [
      ['Conv2d_1a_3x3', 'Conv2d_2a_3x3', 'Conv2d_2b_3x3'],
      ['Conv2d_3b_1x1', 'Conv2d_4a_3x3'],
      ['Mixed_5b', 'Mixed_5c', 'Mixed_5d', 'Mixed_6a', 'Mixed_6b', 'Mixed_6c', 'Mixed_6d', 'Mixed_6e'],
      ['Mixed_7a', 'Mixed_7b', 'Mixed_7c'],
    ];
    const index = new Map(blocks.flatMap((names, b) => names.map((n, j) => [n, `blocks.${b}.${j}`] as const)));
    const wrapper = new Map<string, NdArray>();
    for (const [k, v] of hashedStateDict()) {
      const [head, ...rest] = k.split('.');
      if (index.has(head!)) wrapper.set(`${index.get(head!)}.${rest.join('.')}`, v); // the wrapper has no fc
    }
    expect(wrapper.has('blocks.3.2.branch_pool.bn.running_var')).toBe(true);
    const fromWrapper = FidInceptionV3.fromStateDict(wrapper, 'wrapper.pth');
    const x = tf.tensor4d(hashedImagesNhwc(5, 1, 37, 45), [1, 37, 45, 3]);
    const a = model.features(x);
    const b = fromWrapper.features(x);
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBe(0);
    tf.dispose([x, a, b]);
    fromWrapper.dispose();
  });

  it('needs 75×75 inputs when it does not resize', () => {
    const x = tf.zeros([1, 74, 80, 3]) as tf.Tensor4D;
    expect(() => raw.features(x, 64)).toThrow('without resizeInput images must be at least 75×75');
    x.dispose();
  });

  it('leaks no tensors', () => {
    const x = tf.zeros([1, 16, 16, 3]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    model.features(x, 64).dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('names what to download when the weights are missing, and refuses other state dicts', async () => {
    const where = path.join(dir, 'pt_inception-2015-12-05-6726825d.pth');
    await expect(FidInceptionV3.load(where)).rejects.toThrow(
      `FID Inception weights '${where}' do not exist. Download ${FID_WEIGHTS_URL}`,
    );
    const state = new Map(hashedStateDict());
    state.delete('Mixed_6e.branch_pool.bn.running_var');
    state.set('extra.weight', { dtype: 'float32', shape: [1], data: new Float32Array(1) });
    expect(() => FidInceptionV3.fromStateDict(state, 'x.pth')).toThrow(
      /1 missing key\(s\) \(e\.g\. 'Mixed_6e\.branch_pool\.bn\.running_var'\), 1 unexpected key\(s\) \(e\.g\. 'extra\.weight'\)/,
    );
    state.set('fc.weight', { dtype: 'float32', shape: [1000, 2048], data: new Float32Array(1) });
    expect(() => FidInceptionV3.fromStateDict(state, 'tv.pth')).toThrow(/torchvision's ImageNet Inception/);
  });
});
