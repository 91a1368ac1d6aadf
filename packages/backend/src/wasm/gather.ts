/**
 * GatherV2 along axis 0 for the wasm backend: a row copy on the wasm heap. The stock kernel
 * runs ~100 ns per element (CLADE's guided sampling of a [K,C] table at 256²×64 took ~0.35 s);
 * copying whole rows with TypedArray.set is memory-bound (a few ms). Other axes and batch dims
 * go to the stock kernel.
 */
import { util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { BackendError } from '../errors';
import { Scratch, type WasmBackendLike } from './kernel-utils';

export function rowGather(stock: KernelConfig): KernelFunc {
  return (args) => {
    const { inputs, attrs, backend } = args;
    const x = inputs['x'] as TensorInfo;
    const indices = inputs['indices'] as TensorInfo;
    const { axis, batchDims = 0 } = attrs as { axis: number; batchDims?: number };
    const ax = util.parseAxisParam(axis, x.shape)[0];
    if (ax !== 0 || batchDims !== 0 || indices.dtype !== 'int32' || x.dtype === 'string') return stock.kernelFunc(args);
    const scratch = new Scratch(backend as WasmBackendLike);
    try {
      const rows = x.shape[0]!;
      const inner = util.sizeFromShape(x.shape.slice(1));
      const out = scratch.alloc([...indices.shape, ...x.shape.slice(1)], x.dtype);
      const dst = scratch.backend.typedArrayFromHeap(out);
      const src = scratch.backend.typedArrayFromHeap(x);
      const ids = scratch.backend.typedArrayFromHeap(indices);
      for (let i = 0, n = ids.length; i < n; i++) {
        const r = ids[i]!;
        if (r < 0 || r >= rows)
          throw new BackendError(`GatherV2: indices must be in [0, ${rows - 1}], got ${r} at position ${i}.`);
        dst.set(src.subarray(r * inner, r * inner + inner), i * inner);
      }
      return scratch.keep(out);
    } finally {
      scratch.dispose();
    }
  };
}
