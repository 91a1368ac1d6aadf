// GroupDNet's grouped convolution (core's GroupConv2D → ONNX Conv with `group`) against tfjs; the
// whole GroupDNet and SEAN generators are checked in @clade/runtime (ort-family, ort-sean tests),
// which depends on those packages.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { GroupConv2D } from '@clade/core';
import { maxAbsDiff } from '@clade/test-utils';
import { createSession, exportLayersModelToOnnx, loadOrt, onnxConvertibleLayers } from '../index';

const nchw = (t: tf.Tensor) => tf.tidy(() => Float32Array.from(tf.transpose(t, [0, 3, 1, 2]).dataSync()));

async function runOnnx(bytes: Uint8Array, x: tf.Tensor4D): Promise<Float32Array> {
  const { Tensor } = await loadOrt();
  const s = await createSession(bytes, 'test model', { threads: 1 });
  try {
    const [n, h, w, c] = x.shape;
    const out = await s.run({ x: new Tensor('float32', nchw(x), [n, c, h, w]) });
    return out[s.outputNames[0]!]!.data as Float32Array;
  } finally {
    await s.release();
  }
}

describe('GroupConv2D export', () => {
  it.each([
    { groups: 4, strides: 1, kernelSize: 3, spectral: false },
    { groups: 2, strides: 2, kernelSize: 3, spectral: true },
    { groups: 8, strides: 1, kernelSize: 1, spectral: false },
  ])('groups $groups, stride $strides, kernel $kernelSize, spectral $spectral: equals tfjs', async (c) => {
    const before = tf.memory().numTensors;
    const x = tfl.input({ shape: [9, 8, 8], name: 'x' });
    const conv = new GroupConv2D({ ...c, filters: 16, initGain: 1, initSeed: 5 });
    const m = tfl.model({ inputs: x, outputs: conv.apply(x) as tfl.SymbolicTensor });
    const input = tf.randomNormal([2, 9, 8, 8], 0, 1, 'float32', 6) as tf.Tensor4D;
    const want = m.predict(input) as tf.Tensor;
    const got = await runOnnx(exportLayersModelToOnnx(m), input);
    const wantNchw = nchw(want);
    expect(got.length).toBe(wantNchw.length);
    expect(maxAbsDiff(got, wantNchw)).toBeLessThan(1e-5);
    tf.dispose([input, want]);
    m.layers.forEach((l) => l.dispose());
    expect(tf.memory().numTensors).toBe(before);
  });

  it('registers converters for every GroupDNet and SEAN layer class', () => {
    expect(onnxConvertibleLayers()).toEqual(expect.arrayContaining(['GroupConv2D', 'GroupSPADE', 'GroupDNetSegLayout', 'ACE']));
  });
});
