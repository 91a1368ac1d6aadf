/**
 * Slice and SplitV for the wasm backend, heap to heap. The stock tfjs-backend-wasm 4.22 Slice
 * `readSync`s the whole input (a copy out of the wasm heap) before copying the box, so slicing
 * 3 channels off [2,128,128,154] cost as much as copying the whole tensor several times; its
 * SplitV (the gradient of Concat) calls that Slice once per output. Any rank, float32 / int32 /
 * bool; strings and complex64 go to the stock kernels. Results are bit-identical (pure copies).
 */
import { backend_util, slice_util, util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, SliceAttrs, SplitVAttrs } from '@tensorflow/tfjs-core';
import { Scratch } from './kernel-utils';
import { copyBox, heapIndex, heapKernel, heapOutput, heapView } from './heap-copy';

/** `Slice` on the heap; other dtypes run `stock`. */
export function heapSlice(stock: KernelConfig): KernelFunc {
  return heapKernel(stock, (x, { attrs }, backend) => {
    const { begin, size } = attrs as unknown as SliceAttrs;
    const [begin_, size_] = slice_util.parseSliceParams(x, begin, size) as [number[], number[]];
    slice_util.assertParamsValid(x, begin_, size_);
    return heapOutput(backend, size_, x.dtype, [x], (view, dst) =>
      copyBox(view, dst, heapIndex(backend, x.dataId, x.dtype), x.shape, begin_, size_),
    );
  });
}

/** `SplitV` as one heap slice per output; other dtypes run `stock`. */
export function heapSplitV(stock: KernelConfig): KernelFunc {
  return heapKernel(stock, (x, { attrs }, backend) => {
    const { numOrSizeSplits, axis } = attrs as unknown as SplitVAttrs;
    const ax = util.parseAxisParam(axis, x.shape)[0]!;
    // prepareSplitSize resolves a -1 in place; give it a copy so the attrs stay as given.
    const splits = Array.isArray(numOrSizeSplits) ? numOrSizeSplits.slice() : numOrSizeSplits;
    const sizes = backend_util.prepareSplitSize(x, splits, ax);
    const scratch = new Scratch(backend);
    try {
      const outs = sizes.map((s) => {
        const shape = x.shape.slice();
        shape[ax] = s;
        return scratch.alloc(shape, x.dtype);
      });
      if (util.sizeFromShape(x.shape) > 0) {
        const view = heapView(backend, x.dtype, [x, ...outs]); // after the last makeOutput
        const src = heapIndex(backend, x.dataId, x.dtype);
        const begin = new Array<number>(x.shape.length).fill(0);
        for (const out of outs) {
          const dst = heapIndex(backend, out.dataId, x.dtype);
          if (out.shape[ax]! > 0) copyBox(view, dst, src, x.shape, begin, out.shape);
          begin[ax]! += out.shape[ax]!;
        }
      }
      return outs.map((out) => scratch.keep(out));
    } finally {
      scratch.dispose();
    }
  });
}
