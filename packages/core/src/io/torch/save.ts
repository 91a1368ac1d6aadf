import { ConfigError } from '../../errors';
import { assertNdArray, bytesOf, type DType, type NdArray } from '../ndarray';
import { writeZip } from '../zip';

/** A protocol-2 pickle writer for exactly what torch.save emits for a state dict. */
class PickleWriter {
  private chunks: number[] = [];
  private readonly memo = new Map<string, number>();
  private readonly encoder = new TextEncoder();

  byte(...b: number[]): void { this.chunks.push(...b); }
  u32(v: number): void { this.byte(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff); }
  private put(): void {
    const id = this.nextMemo++;
    if (id < 256) this.byte(0x71, id); // BINPUT
    else { this.byte(0x72); this.u32(id); } // LONG_BINPUT
  }
  private nextMemo = 0;
  private get(id: number): void {
    if (id < 256) this.byte(0x68, id); // BINGET
    else { this.byte(0x6a); this.u32(id); } // LONG_BINGET
  }
  /** A memoized GLOBAL (torch's pickler memoizes each global once). */
  global(module: string, name: string): void {
    const key = `${module}\n${name}\n`;
    const id = this.memo.get(key);
    if (id !== undefined) return this.get(id);
    this.byte(0x63, ...this.encoder.encode(key)); // GLOBAL
    this.memo.set(key, this.nextMemo);
    this.put();
  }
  str(s: string): void {
    const id = this.memo.get(`s:${s}`);
    if (id !== undefined) return this.get(id);
    const b = this.encoder.encode(s);
    this.byte(0x58); this.u32(b.length); this.byte(...b); // BINUNICODE
    this.memo.set(`s:${s}`, this.nextMemo);
    this.put();
  }
  int(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new ConfigError(`writeTorchCheckpoint: integers must be non-negative and safe, got ${v}.`);
    if (v < 256) this.byte(0x4b, v); // BININT1
    else if (v < 65536) this.byte(0x4d, v & 0xff, v >> 8); // BININT2
    else if (v < 2 ** 31) { this.byte(0x4a); this.u32(v); } // BININT
    else { // LONG1, little-endian two's complement with a clear sign bit
      const bytes: number[] = [];
      let x = BigInt(v);
      while (x > 0n) { bytes.push(Number(x & 0xffn)); x >>= 8n; }
      if (bytes[bytes.length - 1]! & 0x80) bytes.push(0);
      this.byte(0x8a, bytes.length, ...bytes);
    }
  }
  intTuple(values: readonly number[]): void {
    if (values.length === 0) { this.byte(0x29); return; } // EMPTY_TUPLE
    if (values.length > 3) this.byte(0x28); // MARK
    for (const v of values) this.int(v);
    this.byte(values.length === 1 ? 0x85 : values.length === 2 ? 0x86 : values.length === 3 ? 0x87 : 0x74);
    this.put();
  }
  /** Unmemoized tuple end (TUPLE after MARK) followed by BINPUT. */
  tupleFromMark(): void { this.byte(0x74); this.put(); }
  mark(): void { this.byte(0x28); }
  reduce(): void { this.byte(0x52); this.put(); }
  emptyTuple(): void { this.byte(0x29); }
  binpersid(): void { this.byte(0x51); }
  newFalse(): void { this.byte(0x89); }
  bytes(): Uint8Array { return Uint8Array.from(this.chunks); }
}

const STORAGE_CLASS: Partial<Record<DType, string>> = {
  float32: 'FloatStorage', float64: 'DoubleStorage', int32: 'IntStorage', int64: 'LongStorage',
  uint8: 'ByteStorage', bool: 'BoolStorage', int16: 'ShortStorage', int8: 'CharStorage',
};

export interface WriteTorchCheckpointOptions {
  /** Root folder inside the zip archive. torch.save uses the file's stem; any name loads. Default 'archive'. */
  archiveName?: string;
}

/**
 * Serializes a state dict (name → array) in torch.save's zip format, which torch.load reads
 * as an OrderedDict of contiguous CPU tensors (requires_grad False). uint16 is refused:
 * legacy torch has no storage class for it.
 */
export function writeTorchCheckpoint(
  state: Map<string, NdArray>,
  options: WriteTorchCheckpointOptions = {},
): Uint8Array {
  const root = options.archiveName ?? 'archive';
  if (!/^[A-Za-z0-9_.-]+$/.test(root))
    throw new ConfigError(`writeTorchCheckpoint: archiveName must be letters, digits, '_', '.' or '-', got '${root}'.`);
  const w = new PickleWriter();
  const records: { name: string; data: Uint8Array }[] = [];
  w.byte(0x80, 2); // PROTO 2
  w.global('collections', 'OrderedDict');
  w.emptyTuple();
  w.reduce();
  if (state.size > 0) w.mark();
  let k = 0;
  for (const [key, arr] of state) {
    assertNdArray(arr, `writeTorchCheckpoint: '${key}'`);
    const cls = STORAGE_CLASS[arr.dtype];
    if (!cls) throw new ConfigError(`writeTorchCheckpoint: '${key}' has dtype '${arr.dtype}'; supported: ${Object.keys(STORAGE_CLASS).join(', ')}.`);
    const storageKey = String(k++);
    const stride = arr.shape.map((_, d) => arr.shape.slice(d + 1).reduce((a, b) => a * b, 1));
    w.str(key);
    w.global('torch._utils', '_rebuild_tensor_v2');
    w.mark(); // args of _rebuild_tensor_v2
    w.mark(); // persistent id ('storage', cls, key, 'cpu', numel)
    w.str('storage');
    w.global('torch', cls);
    w.str(storageKey);
    w.str('cpu');
    w.int(arr.data.length);
    w.tupleFromMark();
    w.binpersid();
    w.int(0); // storage offset
    w.intTuple(arr.shape);
    w.intTuple(stride);
    w.newFalse(); // requires_grad
    w.global('collections', 'OrderedDict'); // backward hooks: OrderedDict()
    w.emptyTuple();
    w.reduce();
    w.tupleFromMark();
    w.reduce();
    records.push({ name: `${root}/data/${storageKey}`, data: bytesOf(arr.data) });
  }
  if (state.size > 0) w.byte(0x75); // SETITEMS
  w.byte(0x2e); // STOP
  const enc = new TextEncoder();
  return writeZip([
    { name: `${root}/data.pkl`, data: w.bytes() },
    { name: `${root}/.format_version`, data: enc.encode('1') },
    { name: `${root}/.storage_alignment`, data: enc.encode('64') },
    { name: `${root}/byteorder`, data: enc.encode('little') },
    ...records,
    { name: `${root}/version`, data: enc.encode('3\n') },
  ], 64);
}
