/**
 * DepthwiseConv2dNativeBackpropInput / ...BackpropFilter for the wasm backend (it has neither).
 * Plain JS loops over the wasm heap: a depthwise conv does Ci·mult MACs per tap, far fewer than
 * a dense conv, so this is not the bottleneck of any network we train. Any stride, padding and
 * dilation that `computeConv2DInfo` accepts.
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { Scratch, convDims, convGradInfo, convInfo, f32, type WasmBackendLike } from './kernel-utils';

type Geometry = ReturnType<typeof convInfo>;

/** Calls `fn(xOffset, dyOffset, wOffset)` for every valid (pixel, tap, channel) triple's start. */
function forEachTap(info: Geometry, fn: (xo: number, dyo: number, wo: number) => void): void {
  const { n, h, w, ci, co, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl } = convDims(info);
  const mult = co / ci;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const dyo = ((b * oh + oy) * ow + ox) * co;
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - pt + ky * dh;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw - pl + kx * dw;
            if (ix < 0 || ix >= w) continue;
            fn(((b * h + iy) * w + ix) * ci, dyo, (ky * kw + kx) * ci * mult);
          }
        }
      }
    }
  }
}

export const depthwiseConv2dNativeBackpropInput: KernelFunc = (args) => {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const { xShape, info } = convGradInfo('DepthwiseConv2dNativeBackpropInput', args, true);
  const scratch = new Scratch(args.backend as WasmBackendLike);
  try {
    const dx = scratch.alloc(xShape);
    const out = f32(scratch.backend, dx);
    const g = f32(scratch.backend, dy);
    const wv = f32(scratch.backend, filter);
    out.fill(0);
    const ci = info.inChannels;
    const mult = info.outChannels / ci;
    forEachTap(info, (xo, dyo, wo) => {
      for (let c = 0; c < ci; c++) {
        let s = 0;
        for (let m = 0; m < mult; m++) s += g[dyo + c * mult + m]! * wv[wo + c * mult + m]!;
        out[xo + c]! += s;
      }
    });
    return scratch.keep(dx);
  } finally {
    scratch.dispose();
  }
};

export const depthwiseConv2dNativeBackpropFilter: KernelFunc = (args) => {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const { filterShape, info } = convGradInfo('DepthwiseConv2dNativeBackpropFilter', args, true);
  const scratch = new Scratch(args.backend as WasmBackendLike);
  try {
    const ci = info.inChannels;
    const mult = info.outChannels / ci;
    const acc = new Float64Array(filterShape.reduce((s, d) => s * d, 1)); // many-term sums
    const xv = f32(scratch.backend, x);
    const g = f32(scratch.backend, dy);
    forEachTap(info, (xo, dyo, wo) => {
      for (let c = 0; c < ci; c++) {
        const xc = xv[xo + c]!;
        for (let m = 0; m < mult; m++) acc[wo + c * mult + m]! += xc * g[dyo + c * mult + m]!;
      }
    });
    const dw = scratch.alloc(filterShape);
    f32(scratch.backend, dw).set(acc);
    return scratch.keep(dw);
  } finally {
    scratch.dispose();
  }
};
