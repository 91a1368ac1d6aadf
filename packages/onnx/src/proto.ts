/**
 * A minimal protocol-buffers writer: just what encoding ONNX needs (varints, length-delimited
 * fields, fixed32 floats, packed repeated scalars). Messages are written child-first into their
 * own Writer and embedded as bytes, which keeps the code short; ONNX models are dominated by
 * raw tensor bytes, so the extra copy of the small structural messages does not matter.
 */

/** Protobuf wire types. */
const enum Wire {
  Varint = 0,
  Fixed64 = 1,
  LengthDelimited = 2,
  Fixed32 = 5,
}

const textEncoder = new TextEncoder();

export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private buf = new Uint8Array(256);
  private pos = 0;
  private total = 0;

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.buf = new Uint8Array(Math.max(n, this.buf.length * 2));
  }

  private flush(): void {
    if (this.pos === 0) return;
    this.chunks.push(this.buf.slice(0, this.pos));
    this.pos = 0;
  }

  /** Unsigned or signed integer as a varint; negatives take 10 bytes (two's complement, as int64). */
  varint(value: number | bigint): this {
    let v = BigInt.asUintN(64, BigInt(value));
    this.reserve(10);
    // The fast path covers every tag, length and dimension we write.
    if (v < 0x80000000n) {
      let n = Number(v);
      while (n > 0x7f) {
        this.buf[this.pos++] = (n & 0x7f) | 0x80;
        this.total++;
        n >>>= 7;
      }
      this.buf[this.pos++] = n;
      this.total++;
      return this;
    }
    while (v > 0x7fn) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      this.total++;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
    this.total++;
    return this;
  }

  private tag(field: number, wire: Wire): this {
    return this.varint((field << 3) | wire);
  }

  /** Raw bytes, appended without copying when large. */
  private raw(bytes: Uint8Array): this {
    if (bytes.length > 1024) {
      this.flush();
      this.chunks.push(bytes);
    } else {
      this.reserve(bytes.length);
      this.buf.set(bytes, this.pos);
      this.pos += bytes.length;
    }
    this.total += bytes.length;
    return this;
  }

  /** int32/int64/enum/bool field (varint). */
  int(field: number, value: number | bigint): this {
    return this.tag(field, Wire.Varint).varint(value);
  }

  /** float field (fixed32, little endian). */
  float(field: number, value: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    return this.tag(field, Wire.Fixed32).raw(b);
  }

  bytes(field: number, value: Uint8Array): this {
    return this.tag(field, Wire.LengthDelimited).varint(value.length).raw(value);
  }

  string(field: number, value: string): this {
    return this.bytes(field, textEncoder.encode(value));
  }

  /** An embedded message, encoded by `write` into its own writer. */
  message(field: number, write: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    write(inner);
    return this.bytes(field, inner.finish());
  }

  /** Packed repeated varints (int64 dims, ints attributes). */
  packedInts(field: number, values: ArrayLike<number | bigint>): this {
    const inner = new ProtoWriter();
    for (let i = 0; i < values.length; i++) inner.varint(values[i]!);
    return this.bytes(field, inner.finish());
  }

  /** Packed repeated floats (fixed32). */
  packedFloats(field: number, values: ArrayLike<number>): this {
    const b = new Uint8Array(4 * values.length);
    const dv = new DataView(b.buffer);
    for (let i = 0; i < values.length; i++) dv.setFloat32(4 * i, values[i]!, true);
    return this.bytes(field, b);
  }

  get length(): number {
    return this.total;
  }

  finish(): Uint8Array {
    this.flush();
    if (this.chunks.length === 1) return this.chunks[0]!;
    const out = new Uint8Array(this.total);
    let off = 0;
    for (const c of this.chunks) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  }
}

/** Reads varints and length-delimited fields back: for tests and for reading our own metadata. */
export class ProtoReader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): bigint {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.buf[this.pos++];
      if (b === undefined) throw new RangeError('ProtoReader: truncated varint');
      v |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return v;
      shift += 7n;
    }
  }

  /** The next field: its number, wire type and payload (bytes for length-delimited, else the number). */
  next(): { field: number; wire: number; value: bigint | Uint8Array | number } {
    const key = Number(this.varint());
    const field = key >>> 3;
    const wire = key & 7;
    if (wire === 0) return { field, wire, value: this.varint() };
    if (wire === 2) {
      const n = Number(this.varint());
      const value = this.buf.subarray(this.pos, this.pos + n);
      this.pos += n;
      return { field, wire, value };
    }
    if (wire === 5) {
      const value = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4).getFloat32(0, true);
      this.pos += 4;
      return { field, wire, value };
    }
    if (wire === 1) {
      const value = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8).getFloat64(0, true);
      this.pos += 8;
      return { field, wire, value };
    }
    throw new RangeError(`ProtoReader: unsupported wire type ${wire}`);
  }
}
