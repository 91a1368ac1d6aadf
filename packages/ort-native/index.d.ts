/** An onnxruntime session with clade's custom ops registered (opaque handle). */
export interface NativeSessionHandle {
  readonly __brand: 'clade-ort-session';
}

export interface NativeInputInfo {
  name: string;
  /** −1 for a free dimension. */
  dims: number[];
  /** ONNXTensorElementDataType: 1 float32, 6 int32, 7 int64. */
  type: number;
}

export interface NativeTensor {
  dims: number[];
  data: Float32Array;
}

export interface NativeBinding {
  /** The onnxruntime version the binding runs. */
  version: string;
  /**
   * A CPU session (graph optimizations 'all', sequential) from model bytes. `threads` 0 keeps
   * onnxruntime's default; `profilePrefix` '' disables profiling.
   */
  createSession(model: Uint8Array, threads: number, profilePrefix: string): NativeSessionHandle;
  describe(session: NativeSessionHandle): { inputs: NativeInputInfo[]; outputs: { name: string }[] };
  /**
   * One forward on a libuv worker thread (the event loop stays free); float32 outputs only.
   * Inputs are read in place: do not write to them until the promise settles.
   */
  run(
    session: NativeSessionHandle,
    inputs: { name: string; dims: number[]; data: Float32Array | Int32Array }[],
    outputNames: string[],
  ): Promise<NativeTensor[]>;
  /** Ends profiling; returns the profile's JSON path. */
  endProfiling(session: NativeSessionHandle): string;
  /** Frees the session now, or when its runs in flight end (idempotent; otherwise the GC does). */
  release(session: NativeSessionHandle): void;
  /**
   * c = op(a) · op(b) in onnxruntime's sgemm, synchronously, written into `c` in place.
   * dims: [m, k, n, transA, transB, threads]; a is [m,k] ([k,m] with transA), b is [k,n] ([n,k]
   * with transB), c is [m,n], all row-major float32.
   */
  gemm(a: Float32Array, b: Float32Array, c: Float32Array, dims: Int32Array): void;
  /**
   * An NHWC convolution (tfjs filter layout [kh,kw,Ci,Co], dilation 1) as im2col + sgemm,
   * synchronously, in place. kind 0: out = y of (a = x, b = filter); 1: out = dx of (a = dy,
   * b = filter); 2: out = dfilter of (a = x, b = dy). geom: [n, h, w, ci, kh, kw, co, oh, ow,
   * strideH, strideW, padTop, padLeft, threads, chunkFloats (0: 8 Mi)]. A forward's optional
   * `bias` [co] is added first in each output's sum (as XNNPACK and PyTorch round it).
   */
  conv2d(kind: 0 | 1 | 2, a: Float32Array, b: Float32Array, out: Float32Array, geom: Int32Array, bias?: Float32Array): void;
  /**
   * out[a, b] = Σ_r x[a, r, b] (÷ red when mean is 1), x viewed as [pre, red, post], accumulated
   * in double. dims: [pre, red, post, mean].
   */
  reduceRows(x: Float32Array, out: Float32Array, dims: Int32Array): void;
}

/** The initialised binding; throws one clear error when it was not built or cannot load. */
export function load(): NativeBinding;
export function availability(): { available: true; onnxruntime: string } | { available: false; reason: string };
export const addonPath: string;
export function onnxruntimeLibrary(): string;
/** The ONNX domain of clade's custom ops. */
export const DOMAIN: 'ai.clade';
