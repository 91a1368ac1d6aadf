/**
 * Multi-threaded tfjs-backend-wasm under Node (worker_threads). Opt-in, experimental.
 *
 * tfjs-backend-wasm 4.22 never uses threads in Node, for three reasons, each worked around
 * here only for the duration of the backend's initialisation:
 *
 * 1. The flag `WASM_HAS_MULTITHREAD_SUPPORT` returns false whenever `IS_NODE` (tfjs#3830).
 *    We set it to true, which selects `tfjs-backend-wasm-threaded-simd.wasm`.
 * 2. The pthread workers are created from Blob URLs (`URL.createObjectURL(new Blob(...))`) for
 *    the worker script and for the main script they `importScripts`; Node's `Worker` cannot
 *    load a Blob URL and the worker's `importScripts` reads files. We capture those two Blobs
 *    (a `Blob` subclass) and write them to a temp dir as `.cjs` files: the worker script, with a
 *    two-line preamble that points its `URL.createObjectURL` at the main script; and the main
 *    script, with the four `require$$N` bindings and `commonjsGlobal` that the rollup'd
 *    factory text refers to (fs, path, perf_hooks, os: see tf-backend-wasm.node.js, lines 20–23).
 * 3. The thread count is capped at `emscripten_num_logical_cores() / 2` (= `os.cpus().length
 *    / 2` in Node; 1 on a 2-core machine) in `init_with_threads_count`. We report 2× the
 *    requested count from `os.cpus()` during initialisation.
 *
 * Afterwards the running pthread workers are `unref()`ed so they do not keep the process
 * alive; `terminateWasmThreads()` stops them explicitly. Tied to tfjs-backend-wasm 4.22.x;
 * on any failure the caller falls back to one thread.
 */
import { env, findBackend } from '@tensorflow/tfjs-core';

type EmscriptenWorker = { unref(): void };
type PThreadApi = { runningWorkers?: EmscriptenWorker[]; unusedWorkers?: EmscriptenWorker[]; terminateAllThreads?(): void };

const MAIN_SCRIPT_PREFIX = 'var WasmBackendModuleThreadedSimd';
const MAIN_PRELUDE =
  "var require$$0 = require('fs'), require$$1 = require('path'), require$$3 = require('perf_hooks'), " +
  "require$$4 = require('os'), commonjsGlobal = globalThis;\n";

/** True when this runtime could run wasm threads at all (Node worker_threads + shared memory). */
export function wasmThreadsPossible(): boolean {
  return (
    typeof SharedArrayBuffer === 'function' &&
    typeof process === 'object' &&
    typeof process.versions?.node === 'string'
  );
}

/**
 * Runs `init` (which must initialise the wasm backend, e.g. `tf.setBackend('wasm')`) with the
 * shims above in place, then restores every patched global. `setThreads` is tfjs-backend-wasm's
 * `setThreadsCount`.
 */
export async function initWasmWithThreads<T>(
  threads: number,
  setThreads: (n: number) => void,
  init: () => Promise<T>,
): Promise<T> {
  const fs = await import('node:fs');
  const os = (await import('node:os')).default;
  const path = await import('node:path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clade-wasm-threads-'));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const mainPath = path.join(dir, 'main.cjs');
  let workers = 0;

  const OrigBlob = globalThis.Blob;
  const origCreateObjectURL = URL.createObjectURL;
  const origCpus = os.cpus;
  const captured = new WeakMap<object, string>();
  class CapturingBlob extends OrigBlob {
    constructor(parts: ConstructorParameters<typeof Blob>[0] = [], options?: ConstructorParameters<typeof Blob>[1]) {
      super(parts, options);
      const text = parts.map((p) => (typeof p === 'string' ? p : '')).join('');
      captured.set(this, text);
      if (text.startsWith(MAIN_SCRIPT_PREFIX)) fs.writeFileSync(mainPath, MAIN_PRELUDE + text);
    }
  }
  const g = globalThis as unknown as { Blob: typeof Blob };
  g.Blob = CapturingBlob as typeof Blob;
  URL.createObjectURL = (obj: Blob) => {
    const text = captured.get(obj);
    if (text === undefined || text.startsWith(MAIN_SCRIPT_PREFIX)) return origCreateObjectURL(obj);
    const file = path.join(dir, `worker-${workers++}.cjs`);
    const preamble =
      `URL.createObjectURL = () => ${JSON.stringify(mainPath)}; URL.revokeObjectURL = () => {};\n`;
    fs.writeFileSync(file, preamble + text);
    return file;
  };
  const fakeCpus = () => {
    const one = origCpus()[0]!;
    return Array.from({ length: 2 * threads }, () => one);
  };
  (os as { cpus: () => unknown[] }).cpus = fakeCpus;
  env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  setThreads(threads);
  try {
    return await init();
  } finally {
    g.Blob = OrigBlob;
    URL.createObjectURL = origCreateObjectURL;
    (os as { cpus: () => unknown[] }).cpus = origCpus;
  }
}

function pthreadApi(backend: unknown): PThreadApi | undefined {
  const wasm = (backend as { wasm?: { PThread?: PThreadApi } } | undefined)?.wasm;
  return wasm?.PThread;
}

/** Lets the process exit while pthread workers idle (they are ref'ed while running). */
export function unrefWasmThreads(backend: unknown): number {
  const api = pthreadApi(backend);
  const running = api?.runningWorkers ?? [];
  for (const w of running) w.unref();
  return running.length;
}

/**
 * Stops all pthread workers of the threaded wasm backend (no-op for the single-thread one).
 * For shutdown only: the backend cannot run kernels afterwards.
 */
export function terminateWasmThreads(backend: unknown = findBackend('wasm')): void {
  pthreadApi(backend)?.terminateAllThreads?.();
}
