/**
 * Conv2DBackpropFilter (dW of conv2d) for the wasm backend, which has none in tfjs 4.22.
 *
 * A transposed im2col, built in JS straight into the wasm heap, then one plain XNNPACK matmul:
 *   dW[kh*kw*Ci, Co] = colsᵀ[kh*kw*Ci, P] · dy[P, Co],   P = N·outH·outW.
 * The large operand is the left one on purpose: XNNPACK re-packs the right operand on every
 * call with a fresh tensor (~11 ns/element), which would cost more than the multiply itself.
 * colsᵀ rows are runs of one channel plane, so x is first transposed to [Ci, N, H, W] with the
 * wasm Transpose kernel and each run is one `TypedArray.set`. Over chunks of output rows the
 * partial products are summed, so the buffer stays ≤ 32 MiB at any image size.
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { Scratch, convGradInfo, convDims, f32, wasmKernelLimits, type WasmBackendLike } from './kernel-utils';

export const conv2DBackpropFilter: KernelFunc = (args) => {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const { filterShape, info } = convGradInfo('Conv2DBackpropFilter', args);
  const scratch = new Scratch(args.backend as WasmBackendLike);
  try {
    const { n, h, w, ci, co, oh, ow, kh, kw, sh, sw, pt, pl } = convDims(info);
    const k = kh * kw * ci;
    const outRows = n * oh; // (batch, output row) pairs
    const xT = scratch.transpose(x, [3, 0, 1, 2]); // [Ci, N, H, W]
    const dy2 = scratch.reshape(dy, [outRows * ow, co]);
    const rowsPerChunk = Math.max(1, Math.floor(wasmKernelLimits.chunkFloats / (k * ow)));
    let acc: TensorInfo | undefined;
    for (let r0 = 0; r0 < outRows; r0 += rowsPerChunk) {
      const rc = Math.min(rowsPerChunk, outRows - r0);
      const pc = rc * ow;
      const dyc = rc === outRows ? dy2 : scratch.rows(dy2, r0 * ow, pc);
      const colsT = scratch.alloc([k, pc]);
      const src = f32(scratch.backend, xT); // views taken after the last allocation
      const dst = f32(scratch.backend, colsT);
      for (let ky = 0; ky < kh; ky++) {
        for (let kx = 0; kx < kw; kx++) {
          // Valid ox range: 0 <= ox*sw - pl + kx < w.
          const ox0 = Math.min(ow, Math.max(0, Math.ceil((pl - kx) / sw)));
          const ox1 = Math.max(ox0, Math.min(ow, Math.ceil((w + pl - kx) / sw)));
          for (let c = 0; c < ci; c++) {
            const base = ((ky * kw + kx) * ci + c) * pc;
            for (let rr = 0; rr < rc; rr++) {
              const q = r0 + rr;
              const b = Math.floor(q / oh);
              const iy = (q % oh) * sh - pt + ky;
              const d = base + rr * ow;
              if (iy < 0 || iy >= h) {
                dst.fill(0, d, d + ow);
                continue;
              }
              if (ox0 > 0) dst.fill(0, d, d + ox0);
              if (ox1 < ow) dst.fill(0, d + ox1, d + ow);
              const row = ((c * n + b) * h + iy) * w - pl + kx; // + ox*sw
              if (sw === 1) {
                dst.set(src.subarray(row + ox0, row + ox1), d + ox0);
              } else {
                for (let ox = ox0; ox < ox1; ox++) dst[d + ox] = src[row + ox * sw]!;
              }
            }
          }
        }
      }
      const part = scratch.run('BatchMatMul', { a: colsT, b: dyc }, { transposeA: false, transposeB: false });
      scratch.release(colsT);
      if (dyc !== dy2) scratch.release(dyc);
      if (acc === undefined) {
        acc = part;
      } else {
        const sum = scratch.run('Add', { a: acc, b: part });
        scratch.release(acc);
        scratch.release(part);
        acc = sum;
      }
    }
    return scratch.keep(scratch.reshape(acc!, filterShape));
  } finally {
    scratch.dispose();
  }
};
