/**
 * Quick throughput probes for `clade doctor` and the bench script.
 *
 * FLOPs are counted as 2 · MACs (one multiply + one add), padding included:
 * - conv forward: 2 · N·outH·outW · kh·kw·Cin · Cout;
 * - conv forward + backward: 3× that (dx and dW each cost one forward's MACs);
 * - matmul [M,K]·[K,N]: 2·M·K·N.
 * Timing: one warm-up run (allocations, XNNPACK weight packing, kernel setup), then as many
 * runs as fit in `budgetMs` (at least one, at most `reps`). Each run reads its outputs back, so
 * asynchronous backends are fully timed. Every tensor is disposed.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from './errors';
import { loadNativeKernels } from './native/binding';
import { nativeKernelsActive, registerNativeKernels, unregisterNativeKernels } from './native/register';
import { defaultNativeThreads, tfBackendName } from './select';
import { registerWasmKernels, wasmKernelsRegistered } from './wasm/register';

export type ConvMode = 'forward' | 'forwardBackward';

export interface ConvThroughputOptions {
  /**
   * Backend to measure: a tfjs name ('wasm', 'cpu', 'tensorflow') or one of ours ('tensorflow-gpu');
   * switched to and back. Default: the current one.
   */
  backend?: string;
  /** NHWC input shape. Default [1, 64, 64, 64]. */
  shape?: [number, number, number, number];
  /** Square kernel size. Default 3. */
  kernel?: number;
  /** Output channels. Default 64. */
  outChannels?: number;
  /** Stride. Default 1 (padding 'same'). */
  stride?: number;
  /** Most timed runs. Default 20. */
  reps?: number;
  /** Default 'forward'. */
  mode?: ConvMode;
  /** Time budget for the timed runs in ms (after the warm-up). Default 1000. */
  budgetMs?: number;
}

export interface Measurement {
  /** Billions of FLOPs per second (FLOPs = 2·MACs). */
  gflops: number;
  /** FLOPs of one run. */
  flops: number;
  /** Mean wall time of one timed run. */
  msPerRep: number;
  /** Timed runs. */
  reps: number;
  /** The tfjs backend measured. */
  backend: string;
}

export interface MatMulThroughputOptions {
  backend?: string;
  /** [M, K, N]. Default [512, 512, 512]. */
  size?: [number, number, number];
  transposeA?: boolean;
  transposeB?: boolean;
  reps?: number;
  budgetMs?: number;
}

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) {
    throw new BackendError(`measureConvGflops: ${name} must be a positive integer, got ${v}.`);
  }
  return v;
}

/** Runs `fn` with the native kernels on (name 'native') or off ('wasm'), restoring the state after. */
async function withNativeKernels<T>(on: boolean, fn: () => Promise<T>): Promise<T> {
  const active = nativeKernelsActive();
  if (on === (active !== null)) return fn();
  const binding = await loadNativeKernels();
  if (on) registerNativeKernels(binding, await defaultNativeThreads());
  else unregisterNativeKernels();
  try {
    return await fn();
  } finally {
    if (on) unregisterNativeKernels();
    else registerNativeKernels(binding, active!.threads);
  }
}

async function onBackend<T>(name: string | undefined, fn: () => Promise<T>): Promise<T> {
  if (name === 'native' || name === 'wasm') {
    const inner = fn;
    fn = () => withNativeKernels(name === 'native', inner);
  }
  const previous = tf.getBackend();
  const backend = name === undefined ? undefined : tfBackendName(name);
  if (backend === undefined || backend === previous) return fn();
  if (!(await tf.setBackend(backend))) {
    throw new BackendError(`measureConvGflops: backend must be registered and loadable, got '${backend}'.`);
  }
  try {
    return await fn();
  } finally {
    await tf.setBackend(previous);
  }
}

/** Runs `step` (which returns tensors to read and dispose) once to warm up, then times it. */
function time(step: () => tf.Tensor[], flops: number, maxReps: number, budgetMs: number): Measurement {
  const run = () => {
    const outs = step();
    for (const t of outs) t.dataSync();
    tf.dispose(outs);
  };
  run();
  let reps = 0;
  const start = performance.now();
  let elapsed = 0;
  while (reps < maxReps && (reps === 0 || elapsed < budgetMs)) {
    run();
    reps++;
    elapsed = performance.now() - start;
  }
  const msPerRep = elapsed / reps;
  return { gflops: flops / (msPerRep * 1e6), flops, msPerRep, reps, backend: tf.getBackend() };
}

function explainMissingKernel(e: unknown): never {
  const text = e instanceof Error ? e.message : String(e);
  if (/not registered for backend 'wasm'/.test(text)) {
    throw new BackendError(
      `measureConvGflops: the wasm backend must have the training kernels, got: ${text}. ` +
        'Call initBackend() or registerWasmKernels() first.',
      { cause: e },
    );
  }
  throw e;
}

/** Conv2D throughput with details; see `measureConvGflops`. */
export async function measureConv(opts: ConvThroughputOptions = {}): Promise<Measurement> {
  const [n, h, w, c] = (opts.shape ?? [1, 64, 64, 64]).map((d, i) => positiveInt(`shape[${i}]`, d));
  const k = positiveInt('kernel', opts.kernel ?? 3);
  const co = positiveInt('outChannels', opts.outChannels ?? 64);
  const stride = positiveInt('stride', opts.stride ?? 1);
  const mode = opts.mode ?? 'forward';
  if (mode !== 'forward' && mode !== 'forwardBackward') {
    throw new BackendError(`measureConvGflops: mode must be forward or forwardBackward, got '${mode}'.`);
  }
  const oh = Math.ceil(h! / stride);
  const ow = Math.ceil(w! / stride);
  const forwardFlops = 2 * n! * oh * ow * k * k * c! * co;
  const flops = mode === 'forward' ? forwardFlops : 3 * forwardFlops;
  return onBackend(opts.backend, async () => {
    // Stock wasm has no Conv2DBackpropFilter: measure the configuration we train with.
    if (mode === 'forwardBackward' && tf.getBackend() === 'wasm' && !wasmKernelsRegistered()) registerWasmKernels();
    const x = tf.randomUniform([n!, h!, w!, c!], -1, 1) as tf.Tensor4D;
    const filter = tf.randomUniform([k, k, c!, co], -0.1, 0.1) as tf.Tensor4D;
    const conv = (xx: tf.Tensor4D, ff: tf.Tensor4D) => tf.conv2d(xx, ff, stride, 'same');
    const grads = tf.grads((xx, ff) => tf.sum(conv(xx as tf.Tensor4D, ff as tf.Tensor4D)));
    const step = mode === 'forward' ? () => [conv(x, filter)] : () => grads([x, filter]);
    try {
      return time(step, flops, opts.reps ?? 20, opts.budgetMs ?? 1000);
    } catch (e) {
      return explainMissingKernel(e);
    } finally {
      tf.dispose([x, filter]);
    }
  });
}

/**
 * GFLOP/s of a 'same' conv2d on `backend` (FLOPs = 2·MACs; forward+backward counts 3 forwards).
 * Defaults: [1,64,64,64] input, 3×3 kernel, 64 output channels, stride 1, forward only.
 * Takes ≤ ~1.5 s on wasm/tensorflow; on the pure-JS cpu backend a single run of the default
 * shape is already ~0.5 s (forward) to ~2 s (forward+backward), and only one run is timed.
 */
export async function measureConvGflops(opts: ConvThroughputOptions = {}): Promise<number> {
  return (await measureConv(opts)).gflops;
}

/** MatMul throughput, optionally with transposed operands (FLOPs = 2·M·K·N). */
export async function measureMatMulGflops(opts: MatMulThroughputOptions = {}): Promise<Measurement> {
  const [m, k, n] = (opts.size ?? [512, 512, 512]).map((d, i) => positiveInt(`size[${i}]`, d));
  const tA = opts.transposeA ?? false;
  const tB = opts.transposeB ?? false;
  return onBackend(opts.backend, async () => {
    const a = tf.randomUniform(tA ? [k!, m!] : [m!, k!]) as tf.Tensor2D;
    const b = tf.randomUniform(tB ? [n!, k!] : [k!, n!]) as tf.Tensor2D;
    try {
      return time(() => [tf.matMul(a, b, tA, tB)], 2 * m! * k! * n!, opts.reps ?? 20, opts.budgetMs ?? 500);
    } finally {
      tf.dispose([a, b]);
    }
  });
}
