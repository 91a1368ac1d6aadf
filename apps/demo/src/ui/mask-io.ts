import { type LabelMask } from '../lib/label-mask';
import { decodeMaskPixels, type DecodedMask, type MaskEncodingChoice } from '../lib/mask-codec';

/**
 * Decodes a PNG (file or URL) to class ids. colorSpaceConversion 'none' and no premultiplication
 * keep the stored bytes exact, which raw-id masks depend on.
 */
export async function loadMaskImage(source: Blob | string, encoding: MaskEncodingChoice): Promise<DecodedMask> {
  let blob: Blob;
  if (typeof source === 'string') {
    const res = await fetch(source);
    if (!res.ok) throw new Error(`mask '${source}' could not be fetched (HTTP ${res.status}).`);
    blob = await res.blob();
  } else blob = source;
  const bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' }).catch((e: unknown) => {
    throw new Error(`mask file could not be decoded as an image (${(e as Error).message}); use a PNG.`);
  });
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(bitmap, 0, 0);
  const { data } = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
  bitmap.close();
  return decodeMaskPixels(data, canvas.width, canvas.height, encoding);
}

/** "512×384 colour mask (12 px snapped to the palette)" for the status line. */
export function describeDecoded(d: DecodedMask, name: string, target: LabelMask): string {
  const { width, height } = d.mask;
  const resized = width !== target.width || height !== target.height ? `, resized to ${target.width}×${target.height}` : '';
  const snapped = d.approximated ? ` (${d.approximated} px off-palette, snapped to the nearest class)` : '';
  return `loaded ${name}: ${width}×${height} ${d.encoding === 'raw' ? 'raw-id' : 'colour'} mask${resized}${snapped}`;
}
