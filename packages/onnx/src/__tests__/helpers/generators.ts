import * as tf from '@tensorflow/tfjs-core';
import { SpectralConv2D, labelsToSegmap, mulberry32, seededNormal } from '@clade/core';
import { powerIteration } from '@clade/core/internal';
import { SpadeGenerator, type GeneratorConfig } from '@clade/spade-gen';

/**
 * Re-randomises every weight to O(1) scale (as the official fixtures do): the default init
 * (gain 0.02, zero biases, mean 0 / var 1 running stats) would leave most of the exporter's
 * folding untested and the image near 0. The draws are a sine hash computed by backend kernels
 * (uniform, scaled to the wanted mean and std): tfjs' own seeded generators run in JS and take
 * seconds per million values on this shared machine.
 */
export function rerandomize(g: SpadeGenerator, seed: number): void {
  g.model.weights.forEach((w, i) => {
    const shape = w.shape as number[];
    const name = w.originalName;
    const s = seed * 1000 + i;
    const t = tf.tidy(() => {
      const size = shape.reduce((a, d) => a * d, 1);
      const u = () => {
        const x = tf.mul(tf.sin(tf.add(tf.mul(tf.range(0, size), 12.9898), s * 78.233)), 43758.5453);
        return tf.reshape(tf.sub(x, tf.floor(x)), shape); // [0, 1)
      };
      const n = (mean: number, std: number) => tf.add(tf.mul(tf.sub(u(), 0.5), std * Math.sqrt(12)), mean);
      // Mild statistics: real ones roughly match the features, so activations stay O(1)–O(10).
      if (name.endsWith('running_var')) return tf.add(tf.mul(u(), 0.6), 0.7);
      if (name.endsWith('running_mean')) return n(0, 0.2);
      if (name.endsWith('class_specified_affine/weight')) return n(1, 0.3);
      if (name.endsWith('weight_u') || name.endsWith('weight_v')) {
        const v = n(0, 1);
        return tf.div(v, tf.norm(v));
      }
      if (/dist_conv_[wb]\/weight$/.test(name)) return n(0, 0.5);
      if (shape.length === 4) return n(0, Math.sqrt(1 / (shape[0]! * shape[1]! * shape[2]!)));
      if (shape.length === 2 && name.includes('fc')) return n(0, Math.sqrt(1 / shape[0]!));
      return n(0, 0.1); // biases, β tables
    });
    w.write(t);
    t.dispose();
  });
  // Converge u, v, so that σ is the kernel's spectral norm: random u, v give a tiny σ and
  // exploding activations (a saturated tanh would hide any export error).
  for (const l of g.model.layers) {
    if (!(l instanceof SpectralConv2D) || !l.spectral) continue;
    const get = (n: string) => l.weights.find((w) => w.originalName.endsWith(`/${n}`))!;
    const kernel = get('weight_orig').read() as tf.Tensor4D;
    let u = tf.clone(get('weight_u').read()) as tf.Tensor1D;
    let v: tf.Tensor1D | null = null;
    for (let i = 0; i < 8; i++) {
      const it = powerIteration(kernel, u);
      tf.dispose([u, v!].filter(Boolean));
      ({ u, v } = it);
    }
    get('weight_u').write(u);
    get('weight_v').write(v!);
    tf.dispose([u, v!]);
  }
}

export const TINY: Partial<GeneratorConfig> & { labelNc: number } = {
  labelNc: 11, containDontcare: true, ngf: 8, cropSize: 64, initSeed: 7, spadeHiddenNc: 16,
};

/** Seeded random inputs at size × size: labels, one-hot seg (+edge), ICPE map, z. */
export function randomInputs(c: GeneratorConfig, size: [number, number], seed: number, n = 1) {
  const k = c.labelNc + (c.containDontcare ? 1 : 0);
  const [h, w] = size;
  const r = mulberry32(seed);
  // Blocky labels (8×8 cells), so resized maps are not just noise; plus a few single pixels.
  const cell = Int32Array.from({ length: n * Math.ceil(h / 8) * Math.ceil(w / 8) }, () => Math.floor(r() * k));
  const label = new Int32Array(n * h * w);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const i = (b * h + y) * w + x;
        label[i] = r() < 0.05 ? Math.floor(r() * k) : cell[(b * Math.ceil(h / 8) + (y >> 3)) * Math.ceil(w / 8) + (x >> 3)]!;
      }
  const edge = Float32Array.from({ length: n * h * w }, (_, i) => (i > 0 && label[i] !== label[i - 1] ? 1 : 0));
  const dist = Float32Array.from({ length: n * h * w * 2 }, () => 2 * r() - 1);
  const z = seededNormal(n * c.zDim, seed + 1);
  const seg = tf.tidy(() => {
    const l = tf.tensor3d(label, [n, h, w], 'int32');
    return c.useInstance ? labelsToSegmap(l, k, tf.tensor3d(edge, [n, h, w])) : labelsToSegmap(l, k);
  });
  return { label, edge, dist, z, seg, distT: tf.tensor4d(dist, [n, h, w, 2]), zT: tf.tensor2d(z, [n, c.zDim]) };
}
