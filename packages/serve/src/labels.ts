import { IOError, groupDigits } from '@clade/core';
import { decodeColorLabel, decodeImage, decodeLabelPng, readImageHeader, type ColorPalette, type LabelMap } from '@clade/data';
import { HttpError } from './errors';

/** How the request body codes the label: raw class ids (gray or palette PNG) or the preset's colours. */
export type LabelCoding = 'ids' | 'colors';
export const LABEL_CODINGS: readonly LabelCoding[] = ['ids', 'colors'];

/** Names the body in messages. */
export const BODY = 'request body';

/**
 * The checks a label body gets before it is queued, from its first bytes only: an image at all,
 * PNG (or JPEG for colours), single-channel for ids, and width × height within `maxPixels`
 * (413 beyond). Cheap, so a bad or huge file never takes a worker. IOError (→ 400) naming the body.
 */
export function checkLabelHeader(bytes: Uint8Array, coding: LabelCoding, maxPixels: number): { width: number; height: number } {
  const header = readImageHeader(bytes, BODY);
  if (coding === 'ids') {
    if (header.format !== 'png')
      throw new IOError(`the ${BODY} is a JPEG; a label of class ids must be a PNG (JPEG changes the ids), or send colours with labels=colors.`);
    if (header.channels !== 1 || header.colorType === 4)
      throw new IOError(`the ${BODY} is a colour PNG; a label of class ids must be a gray or palette PNG, or send palette colours with labels=colors.`);
  }
  const pixels = header.width * header.height;
  if (pixels > maxPixels)
    throw new HttpError(
      413,
      `the label is ${header.width}×${header.height} = ${groupDigits(pixels)} pixels, over this server's --max-pixels ${groupDigits(maxPixels)}.`,
    );
  return { width: header.width, height: header.height };
}

/**
 * The label map of a body: raw ids as PIL reads them (`decodeLabelPng`), or colours decoded with
 * the model's palette (`decodeColorLabel`, exact colours only). Runs in a worker.
 */
export async function decodeLabelBody(bytes: Uint8Array, coding: LabelCoding, palette: ColorPalette | null, maxPixels: number): Promise<LabelMap> {
  if (coding === 'ids') return decodeLabelPng(bytes, BODY, { maxPixels });
  if (!palette) throw new IOError(`labels=colors needs a colour palette, and this model's preset has none; send class ids (labels=ids).`);
  const { width, height, data } = decodeColorLabel(await decodeImage(bytes, BODY, { maxPixels }), palette, { source: BODY });
  return { width, height, data };
}
