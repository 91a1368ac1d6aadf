import { ConfigError, IOError } from '../errors';
import {
  HOST_IS_LITTLE_ENDIAN, assertNdArray, bytesOf, formatShape, itemSize, numel, typedFromBytes,
  type DType, type NdArray,
} from './ndarray';
import { assertFiniteWeights } from './finite';
import { float16ToFloat32 } from './half';
import { ZipFormatError, readZip, writeZip } from './zip';

/**
 * NumPy .npy (format versions 1.0, 2.0, 3.0) and .npz. Little-endian, C order only.
 * https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ARRAY_ALIGN = 64;
const GROWTH_AXIS_MAX_DIGITS = 21; // numpy >= 1.26 reserves room to grow the first axis in place

/** descr type code (byte order stripped) → dtype. '<f2' reads as float32 (exact widening). */
const DESCR_TO_DTYPE: Record<string, DType> = {
  f4: 'float32', f8: 'float64', i4: 'int32', i8: 'int64', u1: 'uint8', b1: 'bool',
  i2: 'int16', u2: 'uint16', i1: 'int8', f2: 'float32',
};
const DTYPE_TO_DESCR: Record<DType, string> = {
  float32: '<f4', float64: '<f8', int32: '<i4', int64: '<i8', uint8: '|u1', bool: '|b1',
  int16: '<i2', uint16: '<u2', int8: '|i1',
};
const SUPPORTED = '<f4, <f8, <f2 (read as float32), <i8, <i4, <i2, <u2, |i1, |u1, |b1';

// ---- a tiny parser for the header's Python literal (never eval) ----

type PyLiteral = string | number | boolean | null | PyLiteral[] | Map<string, PyLiteral>;

function parseHeaderLiteral(text: string): PyLiteral {
  let i = 0;
  const ws = () => { while (i < text.length && /\s/.test(text[i]!)) i++; };
  const fail = (what: string): never => {
    throw new Error(`${what} at character ${i} of header ${JSON.stringify(text.trim())}`);
  };
  const value = (): PyLiteral => {
    ws();
    const c = text[i];
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) fail('unterminated string');
      const s = text.slice(i + 1, end);
      i = end + 1;
      return s;
    }
    if (c === '{' || c === '(' || c === '[') {
      const close = c === '{' ? '}' : c === '(' ? ')' : ']';
      i++;
      const items: PyLiteral[] = [];
      const dict = new Map<string, PyLiteral>();
      for (;;) {
        ws();
        if (text[i] === close) { i++; break; }
        const v = value();
        if (c === '{') {
          ws();
          if (text[i] !== ':') fail("expected ':'");
          i++;
          if (typeof v !== 'string') fail('dictionary keys must be strings');
          dict.set(v as string, value());
        } else {
          items.push(v);
        }
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== close) fail(`expected ',' or '${close}'`);
      }
      return c === '{' ? dict : items;
    }
    const m = /^(True|False|None|-?\d+L?)/.exec(text.slice(i));
    if (!m) return fail('unexpected token');
    i += m[0].length;
    if (m[0] === 'True') return true;
    if (m[0] === 'False') return false;
    if (m[0] === 'None') return null;
    return Number(m[0].replace('L', ''));
  };
  const v = value();
  ws();
  if (i !== text.length) fail('trailing characters');
  return v;
}

/**
 * Parses a .npy file. `name` (a path or label) appears in every error message.
 * Supported descrs: <f4 <f8 <i8 <i4 <i2 <u2 |i1 |u1 |b1 (and <f2, widened to float32).
 */
export function readNpy(bytes: Uint8Array, name = 'array.npy'): NdArray {
  const fail = (what: string): never => { throw new IOError(`readNpy: ${name} ${what}.`); };
  if (MAGIC.some((b, k) => bytes[k] !== b)) {
    const head = Array.from(bytes.subarray(0, 6), (b) => b.toString(16).padStart(2, '0')).join(' ');
    fail(`is not a .npy file (magic must be 93 4e 55 4d 50 59 '\\x93NUMPY', got ${head || 'no bytes'})`);
  }
  if (bytes.length < 8) fail('is truncated inside its preamble');
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (major < 1 || major > 3) fail(`has .npy format version ${major}.${minor}; supported: 1.0, 2.0, 3.0`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenSize = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenSize) fail('is truncated inside its preamble');
  const headerLen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const dataStart = 8 + lenSize + headerLen;
  if (dataStart > bytes.length) fail(`is truncated: its header needs ${dataStart} bytes, the file has ${bytes.length}`);
  const headerBytes = bytes.subarray(8 + lenSize, dataStart);
  const headerText = major === 3
    ? new TextDecoder('utf-8').decode(headerBytes)
    : Array.from(headerBytes, (b) => String.fromCharCode(b)).join(''); // latin1

  let header: PyLiteral;
  try {
    header = parseHeaderLiteral(headerText);
  } catch (e) {
    return fail(`has a malformed header (${(e as Error).message})`);
  }
  if (!(header instanceof Map)) return fail(`has a header that is not a dict: ${headerText.trim()}`);
  const descr = header.get('descr');
  const fortran = header.get('fortran_order');
  const shape = header.get('shape');
  if (typeof descr !== 'string')
    fail(`has descr ${JSON.stringify(descr)}; structured or object dtypes are not supported (supported: ${SUPPORTED})`);
  if (typeof fortran !== 'boolean') fail(`has no boolean 'fortran_order' in its header: ${headerText.trim()}`);
  if (fortran) fail('is stored in Fortran order (fortran_order: True); only C order is supported. Save it with np.save(path, np.ascontiguousarray(a))');
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0))
    fail(`has shape ${JSON.stringify(shape)}; it must be a tuple of non-negative integers`);

  const d = descr as string;
  const order = d[0]!;
  const code = d.slice(1);
  const dtype = DESCR_TO_DTYPE[code];
  if (!dtype || !'<>|='.includes(order)) fail(`has dtype '${d}'; supported: ${SUPPORTED}`);
  const size = code === 'f2' ? 2 : itemSize(dtype!);
  if (order === '>' && size > 1)
    fail(`is big-endian (dtype '${d}'); only little-endian data is supported. Convert with a.astype(a.dtype.newbyteorder('<'))`);
  if (!HOST_IS_LITTLE_ENDIAN) fail('cannot be read on a big-endian host');

  const dims = shape as number[];
  const count = numel(dims);
  const nBytes = count * size;
  const have = bytes.length - dataStart;
  if (have < nBytes)
    fail(`is truncated: shape ${formatShape(dims)} of '${d}' needs ${nBytes} data bytes, the file has ${have}`);
  if (have > nBytes) fail(`has ${have - nBytes} unexpected trailing bytes after its ${nBytes} data bytes`);
  const raw = bytes.subarray(dataStart, dataStart + nBytes);
  if (code === 'f2') {
    return { dtype: 'float32', shape: dims, data: float16ToFloat32(typedFromBytes('uint16', raw)) };
  }
  return { dtype: dtype!, shape: dims, data: typedFromBytes(dtype!, raw) } as NdArray;
}

/** The header dict exactly as numpy 2.x writes it (so round trips are byte-identical). */
function headerFor(arr: NdArray): string {
  const dims = arr.shape;
  const shapeRepr = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let h = `{'descr': '${DTYPE_TO_DESCR[arr.dtype]}', 'fortran_order': False, 'shape': ${shapeRepr}, }`;
  if (dims.length > 0) h += ' '.repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(dims[0]).length));
  return h;
}

/** Serializes `arr` as a .npy file (version 1.0, or 2.0 for a header over 64 KiB), as np.save does. */
export function writeNpy(arr: NdArray): Uint8Array {
  assertNdArray(arr, 'writeNpy');
  if (!HOST_IS_LITTLE_ENDIAN) throw new ConfigError('writeNpy: a big-endian host is not supported.');
  const header = headerFor(arr);
  const hlen = header.length + 1; // + '\n'
  const padFor = (prefix: number) => ARRAY_ALIGN - ((prefix + hlen) % ARRAY_ALIGN); // numpy pads 1..64 spaces
  const major = hlen + padFor(10) <= 0xffff ? 1 : 2; // as numpy: version 1.0 unless the header is too long
  const prefix = major === 1 ? 10 : 12;
  const headerTotal = hlen + padFor(prefix);
  const data = bytesOf(arr.data);
  const out = new Uint8Array(prefix + headerTotal + data.length);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  if (major === 1) dv.setUint16(8, headerTotal, true);
  else dv.setUint32(8, headerTotal, true);
  for (let k = 0; k < header.length; k++) out[prefix + k] = header.charCodeAt(k);
  out.fill(0x20, prefix + header.length, prefix + headerTotal - 1);
  out[prefix + headerTotal - 1] = 0x0a;
  out.set(data, prefix + headerTotal);
  return out;
}

export interface ReadNpzOptions {
  /**
   * Accept NaN/±Infinity in float arrays. Default false: our .npz files hold weights, optimizer
   * moments and FID statistics, where a non-finite value means a damaged file or a diverged run.
   */
  allowNonFinite?: boolean;
}

/**
 * Parses a .npz archive (np.savez: stored; np.savez_compressed: deflated) into a Map from
 * array name (the entry name without '.npy') to array, in archive order. For pytorch-fid
 * statistics, read `mu` and `sigma`. Non-finite float values throw an IOError naming the
 * array, unless `options.allowNonFinite`.
 */
export function readNpz(bytes: Uint8Array, name = 'arrays.npz', options: ReadNpzOptions = {}): Map<string, NdArray> {
  const out = new Map<string, NdArray>();
  try {
    const zip = readZip(bytes);
    for (const entry of zip.names) {
      if (entry.endsWith('/')) continue; // a folder entry
      if (!entry.endsWith('.npy'))
        throw new IOError(`readNpz: ${name} holds '${entry}', which is not a .npy entry (an .npz holds only .npy files).`);
      out.set(entry.slice(0, -4), readNpy(zip.read(entry), `${name}:${entry}`));
    }
  } catch (e) {
    if (e instanceof ZipFormatError) throw new IOError(`readNpz: ${name} is not a readable .npz archive: ${e.message}.`, { cause: e });
    throw e;
  }
  if (!options.allowNonFinite) assertFiniteWeights(name, out);
  return out;
}

export interface WriteNpzOptions {
  /** Deflate the entries, as np.savez_compressed. Default false (stored, as np.savez). */
  compress?: boolean;
}

/** Serializes named arrays as a .npz archive that np.load reads. Names must not be empty. */
export function writeNpz(
  arrays: Map<string, NdArray> | Record<string, NdArray>,
  options: WriteNpzOptions = {},
): Uint8Array {
  const entries = arrays instanceof Map ? [...arrays.entries()] : Object.entries(arrays);
  const files = entries.map(([key, arr]) => {
    if (key.length === 0) throw new ConfigError('writeNpz: array names must be non-empty strings, got \'\'.');
    return { name: `${key}.npy`, data: writeNpy(arr), compress: options.compress ?? false };
  });
  return writeZip(files, 1); // np.savez does not align entries
}
