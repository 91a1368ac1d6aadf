import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { IOError } from '@clade/core';
import { describeWithShared, sharedPath } from '@clade/test-utils';
import { decodeImage, decodeLabelPng, loadImage, loadLabelPng } from '../../index';
import { makePng } from '../../__tests__/helpers/make-png';
import golden from './fixtures/pil-decode.json';

const sha256 = (a: Uint8Array) => createHash('sha256').update(a).digest('hex');

describeWithShared(`decodeImage vs Pillow ${golden.pillow} (libjpeg-turbo ${golden.libjpeg_turbo})`, golden.decoded.map((d) => d.file), () => {
  it.each(golden.decoded.map((d) => [d.file, d] as const))('%s decodes bit-exactly', async (_, d) => {
    const img = await loadImage(sharedPath(d.file));
    expect([img.width, img.height]).toEqual([d.width, d.height]);
    expect(Array.from(img.data.subarray(0, 12))).toEqual(d.first);
    expect(sha256(img.data)).toBe(d.sha256);
  });
});

describeWithShared('label PNG decoding', [
  'data/cityscapes/train_inst/aachen_000000_000019_gtFine_instanceIds.png',
  'data/coco_stuff/val_label/000000000139.png',
], () => {
  it('keeps 16-bit instance ids (Cityscapes instanceIds: id·1000 + k)', async () => {
    const m = await loadLabelPng(sharedPath('data/cityscapes/train_inst/aachen_000000_000019_gtFine_instanceIds.png'));
    expect(m.data).toBeInstanceOf(Uint16Array);
    expect([m.width, m.height]).toEqual([2048, 1024]);
    expect(Math.max(...new Set(m.data))).toBeGreaterThan(24000);
  });

  it('refuses a truncated PNG with an IOError naming the file', async () => {
    const bytes = await readFile(sharedPath('data/coco_stuff/val_label/000000000139.png'));
    expect(() => decodeLabelPng(new Uint8Array(bytes.subarray(0, 4000)), 'cut.png')).toThrow(IOError);
    expect(() => decodeLabelPng(new Uint8Array(bytes.subarray(0, 4000)), 'cut.png')).toThrow(/'cut.png'/);
  });
});

describe('decodeLabelPng on small PNGs', () => {
  it('refuses RGB label maps and missing files with clear errors', async () => {
    const rgb = await (await import('sharp')).default({ create: { width: 2, height: 2, channels: 3, background: '#ff0000' } }).png().toBuffer();
    expect(() => decodeLabelPng(new Uint8Array(rgb), 'colour.png')).toThrow(
      /'colour.png' must be a single-channel \(gray or palette\) PNG, got RGB/,
    );
    await expect(loadLabelPng('/nonexistent/x.png')).rejects.toThrow(/could not read '\/nonexistent\/x.png' \(no such file\)/);
  });

  it('returns palette indices, not colours, and scales low-depth gray like PIL', async () => {
    const sharp = (await import('sharp')).default;
    const idx = Uint8Array.from([0, 1, 2, 3, 4, 5]);
    // sharp writes a palette PNG from RGB pixels; map indices through a known 6-colour palette.
    const colours = [[0, 0, 0], [255, 0, 0], [0, 255, 0], [0, 0, 255], [9, 9, 9], [200, 100, 50]];
    const rgb = Uint8Array.from([...idx].flatMap((i) => colours[i]!));
    const pal = await sharp(rgb, { raw: { width: 3, height: 2, channels: 3 } }).png({ palette: true, colours: 8, dither: 0 }).toBuffer();
    const m = decodeLabelPng(new Uint8Array(pal), 'pal.png');
    expect(m.data).toBeInstanceOf(Uint8Array);
    expect(new Set(m.data).size).toBe(6);
    expect(Math.max(...m.data)).toBeLessThan(8);
    const bw = await sharp(Uint8Array.from([0, 255, 0, 255, 255, 0]), { raw: { width: 3, height: 2, channels: 1 } })
      .png({ palette: false, compressionLevel: 0 })
      .toColourspace('b-w')
      .toBuffer();
    expect(Array.from(decodeLabelPng(new Uint8Array(bw)).data)).toEqual([0, 255, 0, 255, 255, 0]);
  });

  it('unpacks 1/2/4-bit samples: gray scaled to 0..255 like PIL (×255, ×85, ×17), palette indices as is', () => {
    const g1 = makePng(3, 2, 1, 0, [Uint8Array.from([0b10100000]), Uint8Array.from([0b01000000])]);
    expect(Array.from(decodeLabelPng(g1).data)).toEqual([255, 0, 255, 0, 255, 0]);
    const g2 = makePng(3, 1, 2, 0, [Uint8Array.from([0b00011011])]);
    expect(Array.from(decodeLabelPng(g2).data)).toEqual([0, 85, 170]);
    const p4 = makePng(3, 1, 4, 3, [Uint8Array.from([0x5a, 0x30])], new Array(16 * 3).fill(7));
    expect(Array.from(decodeLabelPng(p4).data)).toEqual([5, 10, 3]);
  });

  it('16-bit gray: raw ids for labels; clipped to 255 and replicated for images (PIL I;16 → RGB)', async () => {
    const g16 = makePng(2, 1, 16, 0, [Uint8Array.from([0x00, 0x07, 0x80, 0xe9])]);
    const m = decodeLabelPng(g16);
    expect(m.data).toBeInstanceOf(Uint16Array);
    expect(Array.from(m.data)).toEqual([7, 33001]);
    expect(Array.from((await decodeImage(g16)).data)).toEqual([7, 7, 7, 255, 255, 255]);
  });

  it('decodeImage names the source of an undecodable file', async () => {
    await expect(decodeImage(Uint8Array.from([1, 2, 3]), 'junk.jpg')).rejects.toThrow(IOError);
    await expect(decodeImage(Uint8Array.from([1, 2, 3]), 'junk.jpg')).rejects.toThrow(/^'junk.jpg' is not a PNG or JPEG image \(starts with 01 02 03\)$/);
  });
});
