/**
 * Puts the native kernels under tfjs' wasm backend: Conv2D, FusedConv2D and both conv gradients
 * run in onnxruntime's sgemm on the wasm heap, Sum and Mean over pixels in one C pass (see
 * kernels.ts); everything else stays wasm. The
 * kernels they replace (stock or our own wasm ones) are kept as their fallbacks and come back
 * with `unregisterNativeKernels`.
 */
import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { BackendError } from '../errors';
import { markOurs } from '../patch';
import { WASM } from '../wasm/kernel-utils';
import type { NativeTensorKernels } from './binding';
import {
  nativeConv2D,
  nativeConv2DBackpropFilter,
  nativeConv2DBackpropInput,
  nativeFusedConv2D,
  nativeReduction,
  type NativeContext,
} from './kernels';

const FACTORIES: Record<string, (ctx: NativeContext, replaced: KernelConfig | undefined) => KernelFunc> = {
  Conv2D: nativeConv2D,
  FusedConv2D: nativeFusedConv2D,
  Conv2DBackpropInput: nativeConv2DBackpropInput,
  Conv2DBackpropFilter: nativeConv2DBackpropFilter,
  Mean: nativeReduction(true),
  Sum: nativeReduction(false),
};

/** The kernel names the native path takes over on the wasm backend. */
export const NATIVE_KERNEL_NAMES: readonly string[] = Object.keys(FACTORIES);

let active: { ctx: NativeContext; replaced: Map<string, KernelConfig | undefined> } | null = null;

/**
 * Registers the native kernels for 'wasm' with `threads` onnxruntime threads (idempotent; a
 * second call only changes the thread count). Call after `registerWasmKernels`, whose conv
 * gradients become the fallbacks.
 */
export function registerNativeKernels(binding: NativeTensorKernels, threads: number): void {
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
    throw new BackendError(`registerNativeKernels: threads must be an integer in [1, 64], got ${threads}.`);
  }
  if (active) {
    active.ctx.threads = threads;
    return;
  }
  const ctx: NativeContext = { binding, threads };
  const replaced = new Map<string, KernelConfig | undefined>();
  for (const [kernelName, make] of Object.entries(FACTORIES)) {
    const previous = getKernel(kernelName, WASM) as KernelConfig | undefined;
    replaced.set(kernelName, previous);
    if (previous) unregisterKernel(kernelName, WASM);
    registerKernel({
      kernelName,
      backendName: WASM,
      kernelFunc: markOurs(make(ctx, previous)),
      ...(previous?.setupFunc ? { setupFunc: previous.setupFunc } : {}),
      ...(previous?.disposeFunc ? { disposeFunc: previous.disposeFunc } : {}),
    });
  }
  active = { ctx, replaced };
}

/** Restores the kernels the native ones replaced. */
export function unregisterNativeKernels(): void {
  if (!active) return;
  for (const [kernelName, previous] of active.replaced) {
    unregisterKernel(kernelName, WASM);
    if (previous) registerKernel(previous);
  }
  active = null;
}

/** The native path's state: null when its kernels are not registered. */
export function nativeKernelsActive(): { threads: number; onnxruntime: string } | null {
  return active ? { threads: active.ctx.threads, onnxruntime: active.ctx.binding.version } : null;
}
