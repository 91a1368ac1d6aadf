// The converter registry on models other than our generator: tfjs built-ins (Conv2D with TF
// 'same' padding and stride 2, Dense → Reshape → Permute, Concatenate, UpSampling2D) and our
// InstanceNorm / NearestResize, each checked against tfjs; and the errors for what cannot export.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { InstanceNorm, NearestResize, SPADE, CladeError } from '@clade/core';
import { maxAbsDiff } from '@clade/test-utils';
import { createSession, exportLayersModelToOnnx, loadOrt, onnxConvertibleLayers } from '../index';

async function runOnnx(bytes: Uint8Array, feeds: Record<string, { data: Float32Array; dims: number[] }>): Promise<Float32Array> {
  const { Tensor } = await loadOrt();
  const s = await createSession(bytes, 'test model', { threads: 1 });
  try {
    const out = await s.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new Tensor('float32', v.data, v.dims)])));
    return out[s.outputNames[0]!]!.data as Float32Array;
  } finally {
    await s.release();
  }
}
const nchw = (t: tf.Tensor) => tf.tidy(() => Float32Array.from(tf.transpose(t, [0, 3, 1, 2]).dataSync()));

describe('exportLayersModelToOnnx on generic models', () => {
  it('Conv2D (same, stride 2, odd and even sizes), UpSampling2D, Concatenate, InstanceNorm, NearestResize, LeakyReLU', async () => {
    for (const [h, w] of [[9, 8], [8, 8]] as const) {
      const x = tfl.input({ shape: [h, w, 3], name: 'x' });
      const a = tfl.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'down' }).apply(x) as tfl.SymbolicTensor;
      const up = tfl.layers.upSampling2d({ size: [2, 2] }).apply(a) as tfl.SymbolicTensor;
      const back = new NearestResize({ height: h, width: w }).apply(up) as tfl.SymbolicTensor;
      const cat = tfl.layers.concatenate({ axis: -1 }).apply([back, x]) as tfl.SymbolicTensor;
      const n = new InstanceNorm().apply(tfl.layers.leakyReLU({ alpha: 0.2 }).apply(cat)) as tfl.SymbolicTensor;
      const y = tfl.layers.conv2d({ filters: 2, kernelSize: 4, padding: 'valid', name: 'head' }).apply(n) as tfl.SymbolicTensor;
      const m = tfl.model({ inputs: x, outputs: y });
      const input = tf.randomNormal([2, h, w, 3], 0, 1, 'float32', 3);
      const want = m.predict(input) as tf.Tensor;
      const got = await runOnnx(exportLayersModelToOnnx(m), { x: { data: nchw(input), dims: [2, 3, h, w] } });
      expect(maxAbsDiff(got, nchw(want))).toBeLessThan(1e-5);
      tf.dispose([input, want]);
      m.layers.forEach((l) => l.dispose());
    }
  });

  it('Dense → Reshape → Permute follows the NCHW view (the VAE input path)', async () => {
    const z = tfl.input({ shape: [5], name: 'z' });
    let v = tfl.layers.dense({ units: 4 * 2 * 3, name: 'fc' }).apply(z) as tfl.SymbolicTensor;
    v = tfl.layers.reshape({ targetShape: [4, 2, 3] }).apply(v) as tfl.SymbolicTensor;
    v = tfl.layers.permute({ dims: [2, 3, 1] }).apply(v) as tfl.SymbolicTensor; // NHWC [N,2,3,4]
    const y = tfl.layers.conv2d({ filters: 3, kernelSize: 1 }).apply(v) as tfl.SymbolicTensor;
    const m = tfl.model({ inputs: z, outputs: y });
    const input = tf.randomNormal([2, 5], 0, 1, 'float32', 4);
    const want = m.predict(input) as tf.Tensor;
    const got = await runOnnx(exportLayersModelToOnnx(m), { z: { data: Float32Array.from(input.dataSync()), dims: [2, 5] } });
    expect(maxAbsDiff(got, nchw(want))).toBeLessThan(1e-5);
    tf.dispose([input, want]);
  });

  it('names the layer class and the convertible ones when a converter is missing', () => {
    const x = tfl.input({ shape: [4, 4, 2], name: 'x' });
    const m = tfl.model({ inputs: x, outputs: tfl.layers.maxPooling2d({ poolSize: 2 }).apply(x) as tfl.SymbolicTensor });
    expect(() => exportLayersModelToOnnx(m)).toThrow(/no ONNX converter for layer class 'MaxPooling2D'.*convertible: .*CLADE/);
    expect(onnxConvertibleLayers()).toEqual(expect.arrayContaining(['SPADE', 'CLADE', 'CLADEICPE', 'SpectralConv2D', 'NearestResize']));
  });

  it('asks for inputSize when H, W are open, and for a semantic input spec for SPADE', () => {
    const x = tfl.input({ shape: [null, null, 3], name: 'x' });
    const seg = tfl.input({ shape: [null, null, 5], name: 'seg' });
    const y = new SPADE({ semanticNc: 5, hiddenNc: 4, paramFreeNorm: 'instance' }).apply([x, seg]) as tfl.SymbolicTensor;
    const m = tfl.model({ inputs: [x, seg], outputs: y });
    expect(() => exportLayersModelToOnnx(m)).toThrow(/input 'x' has open H, W.*inputSize/);
    let err: unknown;
    try {
      exportLayersModelToOnnx(m, { inputSize: { height: 4, width: 4 } });
    } catch (e) {
      err = e;
    }
    expect(CladeError.isInstance(err)).toBe(true);
    expect((err as Error).message).toMatch(/segmap input must be exported as a semantic input/);
    expect(() => exportLayersModelToOnnx(m, { inputSize: { height: 4, width: 4 }, inputs: { seg: { kind: 'semantic', numClasses: 5, edge: true } } })).toThrow(
      /semantic input 'seg' has 5 channels, but numClasses 5 \+ edge true gives 6/,
    );
  });
});
