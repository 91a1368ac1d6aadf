import { IOError, groupDigits } from '@clade/core';
import { crc32 } from '@clade/core/internal';

/**
 * Reading an image's size from its first bytes, so that a file can be refused before decoding it
 * costs memory. Pure functions of the bytes; every error is an IOError naming the file (`source`).
 */

export type ImageFormat = 'png' | 'jpeg';

/** What a PNG's IHDR says. */
export interface PngHeader {
  format: 'png';
  width: number;
  height: number;
  /** Bits per sample: 1, 2, 4, 8 or 16. */
  bitDepth: number;
  /** 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA. */
  colorType: number;
  /** Samples per pixel implied by the colour type (palette: 1 index). */
  channels: number;
  interlaced: boolean;
}

/** What a JPEG's frame header (SOFn) says. */
export interface JpegHeader {
  format: 'jpeg';
  width: number;
  height: number;
  /** Sample precision in bits (8 or 12). */
  bitDepth: number;
  /** Colour components in the frame (1 gray, 3 YCbCr, 4 CMYK). */
  components: number;
  /** Arithmetic-coded (SOF9–SOF15), which has no useful bound on the compressed size. */
  arithmetic: boolean;
}

export type ImageHeader = PngHeader | JpegHeader;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Signature + IHDR chunk (length, type, 13 data bytes, CRC). */
const PNG_HEADER_BYTES = 33;
/** Deflate's best case is 258 bytes from a 2-bit code, so no zlib stream is smaller than raw / 1032. */
const DEFLATE_MAX_RATIO = 1032;
/** Samples per pixel of each PNG colour type, and the bit depths it allows. */
const PNG_COLOR_TYPES: Record<number, { channels: number; depths: readonly number[] }> = {
  0: { channels: 1, depths: [1, 2, 4, 8, 16] },
  2: { channels: 3, depths: [8, 16] },
  3: { channels: 1, depths: [1, 2, 4, 8] },
  4: { channels: 2, depths: [8, 16] },
  6: { channels: 4, depths: [8, 16] },
};

const hexStart = (b: Uint8Array) =>
  Array.from(b.subarray(0, 4), (v) => v.toString(16).padStart(2, '0')).join(' ');

/** The IOError for a file whose body cannot be decoded; `reason` is short and in user terms. */
export function corruptImageError(source: string, reason: string, cause?: unknown): IOError {
  return new IOError(`'${source}' is truncated or corrupt: ${reason}`, cause === undefined ? undefined : { cause });
}

/** The IOError for bytes that are neither PNG nor JPEG. */
export function notAnImageError(bytes: Uint8Array, source: string): IOError {
  const start = bytes.length === 0 ? 'it is empty' : `starts with ${hexStart(bytes)}`;
  return new IOError(`'${source}' is not a PNG or JPEG image (${start})`);
}

/**
 * PNG or JPEG by the signature, else null. A PNG needs only its first 4 signature bytes here and a
 * JPEG its SOI marker, so that a cut-off file is reported as truncated, not as foreign.
 */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | null {
  const n = Math.min(bytes.length, PNG_SIGNATURE.length);
  if (n >= 4 && PNG_SIGNATURE.slice(0, n).every((v, i) => bytes[i] === v)) return 'png';
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xd8 && (bytes.length === 2 || bytes[2] === 0xff))
    return 'jpeg';
  return null;
}

const u32 = (b: Uint8Array, p: number) => ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
const u16 = (b: Uint8Array, p: number) => (b[p]! << 8) | b[p + 1]!;
const chunkType = (b: Uint8Array, p: number) => String.fromCharCode(...b.subarray(p + 4, p + 8));
/** A chunk in messages; a damaged length field makes the next 'type' garbage, so don't print that. */
const chunkName = (type: string, p: number) =>
  /^[A-Za-z]{4}$/.test(type) ? `its ${type} chunk at byte ${groupDigits(p)}` : `a damaged chunk at byte ${groupDigits(p)}`;

function truncatedHeader(format: ImageFormat, bytes: Uint8Array, source: string): IOError {
  return new IOError(`'${source}' is a truncated ${format.toUpperCase()}: its header ends at byte ${bytes.length}`);
}

function checkSize(width: number, height: number, source: string): void {
  if (width < 1 || height < 1)
    throw new IOError(`'${source}' has a ${width}×${height} image: width and height must be at least 1`);
}

function readPngHeader(b: Uint8Array, source: string): PngHeader {
  if (b.length < PNG_HEADER_BYTES) throw truncatedHeader('png', b, source);
  if (u32(b, 8) !== 13 || chunkType(b, 8) !== 'IHDR')
    throw corruptImageError(source, 'its first chunk is not a 13-byte IHDR header');
  // The checksum guards the size against a damaged header before the size decides anything.
  if (crc32(b.subarray(12, 29)) !== u32(b, 29)) throw corruptImageError(source, 'its IHDR header fails its checksum');
  const width = u32(b, 16);
  const height = u32(b, 20);
  const bitDepth = b[24]!;
  const colorType = b[25]!;
  checkSize(width, height, source);
  const kind = PNG_COLOR_TYPES[colorType];
  if (!kind || !kind.depths.includes(bitDepth))
    throw corruptImageError(source, `its header has bit depth ${bitDepth} with colour type ${colorType}, which PNG does not allow`);
  return { format: 'png', width, height, bitDepth, colorType, channels: kind.channels, interlaced: b[28] === 1 };
}

const isSof = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

function readJpegHeader(b: Uint8Array, source: string): JpegHeader {
  let p = 2;
  for (;;) {
    // Like libjpeg, skip stray bytes and fill bytes (0xff runs) before a marker.
    while (p < b.length && b[p] !== 0xff) p++;
    while (p < b.length && b[p] === 0xff) p++;
    if (p >= b.length) throw truncatedHeader('jpeg', b, source);
    const marker = b[p++]!;
    if (marker === 0xda || marker === 0xd9)
      throw corruptImageError(source, 'it has no frame header (SOF) before its image data');
    if ((marker >= 0xd0 && marker <= 0xd8) || marker === 0x01 || marker === 0x00) continue; // no length field
    if (p + 2 > b.length) throw truncatedHeader('jpeg', b, source);
    const length = u16(b, p);
    if (isSof(marker)) {
      if (p + 8 > b.length) throw truncatedHeader('jpeg', b, source);
      const height = u16(b, p + 3);
      const width = u16(b, p + 5);
      checkSize(width, height, source);
      return { format: 'jpeg', width, height, bitDepth: b[p + 2]!, components: b[p + 7]!, arithmetic: marker >= 0xc9 };
    }
    if (length < 2) throw corruptImageError(source, `its marker segment at byte ${p - 2} has length ${length}`);
    p += length;
  }
}

/**
 * Format, size and (PNG) bit depth and colour type from the first bytes of a file: the PNG IHDR
 * (checksum verified) or the JPEG frame header. Throws an IOError naming `source` for bytes that
 * are neither, a header cut short, or a zero width or height.
 */
export function readImageHeader(bytes: Uint8Array, source = '<memory>'): ImageHeader {
  const format = sniffImageFormat(bytes);
  if (format === 'png') return readPngHeader(bytes, source);
  if (format === 'jpeg') return readJpegHeader(bytes, source);
  throw notAnImageError(bytes, source);
}

/**
 * Why a PNG's chunks cannot hold the image its header claims, or null: the file ends inside or
 * before the image data (IDAT), or the image data is smaller than deflate could make the pixels.
 * A missing IEND alone is not reported (libvips decodes such files). Cheap: reads chunk lengths only.
 */
export function pngDataProblem(bytes: Uint8Array, header: PngHeader): string | null {
  let p = PNG_HEADER_BYTES;
  let idat = 0;
  let seenIdat = false;
  let seenIend = false;
  while (p + 8 <= bytes.length) {
    const length = u32(bytes, p);
    const type = chunkType(bytes, p);
    seenIend = type === 'IEND';
    if (seenIend) break;
    const end = p + 12 + length;
    if (type === 'IDAT') {
      if (end > bytes.length)
        return `it ends at byte ${groupDigits(bytes.length)}, inside its image data (${chunkName(type, p)} runs to byte ${groupDigits(end)})`;
      seenIdat = true;
      idat += length;
    } else if (seenIdat) break; // the image data is complete; later chunks are the decoder's business
    else if (end > bytes.length)
      return `it ends at byte ${groupDigits(bytes.length)}, inside ${chunkName(type, p)}, before the image data`;
    p = end;
  }
  if (!seenIdat)
    return seenIend ? 'it has no image data (IDAT)' : `it ends at byte ${groupDigits(bytes.length)}, before the image data`;
  const rowBytes = Math.ceil((header.width * header.channels * header.bitDepth) / 8);
  const least = Math.floor((header.height * (1 + rowBytes)) / DEFLATE_MAX_RATIO);
  if (idat < least)
    return `its ${groupDigits(idat)} bytes of image data are too few for ${header.width}×${header.height} pixels (at least ${groupDigits(least)} needed)`;
  return null;
}

/**
 * Why a JPEG cannot hold the image its header claims, or null. Huffman coding spends at least one
 * bit per 8×8 block in the first scan of a component, and the smallest component has at least
 * 1/16 of the largest one's blocks (sampling factors are 1..4), so fewer bytes mean a cut file.
 * Arithmetic-coded files have no such bound.
 */
export function jpegDataProblem(bytes: Uint8Array, header: JpegHeader): string | null {
  if (header.arithmetic) return null;
  const least = Math.floor((Math.ceil(header.width / 8) * Math.ceil(header.height / 8)) / 128);
  if (bytes.length < least)
    return `its ${groupDigits(bytes.length)} bytes are too few for ${header.width}×${header.height} pixels (at least ${groupDigits(least)} needed)`;
  return null;
}

/**
 * After a decoder failed on a PNG: the first chunk that is cut off or fails its checksum, in user
 * terms, or null when the chunks look whole (then the compressed data itself is damaged).
 */
export function diagnosePng(bytes: Uint8Array): string | null {
  let p = PNG_SIGNATURE.length;
  while (p + 8 <= bytes.length) {
    const length = u32(bytes, p);
    const type = chunkType(bytes, p);
    const end = p + 12 + length;
    if (end > bytes.length)
      return `it ends at byte ${groupDigits(bytes.length)}, inside ${chunkName(type, p)} (which runs to byte ${groupDigits(end)})`;
    if (crc32(bytes.subarray(p + 4, end - 4)) !== u32(bytes, end - 4)) return `${chunkName(type, p)} fails its checksum`;
    if (type === 'IEND') return null;
    p = end;
  }
  return `it ends at byte ${groupDigits(bytes.length)}, before its IEND chunk`;
}
