/**
 * Picks and initialises the fastest TensorFlow.js backend available in this process.
 *
 * Call `initBackend()` once, at startup, BEFORE creating the first tensor: tensors made
 * earlier live on the previous backend (usually 'cpu') and are copied over lazily, and the
 * wasm thread count can only be chosen before the wasm module starts.
 *
 * Order for 'auto': tfjs-node-gpu → tfjs-node → native → wasm (SIMD) → cpu. 'native' is the wasm
 * backend with its convolutions (forward and both gradients) computed by @clade/ort-native's
 * onnxruntime kernels on every core; it loads in Node where that package was compiled.
 * Precedence of settings:
 * the function's argument, then env `CLADE_BACKEND` / `CLADE_THREADS`, then defaults.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from './errors';
import { registerResizeNearestGradFix } from './fixes/resize-nearest-grad';
import { loadNativeKernels } from './native/binding';
import { registerNativeKernels, unregisterNativeKernels } from './native/register';
import { registerWasmKernels } from './wasm/register';
import { initWasmWithThreads, unrefWasmThreads, wasmThreadsPossible } from './wasm/threads';

/** Backends `initBackend` knows, best first ('auto' tries them in this order). */
export const BACKEND_NAMES = ['tensorflow-gpu', 'tensorflow', 'native', 'wasm', 'cpu'] as const;
export type ConcreteBackendName = (typeof BACKEND_NAMES)[number];
export type BackendName = 'auto' | ConcreteBackendName;

export interface InitBackendOptions {
  /** Which backend; 'auto' picks the best that loads. Default: env CLADE_BACKEND, else 'auto'. */
  backend?: BackendName;
  /**
   * native: onnxruntime threads for the convolutions (default: env CLADE_THREADS, else every
   * core). wasm: threads for XNNPACK. 1 (default) uses the single-thread SIMD binary. > 1 opts
   * into the experimental Node worker_threads build (see wasm/threads.ts); if it fails, we fall
   * back to 1 thread and say why in `reason`. Default: env CLADE_THREADS, else 1.
   */
  threads?: number;
  /** Progress lines (what was tried, what was picked). Default: silent. */
  log?: (line: string) => void;
}

export interface BackendAttempt {
  name: ConcreteBackendName;
  ok: boolean;
  error?: string;
}

export interface BackendChoice {
  /** Our name for the backend in use. */
  name: ConcreteBackendName;
  /** The tfjs backend name (`tf.getBackend()`): 'tensorflow', 'wasm' or 'cpu'. */
  tfBackend: string;
  /** What was asked for (after env resolution). */
  requested: BackendName;
  /** One line: why this backend (and thread count) was chosen. */
  reason: string;
  /**
   * Compute threads in use: onnxruntime's on native, XNNPACK threads on wasm, 1 on cpu, the core
   * count on tensorflow.
   */
  threads: number;
  /** True when SIMD code runs: wasm SIMD binary, or native TensorFlow. */
  simd: boolean;
  /** Every backend tried, in order. */
  tried: BackendAttempt[];
}

export interface BackendProbe {
  name: ConcreteBackendName;
  /** The module loads here (for wasm: and WebAssembly exists). */
  ok: boolean;
  /** Why it does not load (with how to install it); absent when ok. */
  error?: string;
  /** One line for humans: the error, or a note (SIMD / threads for wasm). */
  detail: string;
}

const NODE_MODULE: Partial<Record<ConcreteBackendName, string>> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

const INSTALL_HINT: Record<ConcreteBackendName, string> = {
  'tensorflow-gpu':
    'Install @tensorflow/tfjs-node-gpu@4.22 (needs CUDA 11.2 + cuDNN 8.1; its install downloads libtensorflow from ' +
    'Google storage, so it cannot be installed offline; see docs/tfjs-node-offline.md), or use backend wasm.',
  tensorflow:
    'Install @tensorflow/tfjs-node@4.22 and allow its install script (it downloads libtensorflow from Google ' +
    'storage, so it cannot be installed offline; docs/tfjs-node-offline.md builds it from a TensorFlow pip ' +
    'wheel instead), or use backend wasm.',
  native:
    '@clade/ort-native compiles on install where a C compiler and Node\'s headers exist (Linux, macOS); ' +
    'build it with `pnpm --filter @clade/ort-native build`, or use backend wasm.',
  wasm: 'Install @tensorflow/tfjs-backend-wasm@4.22 (pnpm add @tensorflow/tfjs-backend-wasm).',
  cpu: 'Install @tensorflow/tfjs@4.22 (it registers the cpu backend).',
};

/**
 * The cpu backend prints an "install tfjs-node" banner on first use in Node. We choose backends
 * ourselves and `clade doctor` explains the options, so the banner is noise (doctor and bench
 * time the cpu backend too).
 */
function silenceCpuBanner(): void {
  if (!tf.findBackendFactory('cpu')) return;
  const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
  if (cpu && 'firstUse' in cpu) cpu.firstUse = false;
}

/** An environment variable, or undefined (also outside Node). */
function envVar(name: string): string | undefined {
  const v = typeof process === 'object' ? process.env?.[name] : undefined;
  return v === '' ? undefined : v;
}

function message(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0]!.slice(0, 300);
}

/** Resolves the backend name: argument, then CLADE_BACKEND, then 'auto'. */
export function resolveBackendName(arg?: string): BackendName {
  const fromEnv = envVar('CLADE_BACKEND');
  const value = arg ?? fromEnv ?? 'auto';
  const allowed: readonly string[] = ['auto', ...BACKEND_NAMES];
  if (!allowed.includes(value)) {
    const source = arg !== undefined ? 'backend' : 'CLADE_BACKEND';
    throw new BackendError(
      `initBackend: ${source} must be one of ${allowed.join(', ')}, got '${value}'. Supported: ${allowed.join(', ')}.`,
    );
  }
  return value as BackendName;
}

/** Resolves the thread count: argument, then CLADE_THREADS, then `fallback` (1). */
export function resolveThreads(arg?: number, fallback = 1): number {
  const fromEnv = envVar('CLADE_THREADS');
  const value = arg ?? (fromEnv !== undefined ? Number(fromEnv) : fallback);
  if (!Number.isInteger(value) || value < 1 || value > 8) {
    const source = arg !== undefined ? 'threads' : 'CLADE_THREADS';
    throw new BackendError(
      `initBackend: ${source} must be an integer in [1, 8], got ${arg ?? JSON.stringify(fromEnv)}.`,
    );
  }
  return value;
}

/** The native path's default thread count: every core (at most 8). */
export async function defaultNativeThreads(): Promise<number> {
  const os = (await import('node:os')).default;
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.min(Math.max(cores, 1), 8);
}

/** Imports a module whose name is only known at run time (optional peers). */
async function importOptional(name: string): Promise<unknown> {
  return import(/* webpackIgnore: true */ name);
}

function describeNodeFailure(name: ConcreteBackendName, e: unknown): string {
  const text = message(e);
  const mod = NODE_MODULE[name]!;
  if (/Cannot find (module|package)/.test(text) && text.includes(mod)) return `${mod} is not installed.`;
  if (/tfjs_binding|native addon|\.node\b/i.test(text)) {
    return `${mod} is installed but its native addon is missing (its install script did not run): ${text}`;
  }
  return text;
}

async function registerUnion(): Promise<void> {
  try {
    await import('@tensorflow/tfjs'); // registers gradients, chained ops and the cpu backend
  } catch (e) {
    throw new BackendError(
      `initBackend: @tensorflow/tfjs must be installed (it registers the gradients), got: ${message(e)}.`,
      { cause: e },
    );
  }
}

/** Loads one backend and makes it active. Returns extra facts, or throws with the reason. */
async function tryBackend(
  name: ConcreteBackendName,
  threads: number | undefined,
  log: (s: string) => void,
): Promise<{ threads: number; simd: boolean; note: string }> {
  if (name !== 'native') unregisterNativeKernels();
  if (name === 'native') {
    const binding = await loadNativeKernels(); // first: a missing build fails before wasm starts
    const nativeThreads = resolveThreads(threads, await defaultNativeThreads());
    const wasm = await tryBackend('wasm', 1, log);
    if (!wasm.simd) throw new Error('the native path needs the wasm SIMD binary (it keeps tensors on its heap).');
    registerNativeKernels(binding, nativeThreads);
    return { threads: nativeThreads, simd: true, note: `onnxruntime ${binding.version} convolutions on ${nativeThreads} threads, the rest on wasm. ` };
  }
  if (name === 'tensorflow-gpu' || name === 'tensorflow') {
    try {
      await importOptional(NODE_MODULE[name]!);
    } catch (e) {
      throw new Error(describeNodeFailure(name, e));
    }
    if (!(await tf.setBackend('tensorflow'))) throw new Error(`tf.setBackend('tensorflow') failed.`);
    const os = (await import('node:os')).default;
    return { threads: os.cpus().length, simd: true, note: '' };
  }
  if (name === 'wasm') {
    let wasm: typeof import('@tensorflow/tfjs-backend-wasm');
    try {
      wasm = await import('@tensorflow/tfjs-backend-wasm');
    } catch (e) {
      throw new Error(`@tensorflow/tfjs-backend-wasm is not installed: ${message(e)}`);
    }
    registerWasmKernels();
    const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
    const alreadyUp = tf.engine().registry['wasm'] != null;
    let note = '';
    threads = resolveThreads(threads);
    const shimmable = wasm.version_wasm.startsWith('4.22.');
    if (threads > 1 && !alreadyUp && simd && shimmable && wasmThreadsPossible()) {
      try {
        const ok = await initWasmWithThreads(threads, wasm.setThreadsCount, () => tf.setBackend('wasm'));
        if (!ok) throw new Error(`tf.setBackend('wasm') returned false with threads.`);
        unrefWasmThreads(tf.backend());
        note = `${wasm.getThreadsCount()} XNNPACK threads (experimental worker_threads build). `;
      } catch (e) {
        note = `wasm threads unavailable (${message(e)}); using 1 thread. `;
        log(`initBackend: ${note}`);
        tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
        wasm.setThreadsCount(1);
      }
    } else if (threads > 1) {
      note = alreadyUp
        ? 'wasm was already initialised, so its thread count cannot change. '
        : !shimmable
          ? `the Node threads shim is tied to tfjs-backend-wasm 4.22, got ${wasm.version_wasm}; using 1 thread. `
          : 'wasm threads need SIMD, SharedArrayBuffer and Node worker_threads; using 1 thread. ';
    }
    if (tf.getBackend() !== 'wasm' && !(await tf.setBackend('wasm'))) {
      throw new Error(`tf.setBackend('wasm') failed (the .wasm binary did not load).`);
    }
    return { threads: wasm.getThreadsCount(), simd, note };
  }
  if (!(await tf.setBackend('cpu'))) throw new Error(`tf.setBackend('cpu') failed.`);
  return { threads: 1, simd: false, note: '' };
}

/**
 * Initialises the best (or the requested) backend: registers the union package's gradients,
 * our wasm training kernels and the cpu/wasm ResizeNearestNeighborGrad fix, sets the backend and
 * awaits `tf.ready()`. Call it once, before the first tensor is created.
 *
 * Throws `BackendError` for an unknown backend name or thread count, and when an explicitly
 * requested backend fails to load (saying why and how to install it). With 'auto', a backend
 * that fails is skipped and recorded in `tried`.
 */
export async function initBackend(opts: InitBackendOptions = {}): Promise<BackendChoice> {
  const log = opts.log ?? (() => {});
  const requested = resolveBackendName(opts.backend);
  if (opts.threads !== undefined) resolveThreads(opts.threads); // reject a bad count up front
  const threads = opts.threads;
  await registerUnion();
  const live = tf.engine().state.numTensors; // (tf.memory() would initialise a backend)
  if (live > 0) {
    log(`initBackend: ${live} tensors already exist; they stay where they are until first used (call initBackend first).`);
  }
  const candidates: ConcreteBackendName[] = requested === 'auto' ? [...BACKEND_NAMES] : [requested];
  const tried: BackendAttempt[] = [];
  for (const name of candidates) {
    try {
      const got = await tryBackend(name, threads, log);
      await tf.ready();
      registerResizeNearestGradFix();
      silenceCpuBanner();
      tried.push({ name, ok: true });
      const why =
        requested === 'auto'
          ? tried.length === 1
            ? `${name} is the best backend and it loaded.`
            : `${name} is the best backend that loaded (${tried.filter((t) => !t.ok).map((t) => t.name).join(', ')} did not).`
          : `${name} was requested${opts.backend === undefined ? ' (CLADE_BACKEND)' : ''}.`;
      const choice: BackendChoice = {
        name,
        tfBackend: tf.getBackend(),
        requested,
        reason: `${got.note}${why}`,
        threads: got.threads,
        simd: got.simd,
        tried,
      };
      log(`initBackend: using ${name} (threads ${choice.threads}, simd ${choice.simd}). ${choice.reason}`);
      return choice;
    } catch (e) {
      if (BackendError.isInstance(e)) throw e;
      const error = message(e);
      tried.push({ name, ok: false, error });
      log(`initBackend: ${name} unavailable: ${error}`);
      if (requested !== 'auto') {
        throw new BackendError(
          `initBackend: backend '${name}' must load to be used, got: ${error} ${INSTALL_HINT[name]}`,
          { cause: e },
        );
      }
    }
  }
  throw new BackendError(
    `initBackend: some backend must load, got none: ${tried.map((t) => `${t.name}: ${t.error}`).join('; ')}.`,
  );
}

/**
 * Which backends load here, without switching the active one. Importing tfjs-node(-gpu)
 * registers its backend as a side effect (it does not activate it); wasm is imported (and our
 * kernels registered for it), not initialised. Each probe's `name` is accepted by
 * `measureConvGflops({ backend })`.
 */
export async function probeBackends(): Promise<BackendProbe[]> {
  await registerUnion();
  const out: BackendProbe[] = [];
  const fail = (name: ConcreteBackendName, error: string) => out.push({ name, ok: false, error, detail: error });
  for (const name of ['tensorflow-gpu', 'tensorflow'] as const) {
    try {
      await importOptional(NODE_MODULE[name]!);
      out.push({ name, ok: true, detail: `${NODE_MODULE[name]} loads.` });
    } catch (e) {
      fail(name, `${describeNodeFailure(name, e)} ${INSTALL_HINT[name]}`);
    }
  }
  try {
    await import('@tensorflow/tfjs-backend-wasm');
    if (typeof (globalThis as { WebAssembly?: unknown }).WebAssembly !== 'object') {
      throw new Error('WebAssembly is not available in this runtime.');
    }
    registerWasmKernels();
    const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
    out.push({
      name: 'wasm',
      ok: true,
      detail: `SIMD ${simd ? 'yes' : 'no'}; threads ${wasmThreadsPossible() && simd ? 'opt-in (threads > 1)' : 'no'}.`,
    });
  } catch (e) {
    fail('wasm', `${message(e)} ${INSTALL_HINT.wasm}`);
  }
  // Listed before wasm, whose tensors it computes on.
  let native: BackendProbe;
  try {
    const binding = await loadNativeKernels();
    if (!out.some((p) => p.name === 'wasm' && p.ok)) throw new Error('it needs the wasm backend, which does not load.');
    native = { name: 'native', ok: true, detail: `onnxruntime ${binding.version} convolutions (forward and gradients) on the wasm backend's tensors.` };
  } catch (e) {
    const error = `${message(e)} ${INSTALL_HINT.native}`;
    native = { name: 'native', ok: false, error, detail: error };
  }
  out.splice(out.findIndex((p) => p.name === 'wasm'), 0, native);
  if (tf.findBackendFactory('cpu') != null) out.push({ name: 'cpu', ok: true, detail: 'always available.' });
  else fail('cpu', INSTALL_HINT.cpu);
  return out;
}

/** The tfjs backend name behind one of ours ('tensorflow-gpu' → 'tensorflow', 'native' → 'wasm'). */
export function tfBackendName(name: string): string {
  return name === 'tensorflow-gpu' ? 'tensorflow' : name === 'native' ? 'wasm' : name;
}
