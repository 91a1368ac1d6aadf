import { assertPlane, assertSize, type RgbImage } from '../planes';

/**
 * PIL's antialiased resize of 8-bit images (`Image.BICUBIC` for photos, REFERENCE §12.2;
 * `Image.BILINEAR` where a segmenter's protocol uses it), reimplemented from Pillow's documented
 * algorithm (`Resample.c`): a separable convolution whose filter support widens by the scale when
 * downscaling; coefficients normalised per output pixel, then quantised to fixed point with 22
 * fractional bits; the horizontal pass runs first into an 8-bit intermediate (rounded, clipped),
 * then the vertical pass.
 */

const PRECISION_BITS = 32 - 8 - 2;
const A = -0.5;

/** A resampling filter: its support (in input pixels at scale 1) and its kernel. */
export interface PilFilter {
  name: string;
  support: number;
  kernel: (x: number) => number;
}

/** Keys cubic with a = −0.5. */
export const PIL_BICUBIC: PilFilter = {
  name: 'bicubic',
  support: 2,
  kernel: (x) => {
    x = Math.abs(x);
    if (x < 1) return ((A + 2) * x - (A + 3)) * x * x + 1;
    if (x < 2) return (((x - 5) * x + 8) * x - 4) * A;
    return 0;
  },
};

/** Triangle filter. */
export const PIL_BILINEAR: PilFilter = {
  name: 'bilinear',
  support: 1,
  kernel: (x) => {
    x = Math.abs(x);
    return x < 1 ? 1 - x : 0;
  },
};

/** Per output pixel: first source index, tap count, and fixed-point weights (ksize per pixel). */
export interface ResampleCoeffs {
  ksize: number;
  start: Int32Array;
  count: Int32Array;
  weights: Int32Array;
}

/** Pillow's `precompute_coeffs` + `normalize_coeffs_8bpc` for one axis (box = the whole input). */
export function pilResampleCoeffs(inSize: number, outSize: number, filter: PilFilter): ResampleCoeffs {
  assertSize(inSize, outSize, 'pilResampleCoeffs');
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filter.support * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  const ss = 1 / filterScale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const w = filter.kernel((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    for (let x = 0; x < xmax; x++) {
      const w = ww !== 0 ? k[x]! / ww : k[x]!;
      // C's (int) cast truncates toward zero after the ±0.5 offset: round half away from zero.
      weights[xx * ksize + x] = Math.trunc(w < 0 ? -0.5 + w * (1 << PRECISION_BITS) : 0.5 + w * (1 << PRECISION_BITS));
    }
    start[xx] = xmin;
    count[xx] = xmax;
  }
  return { ksize, start, count, weights };
}

/** Bicubic coefficients (the photo resize of the official loader). */
export function bicubicCoeffs(inSize: number, outSize: number): ResampleCoeffs {
  return pilResampleCoeffs(inSize, outSize, PIL_BICUBIC);
}

/** Pillow's clip8: the sums stay below 2^31, so the shift is exact. */
function clip8(v: number): number {
  if (v >= 255 << PRECISION_BITS) return 255;
  if (v <= 0) return 0;
  return v >> PRECISION_BITS;
}

const HALF = 1 << (PRECISION_BITS - 1);

function resampleHorizontal(
  src: Uint8Array, inW: number, rows: number, rowOffset: number, ch: number, c: ResampleCoeffs, outW: number,
): Uint8Array {
  const out = new Uint8Array(outW * rows * ch);
  for (let y = 0; y < rows; y++) {
    const srcRow = (y + rowOffset) * inW * ch;
    for (let xx = 0; xx < outW; xx++) {
      const k0 = xx * c.ksize;
      const x0 = c.start[xx]!;
      const n = c.count[xx]!;
      for (let b = 0; b < ch; b++) {
        let s = HALF;
        for (let x = 0; x < n; x++) s += src[srcRow + (x0 + x) * ch + b]! * c.weights[k0 + x]!;
        out[(y * outW + xx) * ch + b] = clip8(s);
      }
    }
  }
  return out;
}

function resampleVertical(
  src: Uint8Array, w: number, rowOffset: number, ch: number, c: ResampleCoeffs, outH: number,
): Uint8Array {
  const out = new Uint8Array(w * outH * ch);
  const stride = w * ch;
  for (let yy = 0; yy < outH; yy++) {
    const k0 = yy * c.ksize;
    const y0 = c.start[yy]! - rowOffset;
    const n = c.count[yy]!;
    for (let i = 0; i < stride; i++) {
      let s = HALF;
      for (let y = 0; y < n; y++) s += src[(y0 + y) * stride + i]! * c.weights[k0 + y]!;
      out[yy * stride + i] = clip8(s);
    }
  }
  return out;
}

/**
 * Resizes interleaved 8-bit pixels ([H,W,channels]) to `width × height` exactly as Pillow's
 * `resize(..., filter)` does for modes L and RGB. Same size: a copy.
 */
export function resizePil8(
  data: Uint8Array, inW: number, inH: number, channels: number, width: number, height: number, filter: PilFilter,
): Uint8Array {
  const what = `resizePil8 (${filter.name})`;
  assertPlane({ width: inW, height: inH, data }, channels, what);
  assertSize(width, height, what);
  const needH = width !== inW;
  const needV = height !== inH;
  if (!needH && !needV) return data.slice();
  const vert = pilResampleCoeffs(inH, height, filter);
  let cur = data;
  let rowOffset = 0;
  if (needH) {
    // Only the rows the vertical pass reads (Pillow's ybox_first..ybox_last).
    const first = needV ? vert.start[0]! : 0;
    const last = needV ? vert.start[height - 1]! + vert.count[height - 1]! : inH;
    cur = resampleHorizontal(data, inW, last - first, first, channels, pilResampleCoeffs(inW, width, filter), width);
    rowOffset = first;
  }
  if (needV) cur = resampleVertical(cur, width, rowOffset, channels, vert, height);
  return cur;
}

/** PIL BICUBIC resize of interleaved 8-bit pixels. */
export function resizeBicubicPil8(
  data: Uint8Array, inW: number, inH: number, channels: number, width: number, height: number,
): Uint8Array {
  return resizePil8(data, inW, inH, channels, width, height, PIL_BICUBIC);
}

/** PIL BICUBIC resize of an RGB image. */
export function resizeBicubicPil(image: RgbImage, width: number, height: number): RgbImage {
  return { width, height, data: resizePil8(image.data, image.width, image.height, 3, width, height, PIL_BICUBIC) };
}

/** PIL BILINEAR resize of an RGB image (antialiased when downscaling, like Pillow). */
export function resizeBilinearPil(image: RgbImage, width: number, height: number): RgbImage {
  return { width, height, data: resizePil8(image.data, image.width, image.height, 3, width, height, PIL_BILINEAR) };
}
