import { ConfigError } from '@clade/core';
import type { RgbImage } from '@clade/data';

/**
 * PIL `Image.BILINEAR` resize of 8-bit RGB images, following Pillow's documented `Resample.c`
 * (the same scheme as @clade/data's bicubic): a separable convolution with the triangle filter
 * (support 1) whose support widens by the scale when downscaling, i.e. it antialiases;
 * coefficients normalised per output pixel and quantised to 22 fractional bits; the horizontal
 * pass runs first into a rounded, clipped 8-bit intermediate, then the vertical pass.
 * This is the resize MODELS.md used to stretch images to the segmenter's input.
 */

const PRECISION_BITS = 32 - 8 - 2;
const HALF = 1 << (PRECISION_BITS - 1);

interface Coeffs {
  ksize: number;
  start: Int32Array;
  count: Int32Array;
  weights: Int32Array;
}

function triangle(x: number): number {
  x = Math.abs(x);
  return x < 1 ? 1 - x : 0;
}

/** Pillow's `precompute_coeffs` + `normalize_coeffs_8bpc` for one axis (box = the whole input). */
function bilinearCoeffs(inSize: number, outSize: number): Coeffs {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 1 * filterScale;
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
      const w = triangle((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    for (let x = 0; x < xmax; x++) {
      const w = ww !== 0 ? k[x]! / ww : k[x]!;
      weights[xx * ksize + x] = Math.trunc(w < 0 ? -0.5 + w * (1 << PRECISION_BITS) : 0.5 + w * (1 << PRECISION_BITS));
    }
    start[xx] = xmin;
    count[xx] = xmax;
  }
  return { ksize, start, count, weights };
}

function clip8(v: number): number {
  if (v >= 255 << PRECISION_BITS) return 255;
  if (v <= 0) return 0;
  return v >> PRECISION_BITS;
}

function horizontal(src: Uint8Array, inW: number, rows: number, rowOffset: number, c: Coeffs, outW: number): Uint8Array {
  const out = new Uint8Array(outW * rows * 3);
  for (let y = 0; y < rows; y++) {
    const srcRow = (y + rowOffset) * inW * 3;
    for (let xx = 0; xx < outW; xx++) {
      const k0 = xx * c.ksize;
      const x0 = c.start[xx]!;
      const n = c.count[xx]!;
      for (let b = 0; b < 3; b++) {
        let s = HALF;
        for (let x = 0; x < n; x++) s += src[srcRow + (x0 + x) * 3 + b]! * c.weights[k0 + x]!;
        out[(y * outW + xx) * 3 + b] = clip8(s);
      }
    }
  }
  return out;
}

function vertical(src: Uint8Array, w: number, rowOffset: number, c: Coeffs, outH: number): Uint8Array {
  const out = new Uint8Array(w * outH * 3);
  const stride = w * 3;
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

/** `image.resize((width, height), Image.BILINEAR)` for an RGB image. Same size: a copy. */
export function resizeBilinearPil(image: RgbImage, width: number, height: number): RgbImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new ConfigError(`resizeBilinearPil: size must be positive integers, got ${width}x${height}.`);
  if (image.data.length !== image.width * image.height * 3)
    throw new ConfigError(`resizeBilinearPil: expected ${image.width}·${image.height}·3 bytes, got ${image.data.length}.`);
  const needH = width !== image.width;
  const needV = height !== image.height;
  if (!needH && !needV) return { width, height, data: image.data.slice() };
  const vert = bilinearCoeffs(image.height, height);
  let cur = image.data;
  let rowOffset = 0;
  if (needH) {
    const first = needV ? vert.start[0]! : 0;
    const last = needV ? vert.start[height - 1]! + vert.count[height - 1]! : image.height;
    cur = horizontal(image.data, image.width, last - first, first, bilinearCoeffs(image.width, width), width);
    rowOffset = first;
  }
  if (needV) cur = vertical(cur, width, rowOffset, vert, height);
  return { width, height, data: cur };
}
