// cladeAffine: the fused CladeModulate kernel (registered by @clade/backend for wasm) against the
// composed gathers, Mul and Add, in values and in the gradients w.r.t. x, Γ and B.
import * as tf from '@tensorflow/tfjs-core';
import { CLADE_MODULATE as BACKEND_KERNEL, CLADE_MODULATE_SCALED as BACKEND_SCALED, initBackend } from '@clade/backend';
import { CLADE_MODULATE, CLADE_MODULATE_SCALED, cladeAffine, type CladeScales } from '../clade';

const shape = [2, 3, 5, 8] as const;
const k = 4;
function inputs() {
  const x = tf.tensor4d(Float32Array.from({ length: 240 }, (_, i) => Math.sin(i * 1.7)), [...shape]);
  const cls = tf.tensor3d(Int32Array.from({ length: 30 }, (_, i) => (i * 3 + 1) % k), [2, 3, 5], 'int32');
  const g = tf.tensor2d(Float32Array.from({ length: 32 }, (_, i) => Math.cos(i)), [k, 8]);
  const b = tf.tensor2d(Float32Array.from({ length: 32 }, (_, i) => 0.1 * i - 1), [k, 8]);
  const dy = tf.tensor4d(Float32Array.from({ length: 240 }, (_, i) => Math.cos(i * 0.3)), [...shape]);
  return { x, cls, g, b, dy };
}

const scaleShape = [2, 3, 5, 1] as const;
type Affine = (x: tf.Tensor4D, cls: tf.Tensor3D, g: tf.Tensor2D, b: tf.Tensor2D, s?: CladeScales) => tf.Tensor;

/** Values and gradients (x, Γ, B, and with `icpe` the two factors) of Σ dy ⊙ f(...). */
function run(f: Affine, icpe = false): Float32Array[] {
  return tf.tidy(() => {
    const { x, cls, g, b, dy } = inputs();
    const sg = tf.tensor4d(Float32Array.from({ length: 30 }, (_, i) => 1 + 0.3 * Math.sin(i)), [...scaleShape]);
    const sb = tf.tensor4d(Float32Array.from({ length: 30 }, (_, i) => 1 - 0.2 * Math.cos(i)), [...scaleShape]);
    const call = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor, s1?: tf.Tensor, s2?: tf.Tensor) =>
      f(xx as tf.Tensor4D, cls, gg as tf.Tensor2D, bb as tf.Tensor2D, s1 && s2 ? { gamma: s1 as tf.Tensor4D, beta: s2 as tf.Tensor4D } : undefined);
    const args = icpe ? [x, g, b, sg, sb] : [x, g, b];
    const y = call(...(args as [tf.Tensor, tf.Tensor, tf.Tensor]));
    const grads = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(call(...(a as [tf.Tensor, tf.Tensor, tf.Tensor])), dy)))(args);
    return [y, ...grads].map((t) => Float32Array.from(t.dataSync() as Float32Array));
  });
}

const composed: Affine = (x, cls, g, b, s) =>
  tf.add(tf.mul(x, s ? tf.mul(tf.gather(g, cls), s.gamma) : tf.gather(g, cls)), s ? tf.mul(tf.gather(b, cls), s.beta) : tf.gather(b, cls));

describe('cladeAffine', () => {
  afterAll(async () => {
    tf.env().set('IS_TEST', true);
    await tf.setBackend('cpu');
  });

  it('names the same kernels as @clade/backend registers', () => {
    expect([CLADE_MODULATE, CLADE_MODULATE_SCALED]).toEqual([BACKEND_KERNEL, BACKEND_SCALED]);
  });

  it('on cpu (no fused kernel) is the composed form', () => {
    expect(tf.getKernel(CLADE_MODULATE, 'cpu')).toBeUndefined();
    for (const icpe of [false, true]) {
      const [a, b] = [run(cladeAffine, icpe), run(composed, icpe)];
      a.forEach((v, i) => expect(Array.from(v)).toEqual(Array.from(b[i]!)));
    }
  });

  it('on wasm runs the fused kernel (plain and ICPE), with the composed values and gradients, and frees every tensor', async () => {
    await initBackend({ backend: 'wasm' });
    tf.env().set('IS_TEST', false);
    expect(tf.getKernel(CLADE_MODULATE, 'wasm')).toBeDefined();
    for (const icpe of [false, true]) {
      const before = tf.memory().numTensors;
      const [fused, plain] = [run(cladeAffine, icpe), run(composed, icpe)];
      expect(tf.memory().numTensors).toBe(before);
      ['value', 'dx', 'dΓ', 'dB', 'ds_γ', 'ds_β'].slice(0, fused.length).forEach((what, i) => {
        const worst = fused[i]!.reduce((m, v, j) => Math.max(m, Math.abs(v - plain[i]![j]!)), 0);
        expect([icpe, what, worst <= 1e-5 ? 'within 1e-5' : worst]).toEqual([icpe, what, 'within 1e-5']);
      });
      expect(fused.length).toBe(icpe ? 6 : 4);
    }
    // The kernel really ran: the profile shows CladeModulate, not GatherV2.
    const prof = await tf.profile(() => {
      tf.tidy(() => {
        const { x, cls, g, b } = inputs();
        cladeAffine(x, cls, g, b);
      });
    });
    const kernels = prof.kernels.map((r) => r.name);
    expect(kernels).toContain(CLADE_MODULATE);
    expect(tf.getKernel(CLADE_MODULATE_SCALED, 'wasm')).toBeDefined();
    expect(kernels).not.toContain('GatherV2');
  });
});
