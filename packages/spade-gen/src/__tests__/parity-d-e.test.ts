// Golden parity of the discriminator and encoder against OUR PyTorch reference
// (scripts/goldens/d_e_reference.py, torch 2.13 CPU): a reimplementation of REFERENCE §8–9 with
// stock torch.nn modules (Conv2d, spectral_norm, InstanceNorm2d, AvgPool2d(count_include_pad=False),
// F.interpolate), NOT the official code. Fixtures and notes: ./fixtures/d_e_reference.json.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { readNpz, readTorchCheckpoint, SpectralConv2D, type NdArray } from '@clade/core';
import { spectralSigma } from '@clade/core/internal';
import { maxAbsDiff } from '@clade/test-utils';
import { ConvEncoder, MultiscaleDiscriminator } from '../index';

const FIX = path.join(__dirname, 'fixtures');
const bytes = (f: string) => new Uint8Array(readFileSync(path.join(FIX, f)));
const note = JSON.parse(readFileSync(path.join(FIX, 'd_e_reference.json'), 'utf8')) as {
  discriminator: { semantic_nc: number; ndf: number; n_layers: number; num_d: number };
  encoder: { ngf: number; crop_size: number; z_dim: number };
};
const TOL = 1e-4;

const toTensor = (a: NdArray) => tf.tensor(Float32Array.from(a.data as ArrayLike<number>), a.shape);
/** NCHW array → NHWC tensor. */
const nhwc = (a: NdArray) => tf.tidy(() => tf.transpose(toTensor(a), [0, 2, 3, 1]) as tf.Tensor4D);

/** Max |Δ| of every named comparison, asserted together so a failure lists them all. */
function expectAllClose(diffs: Record<string, number>, tol = TOL): void {
  for (const [name, d] of Object.entries(diffs)) expect({ name, ok: d <= tol, d }).toEqual({ name, ok: true, d });
}

/** Our u, v (and their official keys) after a forward, against the reference's. */
function uvDiffs(model: { weights: Array<{ originalName: string; read(): tf.Tensor }> }, expected: Map<string, NdArray>): Record<string, number> {
  const diffs: Record<string, number> = {};
  for (const [key, arr] of expected) {
    const name = key.replace(/\.(weight_[uv])$/, '/$1');
    const w = model.weights.find((x) => x.originalName === name);
    if (!w) throw new Error(`no weight ${name} for ${key}`);
    diffs[key] = maxAbsDiff(w.read(), arr.data as Float32Array);
  }
  return diffs;
}

/** σ of every spectral conv with its current u, v, in state-dict order. */
function sigmas(layers: SpectralConv2D[]): number[] {
  return layers.map((l) => {
    const [kernel, u, v] = ['weight_orig', 'weight_u', 'weight_v'].map((n) => l.weights.find((w) => w.originalName.endsWith(`/${n}`))!.read());
    return tf.tidy(() => spectralSigma(kernel as tf.Tensor4D, u as tf.Tensor1D, v as tf.Tensor1D).dataSync()[0]!);
  });
}
/** The spectral convs in state-dict order (the model's layer order is topological, by depth). */
const spectralLayers = (m: { layers: unknown[] }) =>
  m.layers.filter((l): l is SpectralConv2D => l instanceof SpectralConv2D && l.spectral).sort((a, b) => (a.name < b.name ? -1 : 1));

// The reference backend (cpu) and wasm (the fast one). Forward passes only, so tfjs' IS_TEST
// leak check (which misfires for fused-conv gradients on wasm) stays on.
for (const backend of ['cpu', 'wasm'] as const) {
  describe(`on ${backend}`, () => {
    beforeAll(async () => {
      if (backend === 'wasm') {
        const { initBackend } = await import('@clade/backend');
        await initBackend({ backend: 'wasm' });
      }
    });
    afterAll(() => tf.setBackend('cpu'));

    describe(`MultiscaleDiscriminator parity with the PyTorch reference (d_e_reference.py) on ${backend}`, () => {
      const c = note.discriminator;
      const io = readNpz(bytes('d_io.npz'), 'd_io.npz');
      const labels = io.get('labels')!;
      let d: MultiscaleDiscriminator;
      let seg: tf.Tensor4D;
      let image: tf.Tensor4D;

      beforeAll(() => {
        d = new MultiscaleDiscriminator({ labelNc: c.semantic_nc, ndf: c.ndf, nLayers: c.n_layers, numD: c.num_d });
        d.loadTorchStateDict(readTorchCheckpoint(bytes('d_state.pth'), 'd_state.pth'), 'd_state.pth');
        const ids = tf.tensor(labels.data as Int32Array, labels.shape, 'int32');
        seg = tf.cast(tf.oneHot(ids, c.semantic_nc), 'float32') as tf.Tensor4D;
        image = nhwc(io.get('image')!);
        ids.dispose();
      });
      afterAll(() => {
        tf.dispose([seg, image]);
        d.dispose();
      });

      const featureDiffs = (feats: tf.Tensor4D[][], mode: 'eval' | 'train') => {
        const diffs: Record<string, number> = {};
        feats.forEach((scale, i) => scale.forEach((f, j) => {
          const ref = nhwc(io.get(`${mode}_${i}_${j}`)!);
          expect(f.shape).toEqual(ref.shape);
          diffs[`${mode}_${i}_${j}`] = maxAbsDiff(f, ref);
          ref.dispose();
        }));
        return diffs;
      };

      it(`eval mode: σ and all ${c.num_d}×${c.n_layers + 1} feature maps within ${TOL}`, () => {
        const sig = sigmas(spectralLayers(d.model));
        expect(maxAbsDiff(sig, io.get('sigma_eval')!.data as Float32Array)).toBeLessThan(1e-5);
        const feats = d.apply({ seg, image });
        const diffs = featureDiffs(feats, 'eval');
        // eslint-disable-next-line no-console
        console.log(`[${backend}] D eval parity: max |Δ| = ${Math.max(...Object.values(diffs)).toExponential(2)}`);
        expectAllClose(diffs);
        tf.dispose(feats.flat());
      });

      it('refuses a foreign state dict, listing missing and unexpected keys', () => {
        const other = new MultiscaleDiscriminator({ labelNc: c.semantic_nc, ndf: c.ndf, nLayers: c.n_layers, numD: c.num_d });
        const foreign = readTorchCheckpoint(bytes('e_state.pth'), 'e_state.pth');
        expect(() => other.loadTorchStateDict(foreign, 'e_state.pth')).toThrow(
          /e_state\.pth does not fit .*missing keys: .*discriminator_0\.model0\.0\.weight.*; unexpected keys: layer1\.0\.weight_orig/,
        );
        const wrongS = new MultiscaleDiscriminator({ labelNc: c.semantic_nc + 1, ndf: c.ndf, nLayers: c.n_layers, numD: c.num_d });
        expect(() => wrongS.loadTorchStateDict(readTorchCheckpoint(bytes('d_state.pth')), 'd_state.pth')).toThrow(
          /mis-shaped keys: discriminator_0\.model0\.0\.weight \[4,9,4,4\]/,
        );
        other.dispose();
        wrongS.dispose();
      });

      it('one train-mode forward: feature maps, σ and the updated weight_u / weight_v', () => {
        const feats = d.apply({ seg, image }, true);
        const diffs = featureDiffs(feats, 'train');
        const uv = uvDiffs(d.model, readTorchCheckpoint(bytes('d_state_train.pth'), 'd_state_train.pth'));
        expect(Object.keys(uv)).toHaveLength(2 * c.num_d * (c.n_layers - 1));
        const sig = sigmas(spectralLayers(d.model));
        // eslint-disable-next-line no-console
        console.log(
          `[${backend}] D train parity: features ${Math.max(...Object.values(diffs)).toExponential(2)}, ` +
            `u/v ${Math.max(...Object.values(uv)).toExponential(2)}`,
        );
        expectAllClose({ ...diffs, ...uv, sigma: maxAbsDiff(sig, io.get('sigma_train')!.data as Float32Array) });
        tf.dispose(feats.flat());
      });
    });

    describe(`ConvEncoder parity with the PyTorch reference (d_e_reference.py) on ${backend}`, () => {
      const c = note.encoder;
      const io = readNpz(bytes('e_io.npz'), 'e_io.npz');
      let e: ConvEncoder;
      let image: tf.Tensor4D;

      beforeAll(() => {
        e = new ConvEncoder({ ngf: c.ngf, cropSize: c.crop_size, zDim: c.z_dim });
        e.loadTorchStateDict(readTorchCheckpoint(bytes('e_state.pth'), 'e_state.pth'), 'e_state.pth');
        image = nhwc(io.get('image')!); // 32×48: bilinear-resized (squashed) to 256×256 inside
      });
      afterAll(() => {
        image.dispose();
        e.dispose();
      });

      it(`eval mode: σ, mu and logvar within ${TOL} (non-square input resized to 256²)`, () => {
        expect(maxAbsDiff(sigmas(spectralLayers(e.model)), io.get('sigma_eval')!.data as Float32Array)).toBeLessThan(1e-5);
        const { mu, logvar } = e.apply(image);
        const diffs = { mu: maxAbsDiff(mu, io.get('mu')!.data as Float32Array), logvar: maxAbsDiff(logvar, io.get('logvar')!.data as Float32Array) };
        // eslint-disable-next-line no-console
        console.log(`[${backend}] E eval parity: mu ${diffs.mu.toExponential(2)}, logvar ${diffs.logvar.toExponential(2)}`);
        expectAllClose(diffs);
        tf.dispose([mu, logvar]);
      });

      it('one train-mode forward: mu, logvar, σ and the updated weight_u / weight_v', () => {
        const { mu, logvar } = e.apply(image, true);
        const uv = uvDiffs(e.model, readTorchCheckpoint(bytes('e_state_train.pth'), 'e_state_train.pth'));
        expect(Object.keys(uv)).toHaveLength(12);
        const diffs = {
          mu: maxAbsDiff(mu, io.get('train_mu')!.data as Float32Array),
          logvar: maxAbsDiff(logvar, io.get('train_logvar')!.data as Float32Array),
          sigma: maxAbsDiff(sigmas(spectralLayers(e.model)), io.get('sigma_train')!.data as Float32Array),
        };
        // eslint-disable-next-line no-console
        console.log(
          `[${backend}] E train parity: mu/logvar ${Math.max(diffs.mu, diffs.logvar).toExponential(2)}, ` +
            `σ ${diffs.sigma.toExponential(2)}, u/v ${Math.max(...Object.values(uv)).toExponential(2)}`,
        );
        expectAllClose({ ...diffs, ...uv });
        tf.dispose([mu, logvar]);
      });
    });
  });
}
