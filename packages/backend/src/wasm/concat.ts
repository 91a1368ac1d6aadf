/**
 * Concat for the wasm backend with `copyWithin` on one heap view. The stock kernel copies each
 * input's rows with `subarray` + `set` between two views of the heap: two short-lived view
 * objects per row and input, which dominates when rows are short (concatenating a 3-channel
 * edge map onto 151 label channels, [2,128,128,·]). Float32 / int32 / bool with one dtype; the
 * rest (strings, mixed dtypes, at most one non-empty input) go to the stock kernel.
 */
import { backend_util, util } from '@tensorflow/tfjs-core';
import type { ConcatAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { copyRun, heapCopyable, heapIndex, heapOutput, type WasmHeapBackend } from './heap-copy';

/** `Concat` on the heap; other cases run `stock`. */
export function heapConcat(stock: KernelConfig): KernelFunc {
  return (args) => {
    const inputs = Object.values(args.inputs) as TensorInfo[];
    const dtype = inputs[0]?.dtype;
    if (dtype === undefined || !heapCopyable(dtype) || inputs.some((t) => t.dtype !== dtype)) {
      return stock.kernelFunc(args);
    }
    const nonEmpty = inputs.filter((t) => util.sizeFromShape(t.shape) > 0);
    if (nonEmpty.length <= 1) return stock.kernelFunc(args); // empty or a copy of one input
    const { axis } = args.attrs as unknown as ConcatAttrs;
    const ax = util.parseAxisParam(axis, inputs[0]!.shape)[0]!;
    const shapes = inputs.map((t) => t.shape);
    backend_util.assertParamsConsistent(shapes, ax);
    const backend = args.backend as WasmHeapBackend;
    const rows = util.sizeFromShape(nonEmpty[0]!.shape.slice(0, ax));
    const inner = nonEmpty.map((t) => util.sizeFromShape(t.shape.slice(ax)));
    return heapOutput(backend, backend_util.computeOutShape(shapes, ax), dtype, nonEmpty, (view, dst) => {
      const src = nonEmpty.map((t) => heapIndex(backend, t.dataId, dtype));
      for (let r = 0; r < rows; r++) {
        for (let i = 0; i < src.length; i++) {
          const n = inner[i]!;
          copyRun(view, dst, src[i]! + r * n, n);
          dst += n;
        }
      }
    });
  };
}
