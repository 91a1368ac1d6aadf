/**
 * Installs our wasm training kernels into the global tfjs kernel registry (idempotent).
 *
 * Added (missing in tfjs-backend-wasm 4.22): Conv2DBackpropFilter, UnsortedSegmentSum,
 * DepthwiseConv2dNativeBackpropFilter, DepthwiseConv2dNativeBackpropInput, and CLADE's fused
 * modulation (CladeModulate, CladeModulateScaled, run by @clade/core; where wasm SIMD runs).
 * Replaced (slow there): Conv2DBackpropInput, BatchMatMul / _FusedMatMul when a transpose
 * flag is set (the untransposed case still runs the stock kernel), GatherV2 along axis 0, and the
 * data movers Slice, SplitV, Concat, LeakyRelu, (batched) matrix Transpose, and Identity
 * (an alias of its input, as on cpu).
 *
 * Works before or after the wasm backend initialises. Needs `@tensorflow/tfjs-backend-wasm` to
 * have been imported first (importing it registers the stock kernels).
 */
import { getKernel } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { BackendError } from '../errors';
import { isPatched, patchKernel, unpatchKernel } from '../patch';
import { transposeFreeMatMul } from './batch-mat-mul';
import { conv2DBackpropFilter } from './conv2d-backprop-filter';
import { conv2DBackpropInput } from './conv2d-backprop-input';
import { depthwiseConv2dNativeBackpropFilter, depthwiseConv2dNativeBackpropInput } from './depthwise-backprop';
import { unsortedSegmentSum } from './unsorted-segment-sum';
import { rowGather } from './gather';
import { CLADE_MODULATE, CLADE_MODULATE_SCALED, cladeModulate, wasmSimdSupported } from './clade-modulate';
import { WASM } from './kernel-utils';
import { heapSlice, heapSplitV } from './slice';
import { heapConcat } from './concat';
import { stepLeakyRelu } from './leaky-relu';
import { tiledTranspose } from './transpose';
import { aliasIdentity } from './identity';

/** Kernels we add where the wasm backend has none (a stock one, if a release adds it, wins). */
const ADDED: Record<string, KernelFunc> = {
  Conv2DBackpropFilter: conv2DBackpropFilter,
  UnsortedSegmentSum: unsortedSegmentSum,
  DepthwiseConv2dNativeBackpropFilter: depthwiseConv2dNativeBackpropFilter,
  DepthwiseConv2dNativeBackpropInput: depthwiseConv2dNativeBackpropInput,
  [CLADE_MODULATE]: cladeModulate,
  [CLADE_MODULATE_SCALED]: cladeModulate,
};

/** Kernels we replace; each factory receives the stock kernel. */
const REPLACED: Record<string, (stock: KernelConfig) => KernelFunc> = {
  Conv2DBackpropInput: () => conv2DBackpropInput,
  BatchMatMul: transposeFreeMatMul,
  _FusedMatMul: transposeFreeMatMul,
  GatherV2: rowGather,
  Slice: heapSlice,
  SplitV: heapSplitV,
  Concat: heapConcat,
  LeakyRelu: stepLeakyRelu,
  Transpose: tiledTranspose,
  Identity: aliasIdentity,
};

/** The kernel names `registerWasmKernels` adds or replaces. */
export const WASM_KERNEL_NAMES: readonly string[] = [...Object.keys(ADDED), ...Object.keys(REPLACED)];

/**
 * Registers the training kernels for the 'wasm' backend. Safe to call repeatedly. Throws a
 * `BackendError` when tfjs-backend-wasm has not registered its kernels (not imported).
 */
export function registerWasmKernels(): void {
  if (getKernel('Conv2D', WASM) == null) {
    throw new BackendError(
      "registerWasmKernels: @tensorflow/tfjs-backend-wasm must be imported first, got no 'wasm' kernels. " +
        'Install it (pnpm add @tensorflow/tfjs-backend-wasm) and import it, or call initBackend().',
    );
  }
  for (const [kernelName, fn] of Object.entries(ADDED)) {
    if (fn === cladeModulate && !wasmSimdSupported()) continue; // the composed ops are faster then
    patchKernel(kernelName, WASM, () => fn, true);
  }
  for (const [kernelName, make] of Object.entries(REPLACED)) {
    if (getKernel(kernelName, WASM) == null) continue;
    patchKernel(kernelName, WASM, (stock) => make(stock!));
  }
}

/**
 * Undoes `registerWasmKernels`: removes the added kernels and restores the stock ones. For
 * before/after measurements and tests; training on wasm needs the registered kernels.
 */
export function unregisterWasmKernels(): void {
  for (const kernelName of WASM_KERNEL_NAMES) unpatchKernel(kernelName, WASM);
}

/** True when our wasm kernels are currently registered. */
export function wasmKernelsRegistered(): boolean {
  return isPatched('Conv2DBackpropFilter', WASM);
}
