/**
 * A correct ResizeNearestNeighborGrad (the gradient of `tf.image.resizeNearestNeighbor`).
 *
 * tfjs-backend-cpu 4.22 gets it wrong for batch > 1: it reads dy at the *image's* batch stride
 * (`b * inH*inW*C` instead of `b * outH*outW*C`), so every image after the first receives the
 * gradient of the wrong pixels (e.g. for a ×2 upsampling of a [2,2,2,1] batch, image 1 gets
 * image 0's lower half of dy). Nearest ×2 upsampling sits in every generator we train.
 *
 * Ours is the exact adjoint of the *same backend's* forward kernel: the source row of each
 * output row (and column) is found by running that backend's own ResizeNearestNeighbor on an
 * index ramp, so it matches whatever rounding the forward uses (the cpu and wasm forwards
 * differ for some odd sizes, and neither is always floor(j·in/out)). dx is then a plain
 * scatter-add of dy in JS. All alignCorners / halfPixelCenters settings and sizes work.
 */
import { getKernel } from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { isPatched, patchKernel, unpatchKernel } from '../patch';
import { runKernelOn } from '../wasm/kernel-utils';

export const RESIZE_NEAREST_GRAD = 'ResizeNearestNeighborGrad';

type ResizeAttrs = { alignCorners: boolean; halfPixelCenters: boolean };

const indexCache = new Map<string, Int32Array>();

/** Source index along one axis for each of `outSize` outputs, per the backend's forward. */
function sourceIndices(
  backend: KernelBackend,
  backendName: string,
  inSize: number,
  outSize: number,
  attrs: ResizeAttrs,
): Int32Array {
  const cacheKey = `${backendName}/${inSize}/${outSize}/${attrs.alignCorners}/${attrs.halfPixelCenters}`;
  const cached = indexCache.get(cacheKey);
  if (cached !== undefined) return cached;
  const ramp = Float32Array.from({ length: inSize }, (_, i) => i);
  const shape = [1, inSize, 1, 1];
  const images: TensorInfo = { dataId: backend.write(ramp, shape, 'float32'), shape, dtype: 'float32' };
  try {
    const out = runKernelOn(backend, backendName, 'ResizeNearestNeighbor', { images }, {
      alignCorners: attrs.alignCorners,
      halfPixelCenters: attrs.halfPixelCenters,
      size: [outSize, 1],
    });
    const values = Int32Array.from(backend.readSync(out.dataId) as Float32Array);
    backend.disposeData(out.dataId);
    indexCache.set(cacheKey, values);
    return values;
  } finally {
    backend.disposeData(images.dataId);
  }
}

/** The kernelFunc for `backendName` (cpu, wasm, or any backend with readSync/write). */
export function resizeNearestNeighborGradFor(backendName: string): KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const kb = backend as KernelBackend;
    const images = inputs['images'] as TensorInfo;
    const dy = inputs['dy'] as TensorInfo;
    const a = { alignCorners: !!attrs?.['alignCorners'], halfPixelCenters: !!attrs?.['halfPixelCenters'] };
    const [n, inH, inW, c] = images.shape as [number, number, number, number];
    const [, outH, outW] = dy.shape as [number, number, number, number];
    const rows = sourceIndices(kb, backendName, inH, outH, a);
    const cols = sourceIndices(kb, backendName, inW, outW, a);
    const g = kb.readSync(dy.dataId) as Float32Array;
    const dx = new Float32Array(n * inH * inW * c);
    let src = 0;
    for (let b = 0; b < n; b++) {
      for (let y = 0; y < outH; y++) {
        const rowBase = (b * inH + rows[y]!) * inW;
        for (let x = 0; x < outW; x++) {
          const d = (rowBase + cols[x]!) * c;
          for (let k = 0; k < c; k++) dx[d + k]! += g[src++]!;
        }
      }
    }
    return { dataId: kb.write(dx, images.shape, 'float32'), shape: images.shape, dtype: 'float32' };
  };
}

/** Installs the corrected kernel on each named backend that has kernels registered (idempotent). */
export function registerResizeNearestGradFix(backendNames: readonly string[] = ['cpu', 'wasm']): string[] {
  const done: string[] = [];
  for (const name of backendNames) {
    if (getKernel('ResizeNearestNeighbor', name) == null) continue; // backend not imported
    patchKernel(RESIZE_NEAREST_GRAD, name, () => resizeNearestNeighborGradFor(name));
    if (isPatched(RESIZE_NEAREST_GRAD, name)) done.push(name);
  }
  return done;
}

/** Restores the stock kernels (for tests that demonstrate the bug). */
export function unregisterResizeNearestGradFix(backendNames: readonly string[] = ['cpu', 'wasm']): void {
  for (const name of backendNames) unpatchKernel(RESIZE_NEAREST_GRAD, name);
}
