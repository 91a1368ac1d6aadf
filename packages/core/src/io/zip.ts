import { inflateSync, deflateSync } from 'fflate';

/**
 * Minimal ZIP reader/writer for .npz and torch.save archives: stored and deflated entries,
 * zip64 on read, CRC-checked. Reading is lazy and zero-copy for stored entries.
 * Errors are thrown as `ZipFormatError` (plain text, no file name); callers wrap them.
 */
export class ZipFormatError extends Error {}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_EOCD64_LOCATOR = 0x07064b50;

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE, ISO 3309), as ZIP headers and PNG chunks store it. */
export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  const t = crcTable;
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

interface CentralEntry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

export interface ZipArchive {
  /** Entry names in central-directory order. */
  readonly names: readonly string[];
  has(name: string): boolean;
  /** The entry's bytes (a view into the archive for stored entries). Throws ZipFormatError. */
  read(name: string): Uint8Array;
}

/** True when `bytes` starts like a ZIP archive ('PK\x03\x04' or an empty archive's 'PK\x05\x06'). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b &&
    ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6));
}

/** Parses the central directory of `bytes`. Throws ZipFormatError for anything malformed. */
export function readZip(bytes: Uint8Array): ZipArchive {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number) => dv.getUint16(o, true);
  const u32 = (o: number) => dv.getUint32(o, true);
  const u64 = (o: number) => {
    const v = dv.getBigUint64(o, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipFormatError(`a zip64 field is too large (${v})`);
    return Number(v);
  };

  // End of central directory: 22 bytes plus a comment of up to 65535 bytes.
  let eocd = -1;
  for (let o = bytes.length - 22; o >= Math.max(0, bytes.length - 22 - 0xffff); o--) {
    if (u32(o) === SIG_EOCD) { eocd = o; break; }
  }
  if (eocd < 0) throw new ZipFormatError('no end-of-central-directory record (not a zip archive, or truncated)');
  let count = u16(eocd + 10);
  let cdSize = u32(eocd + 12);
  let cdOffset = u32(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || u32(loc) !== SIG_EOCD64_LOCATOR) throw new ZipFormatError('zip64 locator missing');
    const e64 = u64(loc + 8);
    if (e64 + 56 > bytes.length || u32(e64) !== SIG_EOCD64) throw new ZipFormatError('zip64 end-of-central-directory record missing');
    count = u64(e64 + 32);
    cdSize = u64(e64 + 40);
    cdOffset = u64(e64 + 48);
  }
  if (cdOffset + cdSize > bytes.length)
    throw new ZipFormatError(`central directory [${cdOffset}, ${cdOffset + cdSize}) lies past the end of the data (${bytes.length} bytes; truncated?)`);

  const entries = new Map<string, CentralEntry>();
  const names: string[] = [];
  const decoder = new TextDecoder('utf-8');
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > bytes.length || u32(p) !== SIG_CENTRAL) throw new ZipFormatError(`central directory entry ${i} is corrupt`);
    const nameLen = u16(p + 28);
    const extraLen = u16(p + 30);
    const commentLen = u16(p + 32);
    const e: CentralEntry = {
      name: decoder.decode(bytes.subarray(p + 46, p + 46 + nameLen)),
      flags: u16(p + 8),
      method: u16(p + 10),
      crc: u32(p + 16),
      compressedSize: u32(p + 20),
      size: u32(p + 24),
      localOffset: u32(p + 42),
    };
    // zip64 extra field: the 64-bit values, in this order, for each 32-bit field saturated at 0xffffffff.
    let x = p + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = u16(x);
      const len = u16(x + 2);
      if (id === 0x0001) {
        let q = x + 4;
        if (e.size === 0xffffffff) { e.size = u64(q); q += 8; }
        if (e.compressedSize === 0xffffffff) { e.compressedSize = u64(q); q += 8; }
        if (e.localOffset === 0xffffffff) { e.localOffset = u64(q); q += 8; }
      }
      x += 4 + len;
    }
    if (!entries.has(e.name)) names.push(e.name);
    entries.set(e.name, e);
    p += 46 + nameLen + extraLen + commentLen;
  }

  return {
    names,
    has: (name) => entries.has(name),
    read(name) {
      const e = entries.get(name);
      if (!e) throw new ZipFormatError(`entry '${name}' is missing`);
      if (e.flags & 1) throw new ZipFormatError(`entry '${name}' is encrypted`);
      const lo = e.localOffset;
      if (lo + 30 > bytes.length || u32(lo) !== SIG_LOCAL) throw new ZipFormatError(`local header of '${name}' is missing or corrupt`);
      const start = lo + 30 + u16(lo + 26) + u16(lo + 28); // the local extra field may differ from the central one
      const end = start + e.compressedSize;
      if (end > bytes.length)
        throw new ZipFormatError(`entry '${name}' needs bytes [${start}, ${end}) but the data has ${bytes.length} (truncated)`);
      const raw = bytes.subarray(start, end);
      let out: Uint8Array;
      if (e.method === 0) {
        out = raw;
      } else if (e.method === 8) {
        try {
          out = inflateSync(raw, { out: new Uint8Array(e.size) });
        } catch (err) {
          throw new ZipFormatError(`entry '${name}' does not inflate (${(err as Error).message})`);
        }
      } else {
        throw new ZipFormatError(`entry '${name}' uses compression method ${e.method}; only stored (0) and deflate (8) are supported`);
      }
      if (out.length !== e.size) throw new ZipFormatError(`entry '${name}' has ${out.length} bytes, its header says ${e.size}`);
      if (crc32(out) !== e.crc) throw new ZipFormatError(`entry '${name}' fails its CRC-32 check (corrupt)`);
      return out;
    },
  };
}

export interface ZipInput {
  name: string;
  data: Uint8Array;
  /** Deflate this entry. Default false (stored). */
  compress?: boolean;
}

/**
 * Writes a ZIP archive. Stored entries have their data aligned to `align` bytes (padding in the
 * local extra field, as torch.save does), so readers can map them in place. No zip64: each entry
 * and the whole archive must stay under 4 GiB.
 */
export function writeZip(inputs: readonly ZipInput[], align = 64): Uint8Array {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const input of inputs) {
    const name = encoder.encode(input.name);
    const body = input.compress ? deflateSync(input.data, { level: 6 }) : input.data;
    const method = input.compress ? 8 : 0;
    const crc = crc32(input.data);
    let pad = 0;
    if (!input.compress && align > 1) {
      const dataStart = offset + 30 + name.length;
      pad = (align - (dataStart % align)) % align;
      if (pad > 0 && pad < 4) pad += align; // an extra field needs a 4-byte header
    }
    if (body.length >= 0xffffffff || offset + 30 + name.length + pad + body.length >= 0xffffffff)
      throw new ZipFormatError('archive would exceed 4 GiB (zip64 writing is not supported)');
    const local = new Uint8Array(30 + name.length + pad);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, SIG_LOCAL, true);
    lv.setUint16(4, 20, true); // version needed 2.0
    lv.setUint16(6, 0x0800, true); // UTF-8 names
    lv.setUint16(8, method, true);
    lv.setUint16(10, 0, true); // time 00:00
    lv.setUint16(12, 0x0021, true); // date 1980-01-01 (deterministic output)
    lv.setUint32(14, crc, true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, input.data.length, true);
    lv.setUint16(26, name.length, true);
    lv.setUint16(28, pad, true);
    local.set(name, 30);
    if (pad > 0) {
      lv.setUint16(30 + name.length, 0x4246, true); // 'FB', the padding id torch's writer uses
      lv.setUint16(32 + name.length, pad - 4, true);
    }
    const cen = new Uint8Array(46 + name.length);
    const cv = new DataView(cen.buffer);
    cv.setUint32(0, SIG_CENTRAL, true);
    cv.setUint16(4, 20, true); // made by 2.0
    cv.setUint16(6, 20, true);
    cv.setUint16(8, 0x0800, true);
    cv.setUint16(10, method, true);
    cv.setUint16(12, 0, true);
    cv.setUint16(14, 0x0021, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, body.length, true);
    cv.setUint32(24, input.data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    cen.set(name, 46);
    parts.push(local, body);
    central.push(cen);
    offset += local.length + body.length;
  }
  const cdSize = central.reduce((s, c) => s + c.length, 0);
  if (inputs.length >= 0xffff) throw new ZipFormatError(`too many entries (${inputs.length}; zip64 writing is not supported)`);
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, SIG_EOCD, true);
  ev.setUint16(8, inputs.length, true);
  ev.setUint16(10, inputs.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + cdSize + 22);
  let p = 0;
  for (const part of [...parts, ...central, eocd]) { out.set(part, p); p += part.length; }
  return out;
}
