/**
 * LeakyRelu for the wasm backend. The stock kernel is a scalar C loop `x < 0 ? alpha * x : x`
 * whose branch depends on the data: on activations with random signs it runs ~6 ns per element
 * (~3 ms on [2,128,128,16]; 0.3 ms when every x is positive). Here it is `x * step(x, alpha)`
 * with the stock Step (`x > 0 ? 1 : alpha`, branch-free) and XNNPACK's Multiply: ~0.2 ms.
 *
 * Exactness, for finite alpha >= +0: x > 0 gives x * 1 = x; x < 0 gives the same float32 product
 * alpha * x; x = ±0 gives ±0 * alpha = ±0 (the stock kernel returns x); NaN stays NaN; -Inf gives
 * alpha * -Inf as in the stock kernel. Negative alpha (-0 * alpha = +0, where the stock kernel
 * keeps -0), -0, NaN or infinite alpha, int32 inputs and empty tensors run the stock kernel.
 */
import { util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, LeakyReluAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { Scratch, type WasmBackendLike } from './kernel-utils';

/** `LeakyRelu` as `x * step(x, alpha)` on float32; other cases run `stock`. */
export function stepLeakyRelu(stock: KernelConfig): KernelFunc {
  return (args) => {
    const x = args.inputs['x'] as TensorInfo;
    const alpha = Math.fround((args.attrs as unknown as LeakyReluAttrs).alpha); // C gets a float
    const exact = Number.isFinite(alpha) && (alpha > 0 || Object.is(alpha, 0));
    if (x.dtype !== 'float32' || util.sizeFromShape(x.shape) === 0 || !exact) return stock.kernelFunc(args);
    const scratch = new Scratch(args.backend as WasmBackendLike);
    try {
      const slope = scratch.run('Step', { x }, { alpha });
      return scratch.keep(scratch.run('Multiply', { a: x, b: slope }));
    } finally {
      scratch.dispose();
    }
  };
}
