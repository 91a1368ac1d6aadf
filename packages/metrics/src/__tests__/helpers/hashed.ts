/**
 * TS twin of scripts/goldens/hashed.py: deterministic values that numpy and TS produce bit for
 * bit, so goldens store results, not inputs.
 */
export function lowbias32(x: number): number {
  x >>>= 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b) >>> 0;
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
