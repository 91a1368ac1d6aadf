/**
 * Convolution (forward, both gradients, fused with bias and activation) and transposed matrix
 * products for tfjs' wasm backend, computed by native code on the wasm heap in place: the
 * tensors stay where tfjs keeps them, the binding reads and writes them through views. Cases the
 * native code does not cover (dilation, other dtypes, exotic activations) go to the kernel the
 * native one replaced.
 */
import { util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { convInfo, f32, type ConvAttrs, type WasmBackendLike } from '../wasm/kernel-utils';
import type { NativeTensorKernels } from './binding';

/**
 * Tunables. `chunkFloats`: im2col floats per chunk of output pixels (0: the binding's 8 Mi floats,
 * 32 MiB). Tests lower it to exercise the chunked paths.
 */
export const nativeKernelLimits = { chunkFloats: 0 };

/** Where the kernels find the binding and their thread count (set by registerNativeKernels). */
export interface NativeContext {
  binding: NativeTensorKernels;
  threads: number;
}

type Conv2DInfo = ReturnType<typeof convInfo>;
type Args = Parameters<KernelFunc>[0];

const FORWARD = 0;
const BACKPROP_INPUT = 1;
const BACKPROP_FILTER = 2;

function geometry(info: Conv2DInfo, threads: number): Int32Array {
  return new Int32Array([
    info.batchSize, info.inHeight, info.inWidth, info.inChannels,
    info.filterHeight, info.filterWidth, info.outChannels, info.outHeight, info.outWidth,
    info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left, threads, nativeKernelLimits.chunkFloats,
  ]);
}

function dilated(attrs: ConvAttrs): boolean {
  const d = attrs.dilations ?? 1;
  return Array.isArray(d) ? d.some((v) => v !== 1) : d !== 1;
}

const allFloat = (...ts: TensorInfo[]) => ts.every((t) => t.dtype === 'float32');
const stockOf = (stock: KernelConfig | undefined, name: string) => (args: Args) => {
  if (!stock) throw new Error(`native kernels: ${name} has no stock kernel to fall back to.`);
  return stock.kernelFunc(args);
};

/** Activations the fused conv applies natively after the bias (tfjs' names → binding codes). */
type Epilogue = { bias: TensorInfo | undefined; activation: string; alpha: number };

/** y = act(y) over the heap view (JS: one pass, a small share of the conv's time). */
function applyActivation(y: Float32Array, activation: string, alpha: number): void {
  const n = y.length;
  if (activation === 'relu') for (let i = 0; i < n; i++) y[i] = y[i]! < 0 ? 0 : y[i]!;
  // α as float32, as the wasm kernel multiplies (a double α rounds differently).
  else if (activation === 'leakyrelu') for (let i = 0, a = Math.fround(alpha); i < n; i++) y[i] = y[i]! < 0 ? y[i]! * a : y[i]!;
  else if (activation === 'relu6') for (let i = 0; i < n; i++) y[i] = Math.min(6, Math.max(0, y[i]!));
}

const EPILOGUE_ACTIVATIONS = new Set(['linear', 'relu', 'leakyrelu', 'relu6']);

function forward(ctx: NativeContext, backend: WasmBackendLike, x: TensorInfo, filter: TensorInfo, attrs: ConvAttrs, epilogue?: Epilogue): TensorInfo {
  const info = convInfo('Conv2D', x.shape, filter.shape, attrs);
  const y = backend.makeOutput(info.outShape, 'float32');
  // Views after the allocation: it may grow (and so move) the heap.
  const out = f32(backend, y);
  let bias: Float32Array | undefined;
  if (epilogue?.bias) {
    bias = f32(backend, epilogue.bias);
    if (bias.length === 1) bias = new Float32Array(info.outChannels).fill(bias[0]!);
  }
  // The binding adds the bias first in each output's sum, as XNNPACK and PyTorch do.
  ctx.binding.conv2d(FORWARD, f32(backend, x), f32(backend, filter), out, geometry(info, ctx.threads), bias);
  if (epilogue && epilogue.activation !== 'linear') applyActivation(out, epilogue.activation, epilogue.alpha);
  return y;
}

export function nativeConv2D(ctx: NativeContext, stock: KernelConfig | undefined): KernelFunc {
  const fallback = stockOf(stock, 'Conv2D');
  return (args) => {
    const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
    const attrs = args.attrs as unknown as ConvAttrs;
    if (dilated(attrs) || !allFloat(x, filter) || (attrs.dataFormat ?? 'NHWC') !== 'NHWC') return fallback(args);
    return forward(ctx, args.backend as WasmBackendLike, x, filter, attrs);
  };
}

export function nativeFusedConv2D(ctx: NativeContext, stock: KernelConfig | undefined): KernelFunc {
  const fallback = stockOf(stock, 'FusedConv2D');
  return (args) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
    const attrs = args.attrs as unknown as ConvAttrs & { activation?: string; leakyreluAlpha?: number };
    const activation = attrs.activation ?? 'linear';
    const channels = filter!.shape[3]!;
    const biasOk = !bias || (bias.dtype === 'float32' && (util.sizeFromShape(bias.shape) === channels || util.sizeFromShape(bias.shape) === 1));
    if (
      dilated(attrs) || !allFloat(x!, filter!) || (attrs.dataFormat ?? 'NHWC') !== 'NHWC' ||
      preluActivationWeights || !EPILOGUE_ACTIVATIONS.has(activation) || !biasOk
    ) return fallback(args);
    return forward(ctx, args.backend as WasmBackendLike, x!, filter!, attrs, { bias, activation, alpha: attrs.leakyreluAlpha ?? 0.2 });
  };
}

type Shape4 = [number, number, number, number];

/**
 * A conv gradient: `a`, `b` are the kernel's two inputs in the binding's order, `outShape` the
 * attribute holding the result's shape, `xShape`/`filterShape` the geometry's sources.
 */
function nativeGradient(
  kind: typeof BACKPROP_INPUT | typeof BACKPROP_FILTER,
  kernelName: string,
  ctx: NativeContext,
  stock: KernelConfig | undefined,
  parts: (
    inputs: Record<string, TensorInfo>,
    attrs: Record<string, Shape4>,
  ) => { a: TensorInfo; b: TensorInfo; xShape: Shape4 | number[]; filterShape: Shape4 | number[]; outShape: Shape4 },
): KernelFunc {
  const fallback = stockOf(stock, kernelName);
  return (args) => {
    const attrs = args.attrs as unknown as ConvAttrs;
    const { a, b, xShape, filterShape, outShape } = parts(
      args.inputs as Record<string, TensorInfo>,
      args.attrs as unknown as Record<string, Shape4>,
    );
    if (dilated(attrs) || !allFloat(a, b) || (attrs.dataFormat ?? 'NHWC') !== 'NHWC') return fallback(args);
    const backend = args.backend as WasmBackendLike;
    const info = convInfo(kernelName, xShape, filterShape, attrs);
    const out = backend.makeOutput(outShape, 'float32');
    ctx.binding.conv2d(kind, f32(backend, a), f32(backend, b), f32(backend, out), geometry(info, ctx.threads));
    return out;
  };
}

export const nativeConv2DBackpropInput = (ctx: NativeContext, stock: KernelConfig | undefined): KernelFunc =>
  nativeGradient(BACKPROP_INPUT, 'Conv2DBackpropInput', ctx, stock, ({ dy, filter }, { inputShape }) => ({
    a: dy!, b: filter!, xShape: inputShape!, filterShape: filter!.shape, outShape: inputShape!,
  }));

export const nativeConv2DBackpropFilter = (ctx: NativeContext, stock: KernelConfig | undefined): KernelFunc =>
  nativeGradient(BACKPROP_FILTER, 'Conv2DBackpropFilter', ctx, stock, ({ x, dy }, { filterShape }) => ({
    a: x!, b: dy!, xShape: x!.shape, filterShape: filterShape!, outShape: filterShape!,
  }));

/**
 * Sum and Mean of float32 over a run of leading axes that leaves the last axis (a channels-last
 * tensor's statistics over its pixels), without the transpose the wasm kernels make first, in
 * double. Other reductions (over the last axis, other dtypes) go to the kernel replaced.
 */
export function nativeReduction(mean: boolean): (ctx: NativeContext, stock: KernelConfig | undefined) => KernelFunc {
  const kernelName = mean ? 'Mean' : 'Sum';
  return (ctx, stock) => {
    const fallback = stockOf(stock, kernelName);
    return (args) => {
      const x = args.inputs['x'] as TensorInfo;
      const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
      const rank = x.shape.length;
      const axes = util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
      const contiguous = axes.length > 0 && axes.every((a, i) => i === 0 || a === axes[i - 1]! + 1);
      if (x.dtype !== 'float32' || !contiguous || axes[axes.length - 1]! >= rank - 1 || util.sizeFromShape(x.shape) === 0) return fallback(args);
      const first = axes[0]!;
      const last = axes[axes.length - 1]!;
      const pre = util.sizeFromShape(x.shape.slice(0, first));
      const red = util.sizeFromShape(x.shape.slice(first, last + 1));
      const post = util.sizeFromShape(x.shape.slice(last + 1));
      const shape = keepDims ? x.shape.map((d, i) => (i >= first && i <= last ? 1 : d)) : x.shape.filter((_, i) => i < first || i > last);
      const backend = args.backend as WasmBackendLike;
      const out = backend.makeOutput(shape, 'float32');
      ctx.binding.reduceRows(f32(backend, x), f32(backend, out), new Int32Array([pre, red, post, mean ? 1 : 0]));
      return out;
    };
  };
}
