/**
 * TS twin of scripts/goldens/hashed.py: deterministic values that numpy and TS produce bit for
 * bit, so goldens store results, not inputs.
 */
/**
 * 32-bit multiply mod 2³² without Math.imul: inside jest's vm context V8 does not inline
 * Math.imul and this helper ran 100× slower (24 M weights took 50 s instead of 0.3 s).
 */
function mul32(a: number, b: number): number {
  // a·b = ah·b·2¹⁶ + al·b; both products are exact doubles (< 2⁴⁹), `<< 16` keeps the low
  // 16 bits of ah·b, and `>>> 0` reduces the sum mod 2³².
  return ((a & 0xffff) * b + (((a >>> 16) * b) << 16)) >>> 0;
}

export function lowbias32(x: number): number {
  x >>>= 0;
  x ^= x >>> 16;
  x = mul32(x, 0x7feb352d);
  x ^= x >>> 15;
  x = mul32(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** float64 in [0, 1). */
export function hashedUniform(seed: number, i: number, j: number): number {
  const a = lowbias32(seed);
  const b = lowbias32((a ^ i) >>> 0);
  return lowbias32((b + j) >>> 0) / 4294967296;
}

export interface HashedSpec {
  seed: number;
  rows: number;
  dims: number;
  mix: number;
  shift: number;
}

/** float32 [rows, dims], the same formula as hashed_features() in hashed.py. */
export function hashedFeatures({ seed, rows, dims, mix, shift }: HashedSpec): Float32Array {
  const out = new Float32Array(rows * dims);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < dims; j++) {
      const noise = hashedUniform(seed, i, j) - 0.5;
      const p0 = (hashedUniform(seed + 1, i, 0) - 0.5) * (hashedUniform(seed + 2, 0, j) - 0.5);
      const p1 = (hashedUniform(seed + 1, i, 1) - 0.5) * (hashedUniform(seed + 2, 1, j) - 0.5);
      out[i * dims + j] = noise + mix * (p0 + p1) + shift * hashedUniform(seed + 3, 0, j);
    }
  return out;
}

/** FNV-1a (32-bit) of a string's UTF-8 bytes; keys hashed weights by tensor name. */
export function fnv1a(s: string): number {
  let h = 2166136261;
  for (const b of new TextEncoder().encode(s)) {
    h ^= b;
    h = mul32(h, 16777619);
  }
  return h >>> 0;
}

/** The hashed weight tensor of scripts/goldens/fid_inception.py for state-dict key `name`. */
export function hashedInceptionTensor(name: string, shape: number[]): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const a = lowbias32(fnv1a(name));
  const out = new Float32Array(n);
  const fanIn = shape.slice(1).reduce((x, y) => x * y, 1);
  const scale = Math.sqrt(24.0 / fanIn);
  // u(seed, i, 0) = lowbias32(lowbias32(lowbias32(seed) ^ i) + 0) / 2^32, inlined per kind.
  const u = (i: number) => lowbias32(lowbias32((a ^ i) >>> 0)) / 4294967296;
  if (name.endsWith('conv.weight')) for (let i = 0; i < n; i++) out[i] = (u(i) - 0.5) * scale;
  else if (name.endsWith('bn.weight') || name.endsWith('bn.running_var')) for (let i = 0; i < n; i++) out[i] = 0.8 + 0.4 * u(i);
  else if (name.endsWith('bn.bias') || name.endsWith('bn.running_mean')) for (let i = 0; i < n; i++) out[i] = 0.2 * (u(i) - 0.5);
  else if (name === 'fc.weight') for (let i = 0; i < n; i++) out[i] = (u(i) - 0.5) * 0.01;
  else if (name !== 'fc.bias') throw new Error(`hashedInceptionTensor: unknown key ${name}`);
  return out;
}

/** Images [n,h,w,3] (NHWC) with the NCHW-indexed values of hashed_images() in fid_inception.py. */
export function hashedImagesNhwc(seed: number, n: number, h: number, w: number): Float32Array {
  const out = new Float32Array(n * h * w * 3);
  for (let b = 0; b < n; b++)
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const idx = ((b * 3 + c) * h + y) * w + x;
          out[((b * h + y) * w + x) * 3 + c] = Math.floor(hashedUniform(seed, idx, 1) * 256) / 255;
        }
  return out;
}
