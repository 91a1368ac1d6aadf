import type * as tf from '@tensorflow/tfjs-core';
import type { NdArray } from '@clade/core';
import { float16ToFloat32 } from '@clade/core/internal';

/** IEEE 754 half precision of a float32 (round to nearest even; overflow → ±Infinity). */
export function toFloat16Bits(value: number): number {
  const f32 = new Float32Array([value]);
  const x = new Uint32Array(f32.buffer)[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // Inf / NaN
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // underflow to ±0
    mant |= 0x800000; // subnormal: shift the implicit 1 in
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let m = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    if (rest > half || (rest === half && (m & 1))) m++;
    return sign | m;
  }
  let m = mant >>> 13;
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (m & 1))) {
    m++;
    if (m === 0x400) {
      m = 0;
      e++;
      if (e >= 0x1f) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | m;
}

/**
 * Re-encodes the float32 weights of saved model artifacts as float16 (tfjs' `quantization:
 * {dtype: 'float16'}`, decoded back to float32 on load): half the download for the browser
 * demo at ~1e-3 relative precision. Other dtypes pass through unchanged.
 */
export function quantizeFloat16(specs: tf.io.WeightsManifestEntry[], data: ArrayBuffer): { specs: tf.io.WeightsManifestEntry[]; data: ArrayBuffer } {
  const out: Uint8Array[] = [];
  let offset = 0;
  const newSpecs = specs.map((s) => {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const bytes = n * 4;
    if (s.dtype !== 'float32' || s.quantization) {
      const size = s.quantization ? n * (s.quantization.dtype === 'uint8' ? 1 : 2) : bytes;
      out.push(new Uint8Array(data.slice(offset, offset + size)));
      offset += size;
      return s;
    }
    const src = new Float32Array(data.slice(offset, offset + bytes));
    offset += bytes;
    const half = new Uint16Array(n);
    for (let i = 0; i < n; i++) half[i] = toFloat16Bits(src[i]!);
    out.push(new Uint8Array(half.buffer));
    return { ...s, quantization: { dtype: 'float16' as const } };
  });
  const total = out.reduce((a, b) => a + b.length, 0);
  const joined = new Uint8Array(total);
  let at = 0;
  for (const b of out) {
    joined.set(b, at);
    at += b.length;
  }
  return { specs: newSpecs, data: joined.buffer };
}

/** Bytes per element of a tfjs weight, by quantization dtype or else by dtype (strings vary). */
const QUANTIZED_BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };
const PLAIN_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 };

/**
 * The float32 weights of a tfjs weights buffer, decoded as tfjs decodes them (float16, and
 * uint8/uint16 as q·scale + min), one at a time, for value checks; other dtypes are stepped
 * over. Stops at a weight the buffer cannot hold: tfjs reports that one when it decodes.
 */
export function* decodeFloatWeights(specs: tf.io.WeightsManifestEntry[], data: ArrayBuffer): Generator<[string, NdArray<'float32'>]> {
  const view = new DataView(data);
  let at = 0;
  for (const s of specs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (s.dtype === 'string') { // each element: a uint32 byte length, then the bytes
      for (let i = 0; i < n && at + 4 <= data.byteLength; i++) at += 4 + view.getUint32(at, true);
      continue;
    }
    const q = s.quantization;
    const size = n * ((q ? QUANTIZED_BYTES[q.dtype] : PLAIN_BYTES[s.dtype]) ?? NaN);
    if (!(at + size <= data.byteLength)) return;
    const start = at;
    at += size;
    if (s.dtype !== 'float32') continue;
    const bytes = data.slice(start, at); // a copy on its own buffer: aligned for any view
    let values: Float32Array;
    if (!q) values = new Float32Array(bytes);
    else if (q.dtype === 'float16') values = float16ToFloat32(new Uint16Array(bytes));
    else if (q.scale === undefined || q.min === undefined) continue; // tfjs refuses it with its own message
    else {
      const raw = q.dtype === 'uint8' ? new Uint8Array(bytes) : new Uint16Array(bytes);
      values = new Float32Array(n); // a huge scale overflows float32 to ±Infinity here, as in tfjs
      for (let i = 0; i < n; i++) values[i] = raw[i]! * q.scale + q.min;
    }
    yield [s.name, { dtype: 'float32', shape: s.shape, data: values }];
  }
}
