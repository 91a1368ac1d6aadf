import { ADE20K_PALETTE, encodeColorLabel } from '@clade/data';
import { encode } from 'fast-png';
import { HttpError, checkLabelHeader, decodeLabelBody, errorBody, statusOf } from '../index';

const gray = (w: number, h: number, fill = 1) => encode({ width: w, height: h, data: new Uint8Array(w * h).fill(fill), channels: 1, depth: 8 });
const rgb = (w: number, h: number) => encode({ width: w, height: h, data: new Uint8Array(w * h * 3), channels: 3, depth: 8 });

describe('checkLabelHeader', () => {
  it('reads the size from the header', () => {
    expect(checkLabelHeader(gray(5, 3), 'ids', 100)).toEqual({ width: 5, height: 3 });
  });

  it('refuses what is not a label before decoding: not an image (400), colours sent as ids (400), too many pixels (413)', () => {
    expect(() => checkLabelHeader(new TextEncoder().encode('hello'), 'ids', 100)).toThrow(/'request body' is not a PNG or JPEG image/);
    expect(() => checkLabelHeader(rgb(4, 4), 'ids', 100)).toThrow(
      /colour PNG; a label of class ids must be a gray or palette PNG, or send palette colours with labels=colors/,
    );
    expect(checkLabelHeader(rgb(4, 4), 'colors', 100)).toEqual({ width: 4, height: 4 });
    let e: unknown;
    try {
      checkLabelHeader(gray(20, 10), 'ids', 199);
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(HttpError);
    expect((e as HttpError).status).toBe(413);
    expect((e as HttpError).message).toMatch(/20×10 = 200 pixels, over this server's --max-pixels 199/);
  });

  it('maps user errors to 400 and bugs to 500', () => {
    let user: unknown;
    try {
      checkLabelHeader(new Uint8Array([1, 2, 3]), 'ids', 10);
    } catch (e) {
      user = e;
    }
    expect(statusOf(user)).toBe(400);
    expect(statusOf(new TypeError('x'))).toBe(500);
    expect(errorBody('a\n  b')).toEqual({ error: 'a b' });
  });
});

describe('decodeLabelBody', () => {
  it('reads ids as they are, and colours through the palette', async () => {
    const ids = await decodeLabelBody(gray(2, 2, 3), 'ids', null, 100);
    expect(Array.from(ids.data)).toEqual([3, 3, 3, 3]);
    const label = { width: 2, height: 1, data: Uint8Array.from([1, 3]) };
    const coloured = encodeColorLabel(label, ADE20K_PALETTE);
    const back = await decodeLabelBody(encode({ ...coloured, channels: 3, depth: 8 }), 'colors', ADE20K_PALETTE, 100);
    expect(Array.from(back.data)).toEqual([1, 3]);
  });

  it('refuses colours that are not palette colours, and colours for a model without a palette', async () => {
    const off = encode({ width: 1, height: 1, data: Uint8Array.from([1, 2, 3]), channels: 3, depth: 8 });
    await expect(decodeLabelBody(off, 'colors', ADE20K_PALETTE, 100)).rejects.toThrow(/1 pixels in 1 colours that are not in the ade20k palette/);
    await expect(decodeLabelBody(off, 'colors', null, 100)).rejects.toThrow(/labels=colors needs a colour palette/);
  });
});
