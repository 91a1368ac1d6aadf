/**
 * Idempotent kernel patching in the global tfjs kernel registry: install our kernelFunc for
 * (kernelName, backendName), remembering the stock kernel it replaces so it can be restored.
 * A replacement keeps the stock kernel's `setupFunc`/`disposeFunc`, so a stock kernel that we
 * delegate to is set up whether we patch before or after the backend initialises.
 */
import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';

/** Marks kernelFuncs installed by us. */
const OURS = Symbol.for('@clade/backend/kernel');

const stockKernels = new Map<string, KernelConfig>();
const key = (kernelName: string, backendName: string) => `${backendName}/${kernelName}`;

/** True when the kernel registered for (kernelName, backendName) is one of ours. */
export function isPatched(kernelName: string, backendName: string): boolean {
  const config = getKernel(kernelName, backendName);
  return config != null && (config.kernelFunc as unknown as Record<symbol, unknown>)[OURS] === true;
}

/** A kernelFunc that `isPatched` recognises as one of ours (a wrapper; `fn` is unchanged). */
export function markOurs(fn: KernelFunc): KernelFunc {
  const kernelFunc: KernelFunc = (args) => fn(args);
  (kernelFunc as unknown as Record<symbol, unknown>)[OURS] = true;
  return kernelFunc;
}

/**
 * Installs `make(stock)` for (kernelName, backendName), where `stock` is the kernel registered
 * there now (undefined if none). No-op when ours is already installed.
 * With `onlyIfMissing`, a stock kernel is left alone (for kernels a future release may add).
 */
export function patchKernel(
  kernelName: string,
  backendName: string,
  make: (stock: KernelConfig | undefined) => KernelFunc,
  onlyIfMissing = false,
): void {
  if (isPatched(kernelName, backendName)) return;
  const stock = getKernel(kernelName, backendName) as KernelConfig | undefined;
  if (stock != null && onlyIfMissing) return;
  const kernelFunc = markOurs(make(stock));
  if (stock != null) {
    stockKernels.set(key(kernelName, backendName), stock);
    unregisterKernel(kernelName, backendName);
  }
  registerKernel({
    kernelName,
    backendName,
    kernelFunc,
    ...(stock?.setupFunc ? { setupFunc: stock.setupFunc } : {}),
    ...(stock?.disposeFunc ? { disposeFunc: stock.disposeFunc } : {}),
  });
}

/** Removes our kernel for (kernelName, backendName) and restores the stock one, if any. */
export function unpatchKernel(kernelName: string, backendName: string): void {
  if (!isPatched(kernelName, backendName)) return;
  unregisterKernel(kernelName, backendName);
  const stock = stockKernels.get(key(kernelName, backendName));
  if (stock != null) registerKernel(stock);
}

/** The stock kernel that our patch replaced (or the one registered now, if unpatched). */
export function stockKernel(kernelName: string, backendName: string): KernelConfig | undefined {
  if (!isPatched(kernelName, backendName)) return getKernel(kernelName, backendName) as KernelConfig | undefined;
  return stockKernels.get(key(kernelName, backendName));
}
