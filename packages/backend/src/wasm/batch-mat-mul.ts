/**
 * BatchMatMul / _FusedMatMul with transposeA or transposeB. The stock wasm kernels run the
 * transposed cases at 0.4–1.9 GFLOP/s (vs ~17–25 plain): we transpose the operand explicitly
 * with the wasm Transpose kernel, then call the original kernel untransposed.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { Scratch, type WasmBackendLike } from './kernel-utils';

function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

/** Wraps the original (stock) matmul kernel so that it never sees a transpose flag. */
export function transposeFreeMatMul(original: KernelConfig): KernelFunc {
  return (args) => {
    const { inputs, attrs = {} } = args;
    if (!attrs['transposeA'] && !attrs['transposeB']) return original.kernelFunc(args);
    const scratch = new Scratch(args.backend as WasmBackendLike);
    try {
      let a = inputs['a'] as TensorInfo;
      let b = inputs['b'] as TensorInfo;
      if (attrs['transposeA']) a = scratch.transpose(a, swapLastTwo(a.shape.length));
      if (attrs['transposeB']) b = scratch.transpose(b, swapLastTwo(b.shape.length));
      return original.kernelFunc({
        backend: args.backend,
        inputs: { ...inputs, a, b },
        attrs: { ...attrs, transposeA: false, transposeB: false },
      });
    } finally {
      scratch.dispose();
    }
  };
}
