import sharp, { type OutputInfo } from 'sharp';
import { IOError } from '@clade/core';
import type { RgbImage } from '../planes';
import {
  corruptImageError,
  diagnosePng,
  jpegDataProblem,
  notAnImageError,
  pngDataProblem,
  readImageHeader,
  sniffImageFormat,
  type ImageHeader,
} from './image-header';
import { checkPixelLimit, decoderReason, resolveMaxPixels, type ImageLimitOptions } from './image-limits';
import { decodeLabelPng } from './label-png';
import { readBytes } from './read-bytes';

/** PIL's I;16 → RGB: each sample clipped to 255 and replicated (not scaled, not the high byte). */
function gray16ToRgb(bytes: Uint8Array, source: string, options: ImageLimitOptions): RgbImage {
  const { width, height, data } = decodeLabelPng(bytes, source, options);
  const out = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = data[i]! > 255 ? 255 : data[i]!;
  return { width, height, data: out };
}

/**
 * PNG/JPEG: the header read here, its size checked against `maxPixels` and the file's length
 * against what the header implies. Other formats (custom datasets may hold WebP, TIFF, BMP…):
 * the size from libvips' header parse. Either way nothing is decoded yet.
 */
async function checkBeforeDecoding(bytes: Uint8Array, source: string, maxPixels: number): Promise<ImageHeader | null> {
  if (sniffImageFormat(bytes) === null) {
    let size: { width?: number; height?: number };
    try {
      size = await sharp(bytes).metadata();
    } catch {
      throw notAnImageError(bytes, source);
    }
    if (size.width !== undefined && size.height !== undefined) checkPixelLimit({ width: size.width, height: size.height }, source, maxPixels);
    return null;
  }
  const header = readImageHeader(bytes, source);
  checkPixelLimit(header, source, maxPixels);
  const problem = header.format === 'png' ? pngDataProblem(bytes, header) : jpegDataProblem(bytes, header);
  if (problem) throw corruptImageError(source, problem);
  return header;
}

/**
 * Decodes a JPEG, PNG (8/16-bit, gray, palette, alpha) or other libvips-readable image to 8-bit RGB,
 * like PIL's `Image.open(p).convert('RGB')`: alpha is dropped (not composited), gray is
 * replicated, embedded ICC profiles and EXIF orientation are ignored (PIL applies neither), 16-bit
 * RGB samples keep their high byte and 16-bit gray is clipped to 255, both as PIL does. JPEG goes through libvips' libjpeg-turbo-derived decoder (mozjpeg),
 * which matched Pillow's libjpeg-turbo bit for bit on the shared samples. The header is checked
 * first (size, `options.maxPixels`, length), so a forged or cut file costs no pixel memory;
 * truncated or corrupt files are an IOError naming `source`.
 */
export async function decodeImage(bytes: Uint8Array, source = '<memory>', options: ImageLimitOptions = {}): Promise<RgbImage> {
  const maxPixels = resolveMaxPixels(options);
  const header = await checkBeforeDecoding(bytes, source, maxPixels);
  if (header?.format === 'png' && header.bitDepth === 16 && header.colorType === 0) return gray16ToRgb(bytes, source, options);
  // libvips' own limit backs ours up for formats whose size only libvips reads.
  const limitInputPixels = Number.isFinite(maxPixels) ? Math.floor(maxPixels) : false;
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    decoded = await sharp(bytes, { ignoreIcc: true, failOn: 'truncated', limitInputPixels })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (e) {
    const reason = (header?.format === 'png' ? diagnosePng(bytes) : null) ?? decoderReason(e);
    throw corruptImageError(source, reason, e);
  }
  const { data, info } = decoded;
  if (info.channels !== 3) throw new IOError(`'${source}' decoded to ${info.channels} channels, not RGB`);
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** Reads and decodes an image file to 8-bit RGB; see `decodeImage`. */
export async function loadImage(path: string, options: ImageLimitOptions = {}): Promise<RgbImage> {
  return decodeImage(await readBytes(path, 'loadImage'), path, options);
}
