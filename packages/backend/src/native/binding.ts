/**
 * The native tensor kernels of @clade/ort-native (onnxruntime's sgemm behind im2col/col2im),
 * loaded on demand in Node only: the browser and machines without a C compiler never load it.
 */
import { BackendError } from '../errors';

/** The slice of @clade/ort-native's binding that the kernels call (see its index.d.ts). */
export interface NativeTensorKernels {
  /** onnxruntime's version. */
  version: string;
  /** c = op(a) · op(b); dims [m, k, n, transA, transB, threads]. */
  gemm(a: Float32Array, b: Float32Array, c: Float32Array, dims: Int32Array): void;
  /**
   * kind 0: y = conv(x, filter); 1: dx from (dy, filter); 2: dfilter from (x, dy). Geometry
   * [n, h, w, ci, kh, kw, co, oh, ow, sh, sw, padTop, padLeft, threads, chunkFloats (0: default)],
   * NHWC, dilation 1. A forward's `bias` [co] is added first in each output's sum.
   */
  conv2d(kind: 0 | 1 | 2, a: Float32Array, b: Float32Array, out: Float32Array, geom: Int32Array, bias?: Float32Array): void;
  /** out[a, b] = Σ_r x[a, r, b] (÷ red with mean 1), x as [pre, red, post]; dims [pre, red, post, mean]. */
  reduceRows(x: Float32Array, out: Float32Array, dims: Int32Array): void;
}

let loaded: NativeTensorKernels | null = null;

/** The binding, or a BackendError saying why it cannot load here (not built, not Node). */
export async function loadNativeKernels(): Promise<NativeTensorKernels> {
  if (loaded) return loaded;
  if (typeof process !== 'object' || typeof process.versions?.node !== 'string') {
    throw new BackendError('native kernels: they run in Node only (a compiled onnxruntime binding).');
  }
  let mod: { load(): NativeTensorKernels };
  try {
    const name = '@clade/ort-native';
    const imported = (await import(/* webpackIgnore: true */ name)) as { default?: unknown };
    mod = (imported.default ?? imported) as typeof mod;
  } catch (e) {
    throw new BackendError(`native kernels: @clade/ort-native is not installed (${e instanceof Error ? e.message : String(e)}).`);
  }
  let b: NativeTensorKernels;
  try {
    b = mod.load();
  } catch (e) {
    throw new BackendError(e instanceof Error ? e.message : String(e));
  }
  if (typeof b.conv2d !== 'function' || typeof b.gemm !== 'function' || typeof b.reduceRows !== 'function') {
    throw new BackendError(
      "native kernels: this @clade/ort-native build has no tensor kernels (it predates them); rebuild it with `pnpm --filter @clade/ort-native build`.",
    );
  }
  loaded = b;
  return b;
}
