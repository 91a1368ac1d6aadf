// `clade synthesize --style --encoder` and `clade convert --encoder` with a tiny VAE generator and
// encoder built here (seeded init), saved as official-layout .pth files (no shared data needed).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { initBackend } from '@clade/backend';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { labelsToSegmap, readNpy, seededNormal, torchKeyOf, torchTransformOf, writeTorchCheckpoint, type NdArray } from '@clade/core';
import { imageToFloat, resizeBicubicPil8 } from '@clade/data';
import { ConvEncoder, SpadeGenerator, reparameterize } from '@clade/spade-gen';
import { encode as encodePng } from 'fast-png';
import { maxAbsDiff } from '@clade/test-utils';
import { expectUserError, runCli, type CliResult } from './run-cli';

const npy = (file: string): NdArray => readNpy(new Uint8Array(readFileSync(file)), file);


/** A model's weights as an official state dict: '.'-separated keys, conv [O,I,kh,kw], linear [out,in]. */
function torchStateOf(model: tfl.LayersModel): Map<string, NdArray> {
  const state = new Map<string, NdArray>();
  for (const w of model.weights) {
    const t = torchTransformOf(w.originalName, w.shape.length);
    const v = w.read();
    const x = t === 'conv' ? tf.transpose(v, [3, 2, 0, 1]) : t === 'linear' ? tf.transpose(v, [1, 0]) : v;
    state.set(torchKeyOf(w.originalName), { dtype: 'float32', shape: x.shape, data: x.dataSync() as Float32Array });
    if (x !== v) x.dispose();
  }
  return state;
}

/** A smooth RGB test pattern, 8-bit interleaved. */
function pattern(w: number, h: number, phase: number): Uint8Array {
  const d = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 3; c++)
        d[(y * w + x) * 3 + c] = Math.round(127.5 + 127.5 * Math.sin(phase + (x * (c + 1)) / 7 + (y * (3 - c)) / 5));
  return d;
}

const S = 32; // model size
const Z = 8;
let tmp: string;
const f = (name: string) => path.join(tmp, name);
const want: Record<string, Float32Array> = {};

beforeAll(async () => {
  // The encoder resizes every input to 256², slow on the cpu backend: the reference runs on wasm
  // (the backend the CLI picks here when tfjs-node is absent).
  await initBackend({ backend: 'wasm' });
  tmp = mkdtempSync(path.join(tmpdir(), 'clade-style-'));
  // Init gains above the official 0.02 (which gives a ~0 output here and mu ~ 0.03), so that z,
  // and so the style image, visibly change the output: otherwise the comparison would be empty.
  const g = new SpadeGenerator({ labelNc: 3, ngf: 4, cropSize: S, normMode: 'clade', useVae: true, zDim: Z, initSeed: 11, initGain: 5 });
  // The official encoder layout (crop ≥ 256: layer1..layer6, 4×4 into fc_mu / fc_var).
  const e = new ConvEncoder({ ngf: 4, zDim: Z, initSeed: 12, initGain: 1 });
  const ids = Int32Array.from({ length: S * S }, (_, i) => (Math.floor(i / S / 11) + Math.floor((i % S) / 13)) % 3);
  const labels = tf.tensor3d(ids, [1, S, S], 'int32');
  const seg = labelsToSegmap(labels, 3);
  const a = pattern(S, S, 0);
  const b = pattern(48, 40, 2); // another size: PIL-bicubic to 32×32 (resize_and_crop at test time)
  const toImage = (rgb: Uint8Array, w: number, h: number) => tf.tensor4d(imageToFloat({ width: w, height: h, data: rgb }), [1, h, w, 3]);
  const imgA = toImage(a, S, S);
  const imgB = toImage(resizeBicubicPil8(b, 48, 40, 3, S, S), S, S);
  // One training pass each: the power iterations give sane spectral-norm u, v (REFERENCE §15.3).
  const { mu: mu0, logvar: lv0 } = e.apply(imgA, true);
  g.apply({ seg, z: mu0 }, true).dispose();
  tf.dispose([mu0, lv0]);

  const nchw = (t: tf.Tensor) => tf.tidy(() => tf.transpose(t, [0, 3, 1, 2]).dataSync() as Float32Array);
  const encA = e.encode(imgA);
  want.a = nchw(g.apply({ seg, z: encA.mu }));
  const eps = tf.tensor2d(seededNormal(Z, 5), [1, Z]); // --seed 5: core's seeded stream, as the CLI draws it
  const encB = e.apply(imgB);
  const zB = reparameterize(encB.mu, encB.logvar, eps);
  want.bSample = nchw(g.apply({ seg, z: zB }));

  writeFileSync(f('G.pth'), writeTorchCheckpoint(torchStateOf(g.model)));
  const plain = new SpadeGenerator({ labelNc: 3, ngf: 4, cropSize: S, normMode: 'clade', initSeed: 13 });
  writeFileSync(f('G_plain.pth'), writeTorchCheckpoint(torchStateOf(plain.model)));
  plain.dispose();
  writeFileSync(f('E.pth'), writeTorchCheckpoint(torchStateOf(e.model)));
  writeFileSync(f('label.png'), encodePng({ width: S, height: S, data: Uint8Array.from(ids), channels: 1, depth: 8 }));
  writeFileSync(f('a.png'), encodePng({ width: S, height: S, data: a, channels: 3, depth: 8 }));
  writeFileSync(f('b.png'), encodePng({ width: 48, height: 40, data: b, channels: 3, depth: 8 }));
  writeFileSync(f('z.npy'), new Uint8Array(0)); // never read: --z with --style is refused first
  tf.dispose([labels, seg, imgA, imgB, encA.mu, encA.logvar, encA.z, eps, encB.mu, encB.logvar, zB]);
  g.dispose();
  e.dispose();
});
afterAll(async () => {
  rmSync(tmp, { recursive: true, force: true });
  await tf.setBackend('cpu');
});

describe('clade synthesize --style (VAE encoder)', () => {
  const r: Record<string, CliResult> = {};

  beforeAll(async () => {
    const model = ['--preset', 'custom', '--crop-size', String(S), '--vae', '--label', f('label.png')];
    const jobs: Record<string, string[]> = {
      conv: ['convert', f('G.pth'), f('vae'), '--preset', 'custom', '--crop-size', String(S), '--encoder', f('E.pth'), '--json'],
      // The converted folder carries its encoder: no --encoder needed.
      fromDir: [
        'synthesize', '--checkpoint', f('vae'), '--label', f('label.png'), '--style', f('a.png'), '--out', f('d.png'),
        '--out-npy', f('d.npy'),
      ],
      mu: [
        'synthesize', '--checkpoint', f('G.pth'), '--encoder', f('E.pth'), ...model, '--style', f('a.png'), '--out',
        f('a_out.png'), '--out-npy', f('a.npy'),
      ],
      sample: [
        'synthesize', '--checkpoint', f('G.pth'), '--encoder', f('E.pth'), ...model, '--style', f('b.png'),
        '--style-sample', '--seed', '5', '--out', f('b_out.png'), '--out-npy', f('b.npy'), '--json',
      ],
      noEnc: ['synthesize', '--checkpoint', f('G.pth'), ...model, '--style', f('a.png'), '--out', f('x.png')],
      both: [
        'synthesize', '--checkpoint', f('G.pth'), '--encoder', f('E.pth'), ...model, '--style', f('a.png'), '--z',
        f('z.npy'), '--out', f('x.png'),
      ],
      notEnc: ['synthesize', '--checkpoint', f('G.pth'), '--encoder', f('G.pth'), ...model, '--style', f('a.png'), '--out', f('x.png')],
      noVae: [
        'synthesize', '--checkpoint', f('G_plain.pth'), '--encoder', f('E.pth'), '--preset', 'custom', '--crop-size',
        String(S), '--label', f('label.png'), '--style', f('a.png'), '--out', f('x.png'),
      ],
    };
    // Two lanes (2 cores); fromDir needs conv's folder.
    const lane = async (names: string[]) => {
      for (const n of names) r[n] = await runCli(jobs[n]!);
    };
    await Promise.all([lane(['conv', 'fromDir', 'both', 'noEnc']), lane(['mu', 'sample', 'notEnc', 'noVae'])]);
  });

  it('G(E(style).mu) and the --style-sample draw equal the in-process forward', () => {
    for (const n of ['mu', 'sample']) expect({ n, code: r[n]!.code, err: r[n]!.err }).toEqual({ n, code: 0, err: '' });
    const a = npy(f('a.npy')).data as Float32Array;
    expect(maxAbsDiff(a, want.a!)).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDiff(npy(f('b.npy')).data as Float32Array, want.bSample!)).toBeLessThanOrEqual(1e-5);
    // Not flat, not saturated, and the style matters: the comparisons mean something.
    const mean = a.reduce((x, v) => x + v, 0) / a.length;
    expect(Math.sqrt(a.reduce((x, v) => x + (v - mean) ** 2, 0) / a.length)).toBeGreaterThan(0.1);
    expect(a.filter((v) => Math.abs(v) < 0.99).length).toBeGreaterThan(a.length / 2);
    expect(maxAbsDiff(a, want.bSample!)).toBeGreaterThan(0.1);
    expect(JSON.parse(r.sample!.out).style).toEqual({ image: f('b.png'), encoder: f('E.pth'), z: 'sample' });
  });

  it('convert --encoder writes <out>/encoder/, which synthesize --style uses by itself', () => {
    for (const n of ['conv', 'fromDir']) expect({ n, code: r[n]!.code, err: r[n]!.err }).toEqual({ n, code: 0, err: '' });
    expect(JSON.parse(r.conv!.out).encoder).toMatchObject({
      dir: path.join(f('vae'), 'encoder'),
      stateDictKeys: 22,
      config: { ngf: 4, zDim: Z, cropSize: 256, spectral: true },
    });
    expect(maxAbsDiff(npy(f('d.npy')).data as Float32Array, npy(f('a.npy')).data as Float32Array)).toBeLessThanOrEqual(1e-6);
  });

  it('one-line errors: no encoder, --z with --style, a generator as the encoder, --style on a non-VAE model', () => {
    expectUserError(
      r.noEnc!,
      /--style needs the VAE encoder: pass --encoder <latest_net_E\.pth> \(the official VAE release ships latest_net_E\.pth next to latest_net_G\.pth\)/,
    );
    expectUserError(r.both!, /--z and --style exclude each other/);
    expectUserError(r.notEnc!, /--encoder '.*G\.pth' is not a VAE encoder state dict .*Pass the official \*_net_E\.pth/);
    expectUserError(r.noVae!, /--style is for VAE generators \(--vae\); this one is custom clade/);
  });
});
