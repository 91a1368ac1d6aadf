// The fused CLADE op (ai.clade.CladeModulate[Scaled]) on the native engine (@clade/ort-native):
// parity with the tfjs generator, equality with the composed export, and its errors.
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, IOError } from '@clade/core';
import { SpadeGenerator } from '@clade/spade-gen';
import { hasCCompiler } from '@clade/test-utils';
import { OrtGenerator, exportGeneratorToOnnx, loadNativeOrt, nativeOrtAvailability } from '../index';
import { TINY, randomInputs, rerandomize } from './helpers/generators';
import { describeOnnxParity } from './helpers/parity';


describe('native engine availability', () => {
  it('loads wherever a C compiler exists (the install hook builds it)', async () => {
    const a = await nativeOrtAvailability();
    if (!a.available && !hasCCompiler()) {
      // eslint-disable-next-line no-console
      console.warn(`SKIPPED native engine tests: no C compiler here (${a.reason})`);
      return;
    }
    expect(a).toEqual({ available: true, onnxruntime: expect.stringMatching(/^1\.\d+\.\d+$/) });
  });
});

const itNative = hasCCompiler() ? it : it.skip;
if (hasCCompiler()) {
  describeOnnxParity([
    { tag: 'clade, fused', config: { normMode: 'clade' }, fused: true },
    { tag: 'clade, instances, batch 2, fused', config: { normMode: 'clade', useInstance: true }, batch: 2, fused: true },
    { tag: 'clade-icpe, instances, fused', config: { normMode: 'cladeIcpe', useInstance: true }, fused: true },
  ]);
}

describe('fused CLADE export on the native engine', () => {
  beforeAll(async () => {
    const { initBackend } = await import('@clade/backend');
    await initBackend({ backend: 'wasm' });
  });
  afterAll(() => tf.setBackend('cpu'));

  const make = (normMode: 'clade' | 'cladeIcpe', seed: number) => {
    const g = new SpadeGenerator({ ...TINY, normMode });
    rerandomize(g, seed);
    return g;
  };

  itNative('equals the composed export on onnxruntime-node (same onnxruntime, one op for four), 1 and 2 threads', async () => {
    for (const [normMode, seed] of [['clade', 31], ['cladeIcpe', 32]] as const) {
      const g = make(normMode, seed);
      const inp = randomInputs(g.config, [64, 64], seed, 2);
      const feeds = { label: inp.label, dist: inp.dist };
      const composed = await OrtGenerator.create(exportGeneratorToOnnx(g), { threads: 1 });
      const fusedBytes = exportGeneratorToOnnx(g, { fusedClade: true });
      try {
        const want = await composed.run(feeds, 'nchw');
        for (const threads of [1, 2]) {
          const fused = await OrtGenerator.create(fusedBytes, { threads, engine: 'native' });
          const got = await fused.run(feeds, 'nchw');
          await fused.dispose();
          let d = 0;
          for (let i = 0; i < got.data.length; i++) d = Math.max(d, Math.abs(got.data[i]! - want.data[i]!));
          expect({ normMode, threads, shape: got.shape }).toEqual({ normMode, threads, shape: want.shape });
          // The op rounds as Mul then Add do; what remains is the convs' own thread-order noise.
          expect(d).toBeLessThanOrEqual(1e-5);
        }
      } finally {
        await composed.dispose();
        tf.dispose([inp.seg, inp.distT, inp.zT]);
        g.dispose();
      }
    }
  });

  itNative('the graph has one ai.clade node per CLADE layer in place of two Gathers, a Mul and an Add', () => {
    const g = make('clade', 33);
    const bytes = exportGeneratorToOnnx(g, { fusedClade: true });
    const text = Buffer.from(bytes).toString('latin1');
    const composed = Buffer.from(exportGeneratorToOnnx(g)).toString('latin1');
    const norms = g.model.layers.filter((l) => l.getClassName() === 'CLADE').length;
    // NodeProto fields as encoded: op_type (field 4) and domain (field 7), each a tag, a length, the bytes.
    const count = (s: string, t = text) => t.split(s).length - 1;
    expect(norms).toBeGreaterThan(0);
    expect(count('\x22\x0dCladeModulate')).toBe(norms);
    expect(count('\x3a\x08ai.clade')).toBe(norms);
    // The label-map resizes stay Gathers; the γ/β guided sampling (two per layer) is gone.
    expect(count('\x22\x06Gather', composed) - count('\x22\x06Gather')).toBe(2 * norms);
    expect(count('\x22\x03Mul', composed) - count('\x22\x03Mul')).toBe(norms);
    g.dispose();
  });

  itNative('an out-of-range label is one ConfigError naming the bound; a fused model on onnxruntime-node says to use the native engine', async () => {
    const g = make('clade', 34);
    const bytes = exportGeneratorToOnnx(g, { fusedClade: true });
    const ort = await OrtGenerator.create(bytes, { engine: 'native' });
    const label = new Int32Array(64 * 64).fill(3);
    label[100] = 99;
    try {
      await expect(ort.run({ label })).rejects.toThrow(ConfigError);
      await expect(ort.run({ label })).rejects.toThrow(/label 99 at pixel \d+ is out of bounds: class ids must be in \[0, 12\)/);
    } finally {
      await ort.dispose();
    }
    await expect(OrtGenerator.create(bytes, { threads: 1 })).rejects.toThrow(IOError);
    await expect(OrtGenerator.create(bytes, { threads: 1 })).rejects.toThrow(/engine 'native'/);
    await expect(OrtGenerator.create(bytes, { engine: 'gpu' as never })).rejects.toThrow(/engine must be 'onnxruntime-node' or 'native', got 'gpu'/);
    g.dispose();
  });

  itNative('the binding: bad inputs and a released session are clear errors, release is idempotent', async () => {
    const b = await loadNativeOrt();
    const g = make('clade', 35);
    const h = b.createSession(exportGeneratorToOnnx(g), 1, '');
    g.dispose();
    await expect(b.run(h, [{ name: 'label', dims: [1, 64, 64], data: new Float64Array(4096) as never }], ['image'])).rejects.toThrow(
      /Float32Array or Int32Array/,
    );
    await expect(b.run(h, [{ name: 'label', dims: [1, 64, 64], data: new Int32Array(10) }], ['image'])).rejects.toThrow(/onnxruntime: /);
    expect(() => b.createSession(new Uint8Array([1, 2, 3]), 1, '')).toThrow(/onnxruntime: /);
    b.release(h);
    b.release(h);
    expect(() => b.run(h, [], ['image'])).toThrow(/the session was released/);
  });

  itNative('the binding runs off the event loop: concurrent runs agree, timers tick meanwhile, release waits for the run', async () => {
    const b = await loadNativeOrt();
    const g = new SpadeGenerator({ ...TINY, normMode: 'clade', ngf: 16, cropSize: 128 });
    rerandomize(g, 36);
    const h = b.createSession(exportGeneratorToOnnx(g, { fusedClade: true }), 1, '');
    g.dispose();
    const feed = (v: number) => [{ name: 'label', dims: [1, 128, 128], data: new Int32Array(128 * 128).fill(v) }];
    const [one, two] = [await b.run(h, feed(1), ['image']), await b.run(h, feed(2), ['image'])];
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const both = await Promise.all([b.run(h, feed(1), ['image']), b.run(h, feed(2), ['image'])]);
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
    expect([both[0]![0]!.data, both[1]![0]!.data]).toEqual([one[0]!.data, two[0]!.data]);
    expect(one[0]!.data).not.toEqual(two[0]!.data);
    const pending = b.run(h, feed(3), ['image']);
    b.release(h);
    expect((await pending)[0]!.dims).toEqual([1, 3, 128, 128]);
    expect(() => b.run(h, feed(3), ['image'])).toThrow(/the session was released/);
  });
});
