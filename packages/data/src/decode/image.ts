import sharp from 'sharp';
import { IOError } from '@clade/core';
import type { RgbImage } from '../planes';
import { decodeLabelPng } from './label-png';
import { readBytes } from './read-bytes';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** True for a 16-bit grayscale PNG (IHDR bit depth 16, colour type 0), which PIL opens as I;16. */
function isGray16Png(b: Uint8Array): boolean {
  return b.length > 26 && PNG_SIGNATURE.every((v, i) => b[i] === v) && b[24] === 16 && b[25] === 0;
}

/** PIL's I;16 → RGB: each sample clipped to 255 and replicated (not scaled, not the high byte). */
function gray16ToRgb(bytes: Uint8Array, source: string): RgbImage {
  const { width, height, data } = decodeLabelPng(bytes, source);
  const out = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = data[i]! > 255 ? 255 : data[i]!;
  return { width, height, data: out };
}

/**
 * Decodes a JPEG, PNG (8/16-bit, gray, palette, alpha) or other libvips-readable image to 8-bit RGB,
 * like PIL's `Image.open(p).convert('RGB')`: alpha is dropped (not composited), gray is
 * replicated, embedded ICC profiles and EXIF orientation are ignored (PIL applies neither), 16-bit
 * RGB samples keep their high byte and 16-bit gray is clipped to 255, both as PIL does. JPEG goes through libvips' libjpeg-turbo-derived decoder (mozjpeg),
 * which matched Pillow's libjpeg-turbo bit for bit on the shared samples. Truncated or corrupt
 * files are an IOError naming `source`.
 */
export async function decodeImage(bytes: Uint8Array, source = '<memory>'): Promise<RgbImage> {
  if (isGray16Png(bytes)) return gray16ToRgb(bytes, source);
  try {
    const { data, info } = await sharp(bytes, { ignoreIcc: true, failOn: 'truncated', limitInputPixels: false })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3)
      throw new Error(`decoded to ${info.channels} channels`);
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } catch (e) {
    throw new IOError(`decodeImage: '${source}' could not be decoded (${(e as Error).message}).`, { cause: e });
  }
}

/** Reads and decodes an image file to 8-bit RGB; see `decodeImage`. */
export async function loadImage(path: string): Promise<RgbImage> {
  return decodeImage(await readBytes(path, 'loadImage'), path);
}
