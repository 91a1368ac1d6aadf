// Model folders (clade.json + model.json + weights.bin, float32 or float16): they round-trip a
// generator, and weights holding NaN/±Infinity are refused at load, naming weights.bin and the
// tensor, instead of rendering an all-black image.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { IOError, labelsToSegmap } from '@clade/core';
import { SpadeGenerator, presetLabelSpec } from '@clade/spade-gen';
import { decodeFloatWeights, toFloat16Bits } from '../index';
import { CLADE_JSON, WEIGHTS_BIN, loadGeneratorDir, readCladeJson, saveGeneratorDir } from '../node';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const spec = (name: string, shape: number[], extra: Partial<tf.io.WeightsManifestEntry> = {}): tf.io.WeightsManifestEntry =>
  ({ name, shape, dtype: 'float32', ...extra });

describe('decodeFloatWeights', () => {
  it('decodes float32, float16 and uint8 weights as tfjs does; steps over int32, bool and strings', () => {
    const parts = [
      new Uint8Array(Float32Array.of(1.5, NaN).buffer),
      new Uint8Array(Int32Array.of(-1).buffer),
      new Uint8Array(Uint32Array.of(3).buffer), Uint8Array.of(97, 98, 99), // one string 'abc'
      new Uint8Array(Uint16Array.of(toFloat16Bits(-2), 0x7c00).buffer),
      Uint8Array.of(1, 0), // bool
      Uint8Array.of(0, 10), // uint8, scale 0.5, min -1
    ];
    const data = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
    parts.reduce((at, p) => (data.set(p, at), at + p.length), 0);
    const specs = [
      spec('f32', [2]), spec('i32', [1], { dtype: 'int32' }), spec('s', [1], { dtype: 'string' }),
      spec('f16', [2], { quantization: { dtype: 'float16' } }), spec('b', [2], { dtype: 'bool' }),
      spec('q8', [2], { quantization: { dtype: 'uint8', scale: 0.5, min: -1 } }),
    ];
    const got = [...decodeFloatWeights(specs, data.buffer)].map(([n, a]) => [n, Array.from(a.data)]);
    expect(got).toEqual([['f32', [1.5, NaN]], ['f16', [-2, Infinity]], ['q8', [-1, 4]]]);
    // A buffer too short for a weight: decoding stops there (tfjs reports it).
    expect([...decodeFloatWeights([spec('f32', [2]), spec('more', [4])], data.buffer.slice(0, 8))].map(([n]) => n)).toEqual(['f32']);
  });
});

describe('model folders with non-finite weights', () => {
  let tmp: string;
  let g: SpadeGenerator;
  beforeAll(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'clade-finite-'));
    g = new SpadeGenerator({ labelNc: 3, ngf: 4, cropSize: 32, normMode: 'clade' });
  });
  afterAll(() => {
    g.dispose();
    rmSync(tmp, { recursive: true, force: true });
  });

  /** Saves the generator to `name`, then overwrites element 5 of the `nth` float weight with `bits` (float32 or float16 bits). */
  async function damagedFolder(name: string, float16: boolean, bits: number | null): Promise<{ dir: string; tensor: string }> {
    const dir = path.join(tmp, name);
    await saveGeneratorDir(
      dir,
      { preset: 'custom', config: g.config, label: presetLabelSpec(g.config), model: g.model, source: 'test' },
      { file: 'test', sha256: '' },
      { float16 },
    );
    const specs = (JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON).weightsManifest[0]!.weights;
    const size = (s: tf.io.WeightsManifestEntry) => s.shape.reduce((a, b) => a * b, 1) * (s.quantization ? 2 : 4);
    const target = specs.findIndex((s, i) => i >= 3 && s.dtype === 'float32' && size(s) >= 24);
    const offset = specs.slice(0, target).reduce((a, s) => a + size(s), 0);
    if (bits !== null) {
      const file = path.join(dir, WEIGHTS_BIN);
      const bytes = readFileSync(file);
      if (float16) bytes.writeUInt16LE(bits, offset + 5 * 2);
      else bytes.writeUInt32LE(bits, offset + 5 * 4);
      writeFileSync(file, bytes);
    }
    return { dir, tensor: specs[target]!.name };
  }

  it('refuses NaN in float32 weights and +Infinity in float16 weights, naming weights.bin and the tensor; clean folders load', async () => {
    const nan = await damagedFolder('nan32', false, 0x7fc00000);
    const err = await loadGeneratorDir(nan.dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IOError);
    expect((err as Error).message).toMatch(
      new RegExp(
        `^'${escape(path.join(nan.dir, WEIGHTS_BIN))}': tensor '${escape(nan.tensor)}' holds 1 ` +
          `non-finite value \\(first NaN at index 5\\); the file is damaged or the run diverged\\.$`,
      ),
    );

    const inf = await damagedFolder('inf16', true, 0x7c00);
    await expect(loadGeneratorDir(inf.dir)).rejects.toThrow(
      new RegExp(`${escape(WEIGHTS_BIN)}': tensor '${escape(inf.tensor)}' holds 1 non-finite value \\(first Infinity at index 5\\)`),
    );

    for (const [name, float16] of [['ok32', false], ['ok16', true]] as const) {
      const ok = await damagedFolder(name, float16, null);
      const loaded = await loadGeneratorDir(ok.dir);
      expect(loaded.model.inputNames[0]).toBe('seg');
      loaded.model.dispose();
    }
  });
});

describe('model folders round-trip a generator', () => {
  it('float32 exactly, float16 within half precision; clade.json rebuilds the config', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'clade-folder-'));
    const g = new SpadeGenerator({ labelNc: 3, ngf: 4, cropSize: 32, normMode: 'clade', initSeed: 1 });
    const seg = tf.tidy(() => labelsToSegmap(tf.tensor3d(Int32Array.from({ length: 32 * 32 }, (_, i) => (i >> 6) % 3), [1, 32, 32], 'int32'), 3));
    // One training pass first: running statistics and spectral-norm vectors of a fresh net leave
    // its eval output saturated at ±1, where half-precision weights flip pixels between the two.
    tf.tidy(() => g.apply({ seg }, true));
    const want = tf.tidy(() => g.apply({ seg }, false).dataSync().slice() as Float32Array);
    expect(want.filter((v) => Math.abs(v) > 0.99).length).toBeLessThan(want.length / 2);
    try {
      for (const float16 of [false, true]) {
        const out = path.join(dir, float16 ? 'f16' : 'f32');
        await saveGeneratorDir(
          out,
          { preset: 'custom', config: g.config, label: presetLabelSpec(g.config), model: g.model, source: 'test' },
          { file: 'x.pth', sha256: 'ab' },
          { float16 },
        );
        expect(await readCladeJson(out)).toMatchObject({
          format: 'clade-generator',
          preset: 'custom',
          generator: g.config,
          source: { file: 'x.pth', sha256: 'ab' },
        });
        const loaded = await loadGeneratorDir(out);
        const got = tf.tidy(() => loaded.model.apply(seg, { training: false }) as tf.Tensor).dataSync() as Float32Array;
        loaded.model.dispose();
        const worst = got.reduce((m, v, i) => Math.max(m, Math.abs(v - want[i]!)), 0);
        expect(worst).toBeLessThanOrEqual(float16 ? 2e-2 : 0);
      }
      writeFileSync(path.join(dir, 'f32', CLADE_JSON), '{"format": "something-else"}');
      await expect(loadGeneratorDir(path.join(dir, 'f32'))).rejects.toThrow(
        /clade\.json' is not a clade model description \(format must be 'clade-generator'\)/,
      );
    } finally {
      g.dispose();
      seg.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
