/**
 * Helpers for kernels that compose the wasm backend's own (fast, C++/XNNPACK) kernels.
 *
 * Inside a kernelFunc we work with `TensorInfo`s, not Tensors: each intermediate comes from
 * another kernel's kernelFunc (looked up in the registry, as tfjs-backend-wasm's own kernels
 * compose) and is released with `backend.disposeData`. Nothing touches the engine, so
 * intermediates are invisible to the gradient tape and to `tf.memory()`.
 */
import { backend_util, getKernel, util } from '@tensorflow/tfjs-core';
import type { DataId, DataType, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { BackendError } from '../errors';

/** The parts of tfjs-backend-wasm's `BackendWasm` that our kernels use (no type import needed). */
export interface WasmBackendLike {
  makeOutput(shape: number[], dtype: DataType, memoryOffset?: number): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: DataId, force?: boolean): boolean;
}

export const WASM = 'wasm';

/** Runs a registered kernel of `backendName` on TensorInfos; returns its (first) output. */
export function runKernelOn(
  backend: object,
  backendName: string,
  kernelName: string,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap = {},
): TensorInfo {
  const config = getKernel(kernelName, backendName);
  if (config == null) {
    throw new BackendError(
      `runKernelOn: kernel '${kernelName}' must be registered for backend '${backendName}', got none.`,
    );
  }
  const out = config.kernelFunc({ inputs, attrs, backend });
  return Array.isArray(out) ? out[0]! : out;
}

/**
 * A bag of intermediate TensorInfos, all released by `dispose()` (call it in `finally`).
 * `run` dispatches to the wasm registry, so a kernel we replaced is reached through our
 * replacement (which itself delegates to the original where that is fast).
 */
export class Scratch {
  private readonly infos: TensorInfo[] = [];

  constructor(readonly backend: WasmBackendLike, readonly backendName: string = WASM) {}

  run(kernelName: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
    const out = runKernelOn(this.backend, this.backendName, kernelName, inputs, attrs);
    this.infos.push(out);
    return out;
  }

  /** A fresh, uninitialised float32 (or other dtype) tensor on the wasm heap. */
  alloc(shape: number[], dtype: DataType = 'float32'): TensorInfo {
    const out = this.backend.makeOutput(shape, dtype);
    this.infos.push(out);
    return out;
  }

  /** Tracks an output produced elsewhere. */
  track(info: TensorInfo): TensorInfo {
    this.infos.push(info);
    return info;
  }

  /** Stops tracking `info` (it becomes the kernel's result) and returns it. */
  keep(info: TensorInfo): TensorInfo {
    const i = this.infos.lastIndexOf(info);
    if (i >= 0) this.infos.splice(i, 1);
    return info;
  }

  /** Disposes one intermediate early (to cap peak memory inside chunked loops). */
  release(info: TensorInfo): void {
    const i = this.infos.lastIndexOf(info);
    if (i >= 0) {
      this.infos.splice(i, 1);
      this.backend.disposeData(info.dataId);
    }
  }

  /**
   * Rows [begin, begin + count) of a tensor viewed as [rows, rowSize], copied on the heap.
   * (The stock wasm Slice first copies the whole input to JS, which is wasteful in a loop.)
   */
  rows(x: TensorInfo, begin: number, count: number): TensorInfo {
    const rowSize = util.sizeFromShape(x.shape.slice(1));
    const out = this.alloc([count, ...x.shape.slice(1)], x.dtype);
    const src = this.backend.typedArrayFromHeap(x);
    const dst = this.backend.typedArrayFromHeap(out);
    dst.set(src.subarray(begin * rowSize, (begin + count) * rowSize));
    return out;
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  dispose(): void {
    for (const info of this.infos) this.backend.disposeData(info.dataId);
    this.infos.length = 0;
  }
}

/** A float32 view of a wasm tensor's data. Re-take views after any allocation (heap may grow). */
export function f32(backend: WasmBackendLike, t: TensorInfo): Float32Array {
  const v = backend.typedArrayFromHeap(t);
  if (!(v instanceof Float32Array)) {
    throw new BackendError(`wasm kernels: tensor dtype must be float32, got ${t.dtype}.`);
  }
  return v;
}

export type ConvAttrs = {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dilations?: number | [number, number];
};

/** Conv geometry in NHWC; rejects NCHW (the wasm backend has no NCHW convolutions at all). */
export function convInfo(
  kernel: string,
  xShape: number[],
  filterShape: number[],
  attrs: ConvAttrs,
  depthwise = false,
): backend_util.Conv2DInfo {
  const format = attrs.dataFormat ?? 'NHWC';
  if (format !== 'NHWC') {
    throw new BackendError(`${kernel} (wasm): dataFormat must be NHWC, got '${format}'. Supported: NHWC.`);
  }
  util.assert(xShape.length === 4 && filterShape.length === 4, () =>
    `${kernel} (wasm): x and filter must be rank 4, got [${xShape}] and [${filterShape}].`);
  return backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    depthwise,
    'channelsLast',
  );
}

type KernelArgs = { inputs: NamedTensorInfoMap; attrs?: NamedAttrMap };

/**
 * The geometry of a conv gradient kernel (Conv2DBackpropInput/Filter and their depthwise twins)
 * and the shapes it comes from: the operand being differentiated is a shape in the attrs
 * (inputShape or filterShape), the other an input tensor. The dense kernels run at dilation 1.
 */
export function convGradInfo(kernel: string, { inputs, attrs }: KernelArgs, depthwise = false) {
  const a = attrs as unknown as ConvAttrs & { inputShape?: number[]; filterShape?: number[] };
  const xShape = a.inputShape ?? (inputs['x'] as TensorInfo).shape;
  const filterShape = a.filterShape ?? (inputs['filter'] as TensorInfo).shape;
  return { xShape, filterShape, info: convInfo(kernel, xShape, filterShape, depthwise ? a : { ...a, dilations: 1 }, depthwise) };
}

/** A conv's geometry under the short names the kernel loops use (pt, pl: top and left padding). */
export function convDims(i: backend_util.Conv2DInfo) {
  return {
    n: i.batchSize, h: i.inHeight, w: i.inWidth, ci: i.inChannels, co: i.outChannels,
    oh: i.outHeight, ow: i.outWidth, kh: i.filterHeight, kw: i.filterWidth,
    sh: i.strideHeight, sw: i.strideWidth, dh: i.dilationHeight, dw: i.dilationWidth,
    pt: i.padInfo.top, pl: i.padInfo.left,
  };
}

/** Explicit NHWC paddings for the wasm Conv2D kernel. */
export function explicitPad(top: number, bottom: number, left: number, right: number): backend_util.ExplicitPadding {
  return [[0, 0], [top, bottom], [left, right], [0, 0]];
}

/**
 * Tunables. `chunkFloats`: elements per intermediate im2col/col2im buffer (8 Mi floats =
 * 32 MiB of wasm heap); larger problems are processed in chunks. Tests lower it to exercise
 * the chunked paths.
 */
export const wasmKernelLimits = { chunkFloats: 8 * 1024 * 1024 };
