import { ConfigError } from '../errors';

/** Typed-array class behind each dtype. `bool` is stored as 0/1 bytes; `int64` stays exact as BigInt. */
export interface DTypeArrays {
  float32: Float32Array;
  float64: Float64Array;
  int32: Int32Array;
  int64: BigInt64Array;
  uint8: Uint8Array;
  bool: Uint8Array;
  int16: Int16Array;
  uint16: Uint16Array;
  int8: Int8Array;
}

export type DType = keyof DTypeArrays;

/** A dense C-order (row-major) array on plain typed arrays, the exchange type of `io/`. */
export type NdArray<D extends DType = DType> = {
  [K in D]: { dtype: K; shape: number[]; data: DTypeArrays[K] };
}[D];

export type TypedArray = DTypeArrays[DType];

export const DTYPES: readonly DType[] = [
  'float32', 'float64', 'int32', 'int64', 'uint8', 'bool', 'int16', 'uint16', 'int8',
];

const CTORS = {
  float32: Float32Array, float64: Float64Array, int32: Int32Array, int64: BigInt64Array,
  uint8: Uint8Array, bool: Uint8Array, int16: Int16Array, uint16: Uint16Array, int8: Int8Array,
} as const;

/** Bytes per element of `dtype`. */
export function itemSize(dtype: DType): number {
  return CTORS[dtype].BYTES_PER_ELEMENT;
}

/** Number of elements of `shape` (1 for a 0-d shape `[]`). */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Shape as written in messages: `[2,8,8,4]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** Zero-filled typed array of `dtype` with `length` elements. */
export function allocTyped<D extends DType>(dtype: D, length: number): DTypeArrays[D] {
  return new CTORS[dtype](length) as DTypeArrays[D];
}

/**
 * Typed array of `dtype` over a private, aligned copy of `bytes` (little-endian element
 * order). `bytes.length` must be a multiple of the item size.
 */
export function typedFromBytes<D extends DType>(dtype: D, bytes: Uint8Array): DTypeArrays[D] {
  const copy = new Uint8Array(bytes); // a copy on a fresh ArrayBuffer (Buffer#slice would be a view): aligned
  const Ctor = CTORS[dtype];
  return new Ctor(copy.buffer, 0, copy.byteLength / Ctor.BYTES_PER_ELEMENT) as DTypeArrays[D];
}

/** Typed array of `dtype` over `bytes`: a view when aligned, else over a copy. Trailing partial elements are dropped. */
export function typedView<D extends DType>(dtype: D, bytes: Uint8Array): DTypeArrays[D] {
  const Ctor = CTORS[dtype];
  const size = Ctor.BYTES_PER_ELEMENT;
  const b = bytes.byteOffset % size === 0 ? bytes : new Uint8Array(bytes);
  return new Ctor(b.buffer, b.byteOffset, Math.floor(b.byteLength / size)) as DTypeArrays[D];
}

/** Little-endian bytes of `data` (a view, not a copy). */
export function bytesOf(data: TypedArray): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** True for a host that stores typed arrays little-endian (every platform Node and browsers run on). */
export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function typedMatches(dtype: DType, data: unknown): boolean {
  return data instanceof CTORS[dtype] ||
    // Another realm (jest's vm, a worker) has its own constructors: compare by tag.
    (ArrayBuffer.isView(data) && Object.prototype.toString.call(data) === `[object ${CTORS[dtype].name}]`);
}

/** True when `v` looks like an NdArray (dtype known, shape of integers, typed data of that dtype). */
export function isNdArray(v: unknown): v is NdArray {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as { dtype?: unknown; shape?: unknown; data?: unknown };
  return typeof o.dtype === 'string' && (DTYPES as readonly string[]).includes(o.dtype) &&
    Array.isArray(o.shape) && typedMatches(o.dtype as DType, o.data);
}

/**
 * Checks that `arr` is a well-formed NdArray: a known dtype, a shape of non-negative
 * integers, and data of the matching typed-array class with `numel(shape)` elements.
 */
export function assertNdArray(arr: NdArray, what: string): void {
  const { dtype, shape, data } = arr as { dtype: DType; shape: unknown; data: unknown };
  if (!(DTYPES as readonly string[]).includes(dtype))
    throw new ConfigError(`${what}: dtype must be one of ${DTYPES.join(', ')}, got '${String(dtype)}'.`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
    throw new ConfigError(`${what}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}.`);
  if (!typedMatches(dtype, data))
    throw new ConfigError(`${what}: data for dtype '${dtype}' must be a ${CTORS[dtype].name}, got ${Object.prototype.toString.call(data)}.`);
  const n = numel(shape);
  if ((data as TypedArray).length !== n)
    throw new ConfigError(`${what}: data length must equal the product of shape ${formatShape(shape)} (${n}), got ${(data as TypedArray).length}.`);
}

/**
 * int64 → int32, exact. Throws a ConfigError naming the first value outside
 * [-2^31, 2^31 - 1] instead of wrapping silently.
 */
export function int64ToInt32(arr: NdArray<'int64'>, what = 'int64ToInt32'): NdArray<'int32'> {
  const out = new Int32Array(arr.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = arr.data[i]!;
    if (v < -2147483648n || v > 2147483647n)
      throw new ConfigError(`${what}: values must fit in int32, got ${v} at flat index ${i}.`);
    out[i] = Number(v);
  }
  return { dtype: 'int32', shape: [...arr.shape], data: out };
}

/**
 * int64 → float64, exact. Throws a ConfigError naming the first value beyond ±(2^53 - 1),
 * where float64 would round.
 */
export function int64ToFloat64(arr: NdArray<'int64'>, what = 'int64ToFloat64'): NdArray<'float64'> {
  const out = new Float64Array(arr.data.length);
  const max = BigInt(Number.MAX_SAFE_INTEGER);
  for (let i = 0; i < out.length; i++) {
    const v = arr.data[i]!;
    if (v > max || v < -max)
      throw new ConfigError(`${what}: values must be within ±(2^53 - 1) to convert exactly, got ${v} at flat index ${i}.`);
    out[i] = Number(v);
  }
  return { dtype: 'float64', shape: [...arr.shape], data: out };
}
