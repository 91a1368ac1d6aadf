import * as tf from '@tensorflow/tfjs-core';
import { CLADE_MODULATE, CLADE_MODULATE_SCALED, formatTable } from '@clade/core/internal';

/** Median wall time (ms) of `reps` runs of `fn`, after `warmup` runs; data is read back each run. */
export async function timeMedian(fn: () => tf.Tensor | tf.Tensor[], reps: number, warmup = 1): Promise<number> {
  const once = async () => {
    const t0 = performance.now();
    const out = fn();
    const outs = Array.isArray(out) ? out : [out];
    await Promise.all(outs.map((o) => o.data())); // async backends finish only when read
    const ms = performance.now() - t0;
    tf.dispose(outs);
    return ms;
  };
  for (let i = 0; i < warmup; i++) await once();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) times.push(await once());
  return median(times);
}

/** The middle value (the upper one of an even count); NaN for none. The input is not reordered. */
export function median(xs: readonly number[]): number {
  return xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! : NaN;
}

export function parseArgs(argv: string[]): { positional: string[]; flags: Record<string, string> } {
  const positional: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) {
      const [k, v] = a.slice(2).split('=');
      flags[k!] = v ?? (argv[i + 1] && !argv[i + 1]!.startsWith('--') ? argv[++i]! : 'true');
    } else positional.push(a);
  }
  return { positional, flags };
}

/**
 * Peak tensor memory of one call above what was allocated before it (activations, gradients,
 * optimizer slots made by it), from the tfjs engine's own accounting (`tf.profile`), in MB.
 * Outputs are disposed.
 */
export async function peakMemoryMb(fn: () => tf.Tensor | tf.Tensor[] | void): Promise<number> {
  const before = tf.memory().numBytes;
  const info = await tf.profile(() => fn() ?? []);
  tf.dispose(info.result as tf.Tensor | tf.Tensor[]);
  return (info.peakBytes - before) / 2 ** 20;
}

/** Bytes of a model's weights, in MB (float32). */
export const weightsMb = (params: number): number => (4 * params) / 2 ** 20;

/** Runs `fn` with the fused CLADE kernels of `backend` unregistered (the composed gathers, Muls, Add). */
export async function withoutFusedClade<T>(backend: string, fn: () => Promise<T>): Promise<T> {
  const kernels = [CLADE_MODULATE, CLADE_MODULATE_SCALED].map((name) => tf.getKernel(name, backend)!);
  kernels.forEach((k) => tf.unregisterKernel(k.kernelName, backend));
  try {
    return await fn();
  } finally {
    kernels.forEach((k) => tf.registerKernel(k));
  }
}

/**
 * The runs of a suite: each variant, and where `backend` has CLADE's fused kernels, CLADE and
 * CLADE-ICPE once more without them ('clade, composed'), to show what the fusion saves.
 */
export function withComposedRuns<V extends string>(variants: V[], backend: string): Array<{ variant: V; label: string; composed: boolean }> {
  const fused = tf.getKernel(CLADE_MODULATE, backend) !== undefined;
  return variants.flatMap((variant) => [
    { variant, label: variant as string, composed: false },
    ...(fused && (variant === 'clade' || variant === 'cladeIcpe') ? [{ variant, label: `${variant}, composed`, composed: true }] : []),
  ]);
}

/** Prints rows as an aligned plain-text table (core's `formatTable`). */
export function printTable(header: string[], rows: Array<Array<string | number>>, out: { write(s: string): unknown } = process.stdout): void {
  out.write(formatTable(header, rows));
}
