/**
 * Copies between tensors on the wasm heap, for the data-movement kernels (Slice, SplitV, Concat,
 * Transpose). The stock tfjs-backend-wasm 4.22 Slice first `readSync`s the whole
 * input out of the heap and then copies row by row; here every copy stays on the heap.
 *
 * Contiguous runs of 8 or more elements go through `copyWithin` on ONE whole-heap view (a
 * memmove: ~20-30 ns per call, no subarray objects, no second view of the same buffer; `subarray`
 * + `set` measured ~1.5-2× slower per run); shorter runs through a plain index loop. 4-byte dtypes
 * (float32, int32) are copied as int32 bit patterns, so NaN payloads survive; bool as bytes. Take
 * views only after a kernel's last `makeOutput` (an allocation can grow the heap and detach older
 * views); `heapOutput` does that.
 */
import { util } from '@tensorflow/tfjs-core';
import type { DataId, DataType, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { BackendError } from '../errors';
import type { WasmBackendLike } from './kernel-utils';

/** The parts of tfjs-backend-wasm's `BackendWasm` that heap copies use. */
export interface WasmHeapBackend extends WasmBackendLike {
  /** `wasmMemory` exists in the threaded build, whose exported `HEAPU8` can lag a heap growth. */
  wasm: { HEAPU8: Uint8Array; wasmMemory?: { buffer: ArrayBufferLike } };
  getMemoryOffset(dataId: DataId): number;
}

/** A whole-heap view whose element size is the dtype's. */
export type HeapView = Int32Array | Uint8Array;

/** Dtypes these kernels copy themselves (string and complex64 go to the stock kernels). */
export function heapCopyable(dtype: DataType): boolean {
  return dtype === 'float32' || dtype === 'int32' || dtype === 'bool';
}

/**
 * A kernel that moves `inputs.x` on the heap where `heapCopyable` allows its dtype and runs `stock`
 * for the other dtypes; `heap` may hand the cases it does not cover to `stock` too.
 */
export function heapKernel(
  stock: KernelConfig,
  heap: (x: TensorInfo, args: Parameters<KernelFunc>[0], backend: WasmHeapBackend) => ReturnType<KernelFunc>,
): KernelFunc {
  return (args) => {
    const x = args.inputs['x'] as TensorInfo;
    return heapCopyable(x.dtype) ? heap(x, args, args.backend as WasmHeapBackend) : stock.kernelFunc(args);
  };
}

/**
 * Whole-heap view for `dtype` (4-byte or 1-byte elements) that holds every tensor in `tensors`
 * (checked: a stale view would drop writes silently). Re-take after any allocation.
 */
export function heapView(backend: WasmHeapBackend, dtype: DataType, tensors: readonly TensorInfo[]): HeapView {
  const buffer = backend.wasm.wasmMemory?.buffer ?? backend.wasm.HEAPU8.buffer;
  const bytes = util.bytesPerElement(dtype);
  for (const t of tensors) {
    const end = backend.getMemoryOffset(t.dataId) + util.sizeFromShape(t.shape) * bytes;
    if (end > buffer.byteLength) {
      throw new BackendError(
        `wasm heap copy: tensor data must lie inside the heap (${buffer.byteLength} bytes), got its end at ${end}.`,
      );
    }
  }
  return bytes === 4 ? new Int32Array(buffer) : new Uint8Array(buffer);
}

/** Element index of a tensor's first value in `heapView(backend, dtype)`. */
export function heapIndex(backend: WasmHeapBackend, dataId: DataId, dtype: DataType): number {
  return backend.getMemoryOffset(dataId) / util.bytesPerElement(dtype);
}

/**
 * A new output tensor, filled by `fill(view, dst)`: `view` is taken after the allocation (so it is
 * current) and holds `inputs` and the output; `dst` is the output's index in it. An empty output
 * is returned as is; the output is released if `fill` throws.
 */
export function heapOutput(
  backend: WasmHeapBackend,
  shape: number[],
  dtype: DataType,
  inputs: readonly TensorInfo[],
  fill: (view: HeapView, dst: number) => void,
): TensorInfo {
  const out = backend.makeOutput(shape, dtype);
  if (util.sizeFromShape(shape) === 0) return out;
  try {
    fill(heapView(backend, dtype, [...inputs, out]), heapIndex(backend, out.dataId, dtype));
    return out;
  } catch (e) {
    backend.disposeData(out.dataId);
    throw e;
  }
}

/**
 * Runs shorter than this (in elements) are copied by an index loop; longer ones by
 * `copyWithin`. Exposed for benchmarks and tests (results do not depend on it).
 */
export const heapCopyLimits = { minCopyWithin: 8 };

/** Copies `n` elements from `src` to `dst` (indices into `view`, non-overlapping). */
export function copyRun(view: HeapView, dst: number, src: number, n: number): void {
  if (n >= heapCopyLimits.minCopyWithin) view.copyWithin(dst, src, src + n);
  else for (let k = 0; k < n; k++) view[dst + k] = view[src + k]!;
}

/**
 * Copies the box `size` at `begin` of a dense row-major tensor of shape `shape` (starting at
 * `src`) into a dense output at `dst`. `size` must be within bounds and have no zero entries.
 */
export function copyBox(
  view: HeapView,
  dst: number,
  src: number,
  shape: readonly number[],
  begin: readonly number[],
  size: readonly number[],
): void {
  // Source strides; fold every begin offset into `src` and drop size-1 dims.
  const strides = util.computeStrides(shape as number[]);
  const dims: Array<[number, number]> = []; // [size, source stride], outermost first
  for (let d = 0; d < shape.length; d++) {
    const stride = d < strides.length ? strides[d]! : 1;
    src += begin[d]! * stride;
    if (size[d] !== 1) dims.push([size[d]!, stride]);
  }
  // Merge a dim into its outer neighbour where the two are contiguous in the source.
  const merged: Array<[number, number]> = [];
  for (const [n, stride] of dims) {
    const last = merged[merged.length - 1];
    if (last !== undefined && last[1] === n * stride) merged[merged.length - 1] = [last[0] * n, stride];
    else merged.push([n, stride]);
  }
  // The innermost dim is the contiguous run if its stride is 1; otherwise runs are 1 long.
  let run = 1;
  if (merged.length > 0 && merged[merged.length - 1]![1] === 1) run = merged.pop()![0];
  if (merged.length === 0) {
    copyRun(view, dst, src, run);
    return;
  }
  const [innerN, innerStride] = merged.pop()!;
  const rest = merged; // outer dims, odometer order
  const idx = new Array<number>(rest.length).fill(0);
  let outerCount = 1;
  for (const [n] of rest) outerCount *= n;
  const bulk = run >= heapCopyLimits.minCopyWithin;
  for (let o = 0; o < outerCount; o++) {
    let s = src;
    if (bulk) {
      for (let i = 0; i < innerN; i++, s += innerStride, dst += run) view.copyWithin(dst, s, s + run);
    } else if (run === 1) {
      for (let i = 0; i < innerN; i++, s += innerStride) view[dst++] = view[s]!;
    } else {
      for (let i = 0; i < innerN; i++, s += innerStride, dst += run) {
        for (let k = 0; k < run; k++) view[dst + k] = view[s + k]!;
      }
    }
    for (let d = rest.length - 1; d >= 0; d--) {
      const [n, stride] = rest[d]!;
      const i = idx[d]! + 1;
      src += stride;
      if (i < n) {
        idx[d] = i;
        break;
      }
      src -= stride * n;
      idx[d] = 0;
    }
  }
}
