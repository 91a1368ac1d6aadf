import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expectNoLeaks, maxAbsDiff, reloadLayersModel } from '@clade/test-utils';
import { AvgPoolExcludePad, BilinearResize, InstanceNorm } from '../../index';
import { avgPoolExcludePad, bilinearResize, bilinearWeights } from '../../internal';

const x = () => tf.randomNormal([2, 5, 6, 3], 0, 1, 'float32', 1);

// Weightless layers: the shared contract (which needs trainable weights) minus the gradient
// check on weights; instead the gradient reaches the input.
const cases: Array<{ name: string; make: () => tfl.layers.Layer; outputShape: number[] }> = [
  { name: 'InstanceNorm', make: () => new InstanceNorm({ name: 'model1.0.1' }), outputShape: [2, 5, 6, 3] },
  { name: 'AvgPoolExcludePad', make: () => new AvgPoolExcludePad({ name: 'downsample_1' }), outputShape: [2, 3, 3, 3] },
  { name: 'BilinearResize', make: () => new BilinearResize({ height: 8, width: 4, name: 'resize' }), outputShape: [2, 8, 4, 3] },
];

describe.each(cases)('$name layer contract', ({ make, outputShape }) => {
  it('computes its output shape concretely and symbolically, and round-trips its config', () => {
    const layer = make();
    const t = x();
    const y = layer.apply(t) as tf.Tensor;
    expect(y.shape).toEqual(outputShape);
    const sym = layer.apply(tfl.input({ shape: [5, 6, 3] })) as tfl.SymbolicTensor;
    expect(sym.shape).toEqual([null, ...outputShape.slice(1)]);
    const Cls = layer.constructor as new (c: unknown) => tfl.layers.Layer;
    expect(new Cls(layer.getConfig()).getConfig()).toEqual(layer.getConfig());
    tf.dispose([t, y]);
  });

  it('saves and loads inside a LayersModel', async () => {
    const input = tfl.input({ shape: [5, 6, 3] });
    const model = tfl.model({ inputs: input, outputs: make().apply(input) as tfl.SymbolicTensor });
    const loaded = await reloadLayersModel(model);
    const t = x();
    const [a, b] = [model.predict(t) as tf.Tensor, loaded.predict(t) as tf.Tensor];
    expect(maxAbsDiff(a, b)).toBe(0);
    tf.dispose([t, a, b]);
  });

  it('passes a non-zero gradient to its input and leaks nothing', async () => {
    const layer = make();
    const t = x();
    const probe = tf.randomNormal(outputShape, 0, 1, 'float32', 2);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(layer.apply(v) as tf.Tensor, probe)))(t);
    expect(tf.sum(tf.abs(g)).dataSync()[0]).toBeGreaterThan(0);
    await expectNoLeaks(() => layer.apply(t));
    tf.dispose([t, probe, g]);
  });
});

describe('pooling, norm and resize numerics', () => {
  it('avgPoolExcludePad leaves the zero padding out of the divisor (count_include_pad=False)', () => {
    const t = tf.reshape(tf.range(0, 16), [1, 4, 4, 1]) as tf.Tensor4D;
    const y = avgPoolExcludePad(t, 3, 2, 1);
    // Windows: rows/cols {0,1} | {1,2,3}: (0+1+4+5)/4, (1+2+3+5+6+7)/6, (4+5+8+9+12+13)/6, 9 cells / 9.
    expect(maxAbsDiff(y, [2.5, 4, 8.5, 10])).toBeLessThan(1e-6);
    tf.dispose([t, y]);
  });

  it('InstanceNorm normalises each sample and channel over H×W with the biased variance', () => {
    const t = tf.tensor4d([1, 10, 2, 20, 3, 30, 4, 40], [1, 2, 2, 2]);
    const y = new InstanceNorm().apply(t) as tf.Tensor;
    const z = 1 / Math.sqrt(1.25 + 1e-5); // channel 0: mean 2.5, var 1.25
    const got = Array.from(y.dataSync());
    [-1.5 * z, -1.5 * z, -0.5 * z, -0.5 * z, 0.5 * z, 0.5 * z, 1.5 * z, 1.5 * z].forEach((v, i) => expect(got[i]).toBeCloseTo(v, 2));
    tf.dispose([t, y]);
  });

  it('BilinearResize is F.interpolate(bilinear, align_corners=False): half-pixel centres, clamped borders', () => {
    const t = tf.tensor4d([0, 1], [1, 1, 2, 1]);
    const y = new BilinearResize({ height: 1, width: 4 }).apply(t) as tf.Tensor;
    // Source x = (j + 0.5)/2 − 0.5 = −0.25, 0.25, 0.75, 1.25 → clamped → 0, 0.25, 0.75, 1.
    expect(maxAbsDiff(y, [0, 0.25, 0.75, 1])).toBeLessThan(1e-7);
    tf.dispose([t, y]);
  });

  it('bilinearResize: the weight matrices reproduce the forward, and the gradient is their adjoint', () => {
    for (const [h, w, oh, ow] of [[5, 6, 8, 4], [7, 3, 3, 7], [4, 4, 16, 9]] as const) {
      const t = tf.randomNormal([2, h, w, 3], 0, 1, 'float32', h * 31 + w) as tf.Tensor4D;
      const probe = tf.randomNormal([2, oh, ow, 3], 0, 1, 'float32', 5);
      const y = bilinearResize(t, oh, ow);
      // Reference: y[n,j,k,c] = Σ Ry[j,a] Rx[k,b] x[n,a,b,c], and its adjoint for the gradient.
      const [ry, rx] = [bilinearWeights(oh, h), bilinearWeights(ow, w)];
      const apply = (src: Float32Array, [sh, sw]: [number, number], [dh, dw]: [number, number], fwd: boolean) => {
        const out = new Float64Array(2 * dh * dw * 3);
        for (let n = 0; n < 2; n++) for (let j = 0; j < oh; j++) for (let k = 0; k < ow; k++) for (let a = 0; a < h; a++) for (let b = 0; b < w; b++) {
          const wgt = ry[j * h + a]! * rx[k * w + b]!;
          if (wgt === 0) continue;
          for (let c = 0; c < 3; c++) {
            if (fwd) out[((n * dh + j) * dw + k) * 3 + c]! += wgt * src[((n * sh + a) * sw + b) * 3 + c]!;
            else out[((n * dh + a) * dw + b) * 3 + c]! += wgt * src[((n * sh + j) * sw + k) * 3 + c]!;
          }
        }
        return out;
      };
      expect(maxAbsDiff(y, apply(t.dataSync() as Float32Array, [h, w], [oh, ow], true))).toBeLessThan(1e-5);
      const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(bilinearResize(v as tf.Tensor4D, oh, ow), probe)))(t);
      expect(g.shape).toEqual(t.shape);
      expect(maxAbsDiff(g, apply(probe.dataSync() as Float32Array, [oh, ow], [h, w], false))).toBeLessThan(1e-5);
      tf.dispose([t, probe, y, g]);
    }
  });

  it('rejects bad arguments and ranks', () => {
    expect(() => new AvgPoolExcludePad({ poolSize: 3, padding: 2 })).toThrow(/padding must be an integer in \[0, poolSize\/2\], got 2/);
    expect(() => new InstanceNorm({ epsilon: 0 })).toThrow(/epsilon/);
    expect(() => new BilinearResize({ height: 0, width: 4 })).toThrow(/height/);
    const t = tf.zeros([2, 3, 3]);
    expect(() => new InstanceNorm().apply(t)).toThrow(/rank 4/);
    t.dispose();
  });
});
