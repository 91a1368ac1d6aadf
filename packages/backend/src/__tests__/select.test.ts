// initBackend / probeBackends: name and thread resolution, clear errors, and what 'auto' picks.
import * as tf from '@tensorflow/tfjs-core';
import { hasCCompiler } from '@clade/test-utils';
import { BackendError } from '../errors';
import { isPatched } from '../patch';
import {
  BACKEND_NAMES,
  initBackend,
  probeBackends,
  resolveBackendName,
  resolveThreads,
  tfBackendName,
} from '../select';
import { wasmKernelsRegistered } from '../wasm/register';
import { nativeKernelsActive } from '../native/register';

const saved = { backend: process.env['CLADE_BACKEND'], threads: process.env['CLADE_THREADS'] };
afterEach(async () => {
  for (const [k, v] of [['CLADE_BACKEND', saved.backend], ['CLADE_THREADS', saved.threads]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await tf.setBackend('cpu');
});

describe('resolution', () => {
  it('takes the argument, then CLADE_BACKEND, then auto', () => {
    delete process.env['CLADE_BACKEND'];
    expect(resolveBackendName()).toBe('auto');
    process.env['CLADE_BACKEND'] = 'cpu';
    expect(resolveBackendName()).toBe('cpu');
    expect(resolveBackendName('wasm')).toBe('wasm');
  });

  it('rejects an unknown backend, listing the allowed ones', async () => {
    const err = await initBackend({ backend: 'gpu' as never }).catch((e: unknown) => e);
    expect(BackendError.isInstance(err)).toBe(true);
    expect((err as Error).message).toBe(
      "initBackend: backend must be one of auto, tensorflow-gpu, tensorflow, native, wasm, cpu, got 'gpu'. " +
        'Supported: auto, tensorflow-gpu, tensorflow, native, wasm, cpu.',
    );
    process.env['CLADE_BACKEND'] = 'webgl';
    await expect(initBackend()).rejects.toThrow(/^initBackend: CLADE_BACKEND must be one of .*, got 'webgl'/);
  });

  it('takes threads from the argument, then CLADE_THREADS, then 1, and rejects bad values', () => {
    delete process.env['CLADE_THREADS'];
    expect(resolveThreads()).toBe(1);
    process.env['CLADE_THREADS'] = '2';
    expect(resolveThreads()).toBe(2);
    expect(resolveThreads(4)).toBe(4);
    expect(() => resolveThreads(0)).toThrow(/threads must be an integer in \[1, 8\], got 0/);
    process.env['CLADE_THREADS'] = 'many';
    expect(() => resolveThreads()).toThrow(/CLADE_THREADS must be an integer in \[1, 8\], got "many"/);
  });

  it('maps our names to tfjs backend names', () => {
    expect(BACKEND_NAMES.map(tfBackendName)).toEqual(['tensorflow', 'tensorflow', 'wasm', 'wasm', 'cpu']);
  });

  it('marks its errors with the shared @clade/error symbol', () => {
    const e = new BackendError('x');
    expect((e as unknown as Record<symbol, unknown>)[Symbol.for('@clade/error')]).toBe(true);
    expect(e.name).toBe('BackendError');
    expect(e).toBeInstanceOf(Error);
  });
});

describe('initBackend', () => {
  it('uses cpu when asked, with the gradient fix registered', async () => {
    const choice = await initBackend({ backend: 'cpu' });
    expect(choice).toMatchObject({ name: 'cpu', tfBackend: 'cpu', requested: 'cpu', threads: 1, simd: false });
    expect(choice.tried).toEqual([{ name: 'cpu', ok: true }]);
    expect(tf.getBackend()).toBe('cpu');
    expect(isPatched('ResizeNearestNeighborGrad', 'cpu')).toBe(true);
  });

  it('explains how to install tfjs-node when it is requested but cannot load', async () => {
    const probes = await probeBackends();
    if (probes.find((p) => p.name === 'tensorflow')!.ok) return; // a machine with tfjs-node
    const err = await initBackend({ backend: 'tensorflow' }).catch((e: unknown) => e);
    expect(BackendError.isInstance(err)).toBe(true);
    expect((err as Error).message).toMatch(/^initBackend: backend 'tensorflow' must load to be used, got: /);
    expect((err as Error).message).toMatch(/docs\/tfjs-node-offline\.md/);
    expect((err as Error).message).toMatch(/cannot be installed offline/);
  });

  it("'auto' takes the best backend that loads and records what it tried", async () => {
    const lines: string[] = [];
    const choice = await initBackend({ log: (s) => lines.push(s) });
    expect(choice.requested).toBe('auto');
    const names = choice.tried.map((t) => t.name);
    expect(names).toEqual(BACKEND_NAMES.slice(0, names.length));
    expect(choice.tried.at(-1)).toEqual({ name: choice.name, ok: true });
    expect(choice.tried.slice(0, -1).every((t) => !t.ok && typeof t.error === 'string')).toBe(true);
    expect(tf.getBackend()).toBe(choice.tfBackend);
    expect(lines.at(-1)).toMatch(new RegExp(`^initBackend: using ${choice.name}`));
    if (choice.name === 'wasm' || choice.name === 'native') {
      expect(choice.simd).toBe(true);
      expect(wasmKernelsRegistered()).toBe(true);
      expect(isPatched('ResizeNearestNeighborGrad', 'wasm')).toBe(true);
    }
    if (choice.name === 'wasm') expect(choice.threads).toBe(1);
    // Where a C compiler built @clade/ort-native, 'auto' picks the native kernels.
    if (hasCCompiler()) {
      expect(choice.name).toBe('native');
      expect(nativeKernelsActive()).toEqual({ threads: choice.threads, onnxruntime: expect.stringMatching(/^1\.\d+\.\d+$/) });
      expect(choice.reason).toMatch(/onnxruntime 1\.\d+\.\d+ convolutions on \d+ threads/);
    }
  });

  it('native takes its thread count from the argument, and wasm unregisters its kernels', async () => {
    const probe = (await probeBackends()).find((p) => p.name === 'native')!;
    if (!probe.ok) return; // no compiler here: the native probe says why (checked below)
    const choice = await initBackend({ backend: 'native', threads: 1 });
    expect(choice).toMatchObject({ name: 'native', tfBackend: 'wasm', threads: 1 });
    expect(nativeKernelsActive()?.threads).toBe(1);
    await initBackend({ backend: 'wasm' });
    expect(nativeKernelsActive()).toBeNull();
  });

  it('CLADE_BACKEND picks the backend when no argument is given', async () => {
    process.env['CLADE_BACKEND'] = 'wasm';
    const choice = await initBackend();
    expect(choice.name).toBe('wasm');
    expect(choice.reason).toMatch(/requested \(CLADE_BACKEND\)/);
  });
});

describe('probeBackends', () => {
  it('reports every backend, with wasm and cpu available here', async () => {
    const probes = await probeBackends();
    expect(probes.map((p) => p.name)).toEqual([...BACKEND_NAMES]);
    expect(probes.find((p) => p.name === 'wasm')).toMatchObject({ ok: true });
    expect(probes.find((p) => p.name === 'cpu')).toMatchObject({ ok: true });
    const native = probes.find((p) => p.name === 'native')!;
    if (!native.ok) expect(native.error).toMatch(/@clade\/ort-native/);
    for (const p of probes) {
      expect(p.detail.length).toBeGreaterThan(0);
      expect(p.ok === (p.error === undefined)).toBe(true);
    }
  });
});
