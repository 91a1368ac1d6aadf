/**
 * Integer-hashed gradient noise and fractal sums. Only +, −, ×, ÷, floor and sqrt are used (all
 * exactly specified by IEEE 754 / ECMAScript), never Math.sin/exp/pow, so every value is
 * bit-identical on any JavaScript engine.
 */

// Local aliases: a global `Math.*` lookup is slow inside jest's vm realm.
const floor = Math.floor;
const imul = Math.imul;

/** lowbias32 finaliser over (x, y, seed): a well-mixed 32-bit hash of integer lattice coordinates. */
export function hash2(x: number, y: number, seed: number): number {
  return ihash(x, y, seed) >>> 0;
}

/** The same hash as a signed int32 (stays a small integer in V8: no heap numbers in hot loops). */
function ihash(x: number, y: number, seed: number): number {
  let h = imul(x | 0, 0x8da6b343) ^ imul(y | 0, 0xd8163841) ^ imul(seed | 0, 0xcb1ab31f);
  h = imul(h ^ (h >>> 16), 0x7feb352d);
  h = imul(h ^ (h >>> 15), 0x846ca68b);
  return h ^ (h >>> 16);
}

/** A uniform value in [0, 1) from integer coordinates. */
export function hash01(x: number, y: number, seed: number): number {
  return hash2(x, y, seed) / 4294967296;
}

/** Mixes two integers into a new seed (for per-object / per-octave streams). */
export function mixSeed(a: number, b: number): number {
  return hash2(a, b, 0x5bd1e995) | 0;
}

// 16 unit gradients, k·22.5°, written out as literals (no trigonometry at run time).
const GX = new Float64Array([
  1, 0.9238795325112867, 0.7071067811865476, 0.3826834323650898, 0, -0.3826834323650898, -0.7071067811865476,
  -0.9238795325112867, -1, -0.9238795325112867, -0.7071067811865476, -0.3826834323650898, 0, 0.3826834323650898,
  0.7071067811865476, 0.9238795325112867,
]);
const GY = new Float64Array([
  0, 0.3826834323650898, 0.7071067811865476, 0.9238795325112867, 1, 0.9238795325112867, 0.7071067811865476,
  0.3826834323650898, 0, -0.3826834323650898, -0.7071067811865476, -0.9238795325112867, -1, -0.9238795325112867,
  -0.7071067811865476, -0.3826834323650898,
]);

/** The hash finaliser, reduced to a gradient index 0..15. */
function fin(h: number): number {
  h = imul(h ^ (h >>> 16), 0x7feb352d);
  h = imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) & 15;
}

/** 2-D gradient (Perlin-style) noise, roughly in [−1, 1], zero at lattice points, smooth (C2). */
export function noise2(x: number, y: number, seed: number): number {
  const xi = floor(x);
  const yi = floor(y);
  const fx = x - xi;
  const fy = y - yi;
  const ux = fx * fx * fx * (fx * (fx * 6 - 15) + 10);
  const uy = fy * fy * fy * (fy * (fy * 6 - 15) + 10);
  // ihash(x, y, seed) with the per-axis products shared between the four corners.
  const ss = imul(seed | 0, 0xcb1ab31f);
  const x0 = imul(xi | 0, 0x8da6b343);
  const x1 = imul((xi + 1) | 0, 0x8da6b343);
  const y0 = imul(yi | 0, 0xd8163841) ^ ss;
  const y1 = imul((yi + 1) | 0, 0xd8163841) ^ ss;
  const h00 = fin(x0 ^ y0);
  const h10 = fin(x1 ^ y0);
  const h01 = fin(x0 ^ y1);
  const h11 = fin(x1 ^ y1);
  const n00 = GX[h00]! * fx + GY[h00]! * fy;
  const n10 = GX[h10]! * (fx - 1) + GY[h10]! * fy;
  const n01 = GX[h01]! * fx + GY[h01]! * (fy - 1);
  const n11 = GX[h11]! * (fx - 1) + GY[h11]! * (fy - 1);
  const a = n00 + (n10 - n00) * ux;
  const b = n01 + (n11 - n01) * ux;
  return (a + (b - a) * uy) * 1.41;
}

/** 1-D noise along x (a fixed row of the 2-D field). */
export function noise1(x: number, seed: number): number {
  return noise2(x, 0.5, seed);
}

/**
 * Weight of an octave whose lattice spacing is `1/freq` given a pixel footprint `fp` (same units):
 * 1 while a cell spans ≥ 4 pixels, fading to 0 at 1 pixel per cell (so detail never aliases).
 */
function octaveWeight(freq: number, fp: number): number {
  const px = freq * fp;
  if (px <= 0.25) return 1;
  if (px >= 1) return 0;
  return (1 - px) * (4 / 3);
}

/**
 * Fractal Brownian motion: `octaves` of noise2, lacunarity 2 with a 36.87° rotation per octave,
 * amplitude × `gain`. `fp` is the pixel footprint in noise units (0 = no band limit); octaves finer
 * than a pixel fade out, leaving their mean (0). Result roughly in [−1, 1].
 */
export function fbm(x: number, y: number, seed: number, octaves: number, fp = 0, gain = 0.5): number {
  let sum = 0;
  let amp = 1;
  let norm = 0;
  let freq = 1;
  for (let o = 0; o < octaves; o++) {
    norm += amp;
    const w = fp > 0 ? octaveWeight(freq, fp) : 1;
    if (w === 0) {
      // All further octaves are finer still: only their normalisation remains.
      amp *= gain;
      for (let k = o + 1; k < octaves; k++, amp *= gain) norm += amp;
      break;
    }
    sum += amp * w * noise2(x, y, seed + o * 1013);
    const nx = 1.6 * x - 1.2 * y;
    y = 1.2 * x + 1.6 * y;
    x = nx;
    amp *= gain;
    freq *= 2;
  }
  return sum / norm;
}

/**
 * Ridged multifractal (Musgrave): sharp crests where the noise crosses zero, each octave weighted
 * by the previous one so valleys stay smooth. Result roughly in [0, 1].
 */
export function ridged(x: number, y: number, seed: number, octaves: number, fp = 0): number {
  let sum = 0;
  let amp = 0.5;
  let norm = 0;
  for (let o = 0; o < octaves; o++, amp *= 0.5) norm += amp; // full-band normalisation, LOD-independent
  amp = 0.5;
  let freq = 1;
  let weight = 1;
  for (let o = 0; o < octaves; o++) {
    const w = fp > 0 ? octaveWeight(freq, fp) : 1;
    if (w === 0) break;
    let n = noise2(x, y, seed + o * 7919);
    n = 1 - (n < 0 ? -n : n);
    n = n * n * weight;
    weight = n * 2 > 1 ? 1 : n * 2;
    sum += amp * w * (n - 0.25);
    const nx = 1.6 * x - 1.2 * y;
    y = 1.2 * x + 1.6 * y;
    x = nx;
    amp *= 0.5;
    freq *= 2;
  }
  return sum / norm + 0.25;
}

export function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

export function smoothstep(e0: number, e1: number, x: number): number {
  const t = clamp01((x - e0) / (e1 - e0));
  return t * t * (3 - 2 * t);
}

export function mix(a: number, b: number, t: number): number {
  return a + (b - a) * t;
}

/** x^n for a non-negative integer n, by squaring (exact operation sequence on every engine). */
export function ipow(x: number, n: number): number {
  let r = 1;
  while (n > 0) {
    if (n & 1) r *= x;
    x *= x;
    n >>= 1;
  }
  return r;
}

/** Result of `cells`: the nearest feature point, the distances to the nearest two, and a hash. */
export interface CellHit {
  /** Nearest feature point. */
  x: number;
  y: number;
  /** Distance to the nearest and second-nearest feature points (lattice units). */
  d1: number;
  d2: number;
  /** A uniform [0, 1) value identifying the nearest cell. */
  id: number;
}

/**
 * Cellular (Worley) noise: one jittered feature point per unit lattice cell, searched over the
 * 3×3 neighbourhood. `jitter` in [0, 1] (1 = fully random placement).
 */
export function cells(x: number, y: number, seed: number, jitter: number, out: CellHit): CellHit {
  const xi = floor(x);
  const yi = floor(y);
  let d1 = 1e9;
  let d2 = 1e9;
  let bx = 0;
  let by = 0;
  let bid = 0;
  for (let j = -1; j <= 1; j++) {
    for (let i = -1; i <= 1; i++) {
      const cx = xi + i;
      const cy = yi + j;
      const h = ihash(cx, cy, seed);
      const fx = cx + 0.5 + jitter * (((h & 0xffff) / 65536) - 0.5);
      const fy = cy + 0.5 + jitter * (((h >>> 16) / 65536) - 0.5);
      const dx = x - fx;
      const dy = y - fy;
      const d = dx * dx + dy * dy;
      if (d < d1) {
        d2 = d1;
        d1 = d;
        bx = fx;
        by = fy;
        bid = h;
      } else if (d < d2) d2 = d;
    }
  }
  out.x = bx;
  out.y = by;
  out.d1 = Math.sqrt(d1);
  out.d2 = Math.sqrt(d2);
  out.id = (ihash(bid, 7, seed) >>> 0) / 4294967296;
  return out;
}

const LN2 = 0.6931471805599453;

/**
 * Natural logarithm from +, ×, ÷ only (range reduction by exact powers of two, then the atanh
 * series), so it is bit-identical on every engine, unlike Math.log. Accurate to ~1e-13; x > 0.
 */
export function logd(x: number): number {
  let k = 0;
  while (x > 1.5) {
    x *= 0.5;
    k++;
  }
  while (x < 0.75) {
    x *= 2;
    k--;
  }
  const t = (x - 1) / (x + 1);
  const t2 = t * t;
  let s = 0;
  let p = t;
  for (let n = 1; n <= 17; n += 2) {
    s += p / n;
    p *= t2;
  }
  return 2 * s + k * LN2;
}
