import { decode as decodePng } from 'fast-png';
import { IOError, groupDigits } from '@clade/core';
import type { LabelMap } from '../planes';
import { corruptImageError, diagnosePng, pngDataProblem, readImageHeader } from './image-header';
import { checkPixelLimit, decoderReason, resolveMaxPixels, type ImageLimitOptions } from './image-limits';
import { readBytes } from './read-bytes';

/**
 * Unpacks rows of 1/2/4-bit samples (each row padded to a whole byte) to one byte per sample,
 * times `scale`.
 */
function unpackBits(packed: Uint8Array, width: number, height: number, depth: number, scale: number): Uint8Array {
  const out = new Uint8Array(width * height);
  const rowBytes = Math.ceil((width * depth) / 8);
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      const byte = packed[y * rowBytes + (bit >> 3)]!;
      out[y * width + x] = ((byte >> (8 - depth - (bit & 7))) & mask) * scale;
    }
  return out;
}

/**
 * Decodes a label or instance PNG to raw integer samples, as PIL's `Image.open` holds them:
 * 8-bit gray (mode L) → Uint8Array; 16-bit gray (I;16, Cityscapes instanceIds) → Uint16Array;
 * palette (mode P) → the palette *indices*, not colours; 1/2/4-bit gray scaled to 0..255 like PIL.
 * Colour or alpha PNGs are refused: a colour label map needs a palette to become ids.
 * The header is checked first (size, `options.maxPixels`, data long enough), so a forged or cut
 * file costs no pixel memory. `source` names the file in every error; all are IOErrors.
 */
export function decodeLabelPng(
  bytes: Uint8Array,
  source = '<memory>',
  options: ImageLimitOptions = {},
): LabelMap<Uint8Array | Uint16Array> {
  const maxPixels = resolveMaxPixels(options);
  const header = readImageHeader(bytes, source);
  if (header.format !== 'png')
    throw new IOError(`'${source}' is a JPEG image; label and instance maps must be PNG (JPEG compression changes the ids)`);
  if (header.channels !== 1 || header.colorType === 4) {
    const kind = header.colorType === 4 ? 'gray+alpha' : header.colorType === 2 ? 'RGB' : 'RGBA';
    throw new IOError(
      `decodeLabelPng: '${source}' must be a single-channel (gray or palette) PNG, got ${kind}; colour label maps need a palette (decodeColorLabel).`,
    );
  }
  checkPixelLimit(header, source, maxPixels);
  const problem = pngDataProblem(bytes, header);
  if (problem) throw corruptImageError(source, problem);
  let png: ReturnType<typeof decodePng>;
  try {
    png = decodePng(bytes);
  } catch (e) {
    throw corruptImageError(source, diagnosePng(bytes) ?? decoderReason(e), e);
  }
  const { width, height, depth, palette } = png;
  const want = depth >= 8 ? width * height : Math.ceil((width * depth) / 8) * height;
  if (png.data.length < want)
    throw corruptImageError(source, `its image data holds ${groupDigits(png.data.length)} of ${groupDigits(want)} samples for ${width}×${height}`);
  if (depth === 16) return { width, height, data: png.data as Uint16Array };
  if (depth === 8) return { width, height, data: png.data as Uint8Array };
  const scale = palette ? 1 : 255 / ((1 << depth) - 1);
  return { width, height, data: unpackBits(png.data as Uint8Array, width, height, depth, scale) };
}

/** Reads and decodes a label or instance PNG file; see `decodeLabelPng`. */
export async function loadLabelPng(path: string, options: ImageLimitOptions = {}): Promise<LabelMap<Uint8Array | Uint16Array>> {
  return decodeLabelPng(await readBytes(path, 'loadLabelPng'), path, options);
}
