import { ConfigError, IOError, groupDigits } from '@clade/core';

/**
 * Default largest image decoded: 8192×8192 = 67,108,864 pixels. The datasets top out near 12 MP
 * (phone photos; Cityscapes is 2 MP), so this leaves 5× headroom, stays under Pillow's own
 * decompression-bomb warning (89,478,485 px), and bounds one decoded RGB photo at 192 MiB (768 MiB
 * as the loader's float32) instead of the gigabytes a forged header can ask for.
 */
export const MAX_IMAGE_PIXELS = 8192 * 8192;

/** Limits checked from the file header before an image is decoded. */
export interface ImageLimitOptions {
  /**
   * Largest width × height accepted; larger files are an IOError before any pixel memory is
   * allocated. `Infinity` turns the check off. Default `MAX_IMAGE_PIXELS` (8192×8192).
   */
  maxPixels?: number;
}

/** `options.maxPixels` or the default; a ConfigError for a limit that is not a number ≥ 1. */
export function resolveMaxPixels(options: ImageLimitOptions = {}): number {
  const { maxPixels = MAX_IMAGE_PIXELS } = options;
  if (typeof maxPixels !== 'number' || !(maxPixels >= 1))
    throw new ConfigError(`maxPixels must be a number ≥ 1 (or Infinity), got ${String(maxPixels)}.`);
  return maxPixels;
}

/** Throws an IOError naming the file, its size and the limit when width × height exceeds `maxPixels`. */
export function checkPixelLimit(size: { width: number; height: number }, source: string, maxPixels: number): void {
  const pixels = size.width * size.height;
  if (pixels > maxPixels)
    throw new IOError(
      `'${source}' is ${size.width}×${size.height} = ${groupDigits(pixels)} pixels, over the limit of ${groupDigits(maxPixels)} (raise it with --max-pixels)`,
    );
}

/** Decoder-internal wording (library prefixes, JS engine errors) → a short reason in user terms. */
export function decoderReason(e: unknown): string {
  // RangeError/TypeError come from reading past a buffer inside the decoder, not from the file's own checks.
  if (e instanceof RangeError || e instanceof TypeError) return 'its image data is damaged or cut short';
  const message = e instanceof Error ? e.message : String(e);
  const reason = message
    .replace(/^Input (buffer|file) has corrupt header:\s*/i, '')
    .replace(/^(VipsJpeg|vipspng|VipsForeignLoad\w*|pngload\w*|jpegload\w*):\s*/i, '')
    .trim();
  // fast-png reports inflate failures as a zlib status code and short data as a filter 'undefined'.
  if (/^Error while decompressing the data/i.test(reason)) return 'its compressed image data is damaged';
  const filter = /^Unsupported filter: (\d+)$/.exec(reason);
  if (filter) return `a row of pixels has an unknown filter type (${filter[1]})`;
  return reason === '' || /^libpng read error$|^Unsupported filter: undefined$/i.test(reason)
    ? 'its image data is damaged or cut short'
    : reason;
}
