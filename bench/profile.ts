import * as tf from '@tensorflow/tfjs-core';

/**
 * Where a call's time goes, per tfjs kernel and phase, on the active backend.
 *
 * `profileKernels(backend, fn)` re-registers every kernel of `backend` with a wrapper that adds
 * its wall time and a call to (kernel, phase), runs `fn`, and puts the original kernels back
 * (also when `fn` throws). Re-registration goes through `unregisterKernel` first, so tfjs prints
 * no "already registered" warning. Each row is a kernel the engine dispatched: kernels that a
 * kernel runs itself through the registry (@clade/backend's composed wasm kernels do) count as
 * part of their caller, as tfjs' own `tf.profile` would see them.
 *
 * The phase of a call: `optimizer` inside `inPhase('optimizer', …)` (see `phaseMethod`),
 * `backward` inside the tidy named 'backward' that tfjs' `engine.gradients` runs the tape in
 * (every `tf.grads`, `tf.variableGrads`, `optimizer.minimize`), else `forward`.
 *
 * Wall time per call is kernel time only where kernels run synchronously: wasm, cpu and
 * tensorflow (tfjs-node). On webgl/webgpu a call returns once the work is queued.
 */
export const PHASES = ['forward', 'backward', 'optimizer'] as const;
export type Phase = (typeof PHASES)[number];

/** Backends whose kernels finish before the kernel function returns. */
export const SYNC_BACKENDS: readonly string[] = ['wasm', 'cpu', 'tensorflow'];

export interface KernelStat {
  kernel: string;
  phase: Phase;
  calls: number;
  /** Wall time of the calls, ms. */
  ms: number;
}

export interface KernelProfile<T> {
  result: T;
  /** Wall time of `fn`, ms. */
  wallMs: number;
  /** Σ of all kernel calls' wall times, ms. */
  kernelMs: number;
  /** Per (kernel, phase), slowest first. */
  stats: KernelStat[];
}

let explicitPhase: Phase | null = null;

/** Runs `fn` with its kernels charged to `phase` (nesting: the innermost wins). */
export function inPhase<T>(phase: Phase, fn: () => T): T {
  const outer = explicitPhase;
  explicitPhase = phase;
  try {
    return fn();
  } finally {
    explicitPhase = outer;
  }
}

/**
 * Charges every call of `obj[key]` (a synchronous method) to `phase` until the returned function
 * is called, e.g. `phaseMethod(optimizer, 'applyGradients', 'optimizer')`. It shadows the method
 * on the instance and removes the shadow when restored.
 */
export function phaseMethod<O extends object, K extends keyof O>(obj: O, key: K, phase: Phase): () => void {
  const orig = obj[key];
  if (typeof orig !== 'function') throw new Error(`bench profile: ${String(key)} must be a method, got ${typeof orig}.`);
  const had = Object.prototype.hasOwnProperty.call(obj, key);
  const wrapped = function (this: unknown, ...args: unknown[]) {
    return inPhase(phase, () => (orig as (...a: unknown[]) => unknown).apply(this, args));
  };
  (obj as Record<K, unknown>)[key] = wrapped;
  return () => {
    if (had) (obj as Record<K, unknown>)[key] = orig;
    else delete (obj as Record<K, unknown>)[key];
  };
}

function currentPhase(): Phase {
  if (explicitPhase) return explicitPhase;
  const stack = tf.engine().state.scopeStack;
  for (let i = stack.length - 1; i >= 0; i--) if (stack[i]!.name === 'backward') return 'backward';
  return 'forward';
}

/** Profiles `fn` (synchronous, or a promise: the profile ends when it settles) on `backend`'s kernels. */
export async function profileKernels<T>(backend: string, fn: () => T | Promise<T>): Promise<KernelProfile<T>> {
  const originals = tf.getKernelsForBackend(backend);
  if (originals.length === 0) throw new Error(`bench profile: backend '${backend}' has no registered kernels.`);
  const acc = new Map<string, KernelStat>();
  let depth = 0; // > 0 inside a kernel: nested registry calls are part of their caller's time
  let kernelMs = 0;
  const charge = (kernel: string, phase: Phase, ms: number) => {
    const key = `${kernel}\u0000${phase}`;
    const s = acc.get(key);
    if (s) {
      s.calls++;
      s.ms += ms;
    } else acc.set(key, { kernel, phase, calls: 1, ms });
  };
  const wrappers = originals.map((k): tf.KernelConfig => {
    const run = k.kernelFunc;
    const kernelFunc: tf.KernelFunc = (args) => {
      if (depth > 0) return run(args);
      const phase = currentPhase();
      depth++;
      const t0 = performance.now();
      try {
        return run(args);
      } finally {
        const dt = performance.now() - t0;
        depth--;
        kernelMs += dt;
        charge(k.kernelName, phase, dt);
      }
    };
    // Keep markers on the function (@clade/backend tags its kernels with a symbol property).
    return { ...k, kernelFunc: Object.assign(kernelFunc, run) };
  });
  const swap = (from: tf.KernelConfig[], to: tf.KernelConfig[]) =>
    from.forEach((k, i) => {
      // Only where the registry still holds what we put there (fn may have re-registered a kernel).
      if (tf.getKernel(k.kernelName, backend) !== k) return;
      tf.unregisterKernel(k.kernelName, backend);
      tf.registerKernel(to[i]!);
    });
  swap(originals, wrappers);
  try {
    const t0 = performance.now();
    const result = await fn();
    const wallMs = performance.now() - t0;
    const stats = [...acc.values()].sort((a, b) => b.ms - a.ms);
    return { result, wallMs, kernelMs, stats };
  } finally {
    swap(wrappers, originals);
  }
}

/** Convolution kernels, forward and backward (tfjs kernel names). */
export const isConvKernel = (name: string): boolean => /^(Fused)?(Conv[23]D|DepthwiseConv2[dD])/.test(name);
