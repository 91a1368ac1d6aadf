import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { decode as fastPngDecode, encode as encodePng } from 'fast-png';
import sharp from 'sharp';
import { ConfigError, IOError } from '@clade/core';
import {
  MAX_IMAGE_PIXELS,
  decodeImage,
  decodeLabelPng,
  inspectDataset,
  loadImage,
  loadLabel,
  loadLabelPng,
  prepareSample,
  readImageHeader,
  sniffImageFormat,
} from '../../index';

// Builds inputs in memory: fast-png for whole PNGs, hand-edited IHDR bytes for forged ones.

const GRAY = (w: number, h: number) => Uint8Array.from({ length: w * h }, (_, i) => (i * 37) & 255);

function grayPng(w: number, h: number): Uint8Array {
  return encodePng({ width: w, height: h, data: GRAY(w, h), channels: 1, depth: 8 });
}

/** `png` with the IHDR's width and height replaced and its CRC fixed (the reader checks it). */
function withSize(png: Uint8Array, width: number, height: number): Uint8Array {
  const b = Buffer.from(png);
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  b.writeUInt32BE(crc32(b.subarray(12, 29)) >>> 0, 29);
  return new Uint8Array(b);
}

/** SOI, a JFIF APP0 segment, then a baseline SOF0 frame header for a 3-component `w`×`h` image. */
function jpegHeader(w: number, h: number, sof = 0xc0): Uint8Array {
  const app0 = [0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00];
  const sof0 = [0xff, sof, 0x00, 0x11, 0x08, h >> 8, h & 255, w >> 8, w & 255, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  return Uint8Array.from([0xff, 0xd8, ...app0, ...sof0]);
}

const photo = (w: number, h: number) => Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 11 + (i >> 7)) & 255);
const jpeg = async (w: number, h: number, progressive = false) =>
  new Uint8Array(await sharp(photo(w, h), { raw: { width: w, height: h, channels: 3 } }).jpeg({ progressive }).toBuffer());

/** Runs `f`, which must throw; returns the error and how long it took. */
async function timedFailure(f: () => unknown): Promise<{ error: Error; ms: number }> {
  const t0 = performance.now();
  try {
    await f();
  } catch (error) {
    return { error: error as Error, ms: performance.now() - t0 };
  }
  throw new Error('expected a failure');
}

describe('readImageHeader', () => {
  it('reads format, size, bit depth and colour type from PNG IHDRs', () => {
    expect(readImageHeader(grayPng(5, 3), 'g.png')).toEqual({
      format: 'png', width: 5, height: 3, bitDepth: 8, colorType: 0, channels: 1, interlaced: false,
    });
    const rgba16 = encodePng({ width: 2, height: 7, data: new Uint16Array(2 * 7 * 4), channels: 4, depth: 16 });
    expect(readImageHeader(rgba16)).toMatchObject({ format: 'png', width: 2, height: 7, bitDepth: 16, colorType: 6, channels: 4 });
  });

  it('reads the JPEG frame header (SOF0, SOF2) after other segments', async () => {
    expect(readImageHeader(jpegHeader(640, 480))).toEqual({
      format: 'jpeg', width: 640, height: 480, bitDepth: 8, components: 3, arithmetic: false,
    });
    expect(readImageHeader(await jpeg(33, 17, true))).toMatchObject({ format: 'jpeg', width: 33, height: 17 });
    expect(sniffImageFormat(jpegHeader(1, 1))).toBe('jpeg');
    expect(sniffImageFormat(Uint8Array.from([1, 2, 3]))).toBeNull();
  });

  it('refuses what is not a PNG or JPEG, naming the file and its first bytes', () => {
    const html = new TextEncoder().encode('<!DOCTYPE html><html></html>');
    expect(() => readImageHeader(html, 'x.png')).toThrow(IOError);
    expect(() => readImageHeader(html, 'x.png')).toThrow("'x.png' is not a PNG or JPEG image (starts with 3c 21 44 4f)");
    expect(() => readImageHeader(new Uint8Array(0), 'e.png')).toThrow("'e.png' is not a PNG or JPEG image (it is empty)");
  });

  it('refuses a header cut short', () => {
    expect(() => readImageHeader(grayPng(4, 4).subarray(0, 20), 'x.png')).toThrow("'x.png' is a truncated PNG: its header ends at byte 20");
    expect(() => readImageHeader(grayPng(4, 4).subarray(0, 5), 'x.png')).toThrow("'x.png' is a truncated PNG: its header ends at byte 5");
    expect(() => readImageHeader(jpegHeader(8, 8).subarray(0, 12), 'x.jpg')).toThrow("'x.jpg' is a truncated JPEG: its header ends at byte 12");
    expect(() => readImageHeader(jpegHeader(8, 8).subarray(0, 25), 'x.jpg')).toThrow("'x.jpg' is a truncated JPEG: its header ends at byte 25");
  });

  it('refuses a zero width or height', () => {
    expect(() => readImageHeader(withSize(grayPng(4, 4), 0, 512), 'x.png')).toThrow(
      "'x.png' has a 0×512 image: width and height must be at least 1",
    );
    expect(() => readImageHeader(jpegHeader(512, 0), 'x.jpg')).toThrow("'x.jpg' has a 512×0 image: width and height must be at least 1");
  });

  it('refuses a damaged IHDR (checksum) rather than trusting its size', () => {
    const b = grayPng(4, 4);
    b[17] = 0x7f; // width 0x7f000004, CRC left stale
    expect(() => readImageHeader(b, 'x.png')).toThrow("'x.png' is truncated or corrupt: its IHDR header fails its checksum");
  });
});

describe('the pixel limit, checked before decoding', () => {
  const huge = withSize(grayPng(4, 4), 30000, 30000); // ~70 bytes claiming 900 MP
  const OVER = "'big.png' is 30000×30000 = 900,000,000 pixels, over the limit of 67,108,864 (raise it with --max-pixels)";

  it('defaults to 8192×8192', () => expect(MAX_IMAGE_PIXELS).toBe(67_108_864));

  it('refuses a tiny PNG whose IHDR claims 30000×30000, quickly and without allocating', async () => {
    expect(huge.length).toBeLessThan(100);
    const before = process.memoryUsage().arrayBuffers;
    for (const f of [() => decodeLabelPng(huge, 'big.png'), () => decodeImage(huge, 'big.png')]) {
      const { error, ms } = await timedFailure(f);
      expect(error).toBeInstanceOf(IOError);
      expect(error.message).toBe(OVER);
      expect(ms).toBeLessThan(500);
    }
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 2 ** 20);
  });

  it('refuses a JPEG header claiming more than the limit', async () => {
    await expect(decodeImage(jpegHeader(30000, 30000), 'big.jpg')).rejects.toThrow(
      "'big.jpg' is 30000×30000 = 900,000,000 pixels, over the limit of 67,108,864 (raise it with --max-pixels)",
    );
  });

  it('takes a per-call maxPixels: exactly at the limit passes, one pixel over fails', async () => {
    const png = grayPng(30, 20);
    expect(decodeLabelPng(png, 'p.png', { maxPixels: 600 }).width).toBe(30);
    expect(() => decodeLabelPng(png, 'p.png', { maxPixels: 599 })).toThrow(
      "'p.png' is 30×20 = 600 pixels, over the limit of 599 (raise it with --max-pixels)",
    );
    await expect(decodeImage(png, 'p.png', { maxPixels: 599 })).rejects.toThrow(/over the limit of 599/);
    expect((await decodeImage(await jpeg(30, 20), 'p.jpg', { maxPixels: 600 })).width).toBe(30);
    await expect(decodeImage(await jpeg(30, 20), 'p.jpg', { maxPixels: 599 })).rejects.toThrow(/'p.jpg' is 30×20 = 600 pixels/);
  });

  it('with a raised limit, a forged size still fails fast: the data cannot hold that many pixels', async () => {
    const { error, ms } = await timedFailure(() => decodeLabelPng(huge, 'big.png', { maxPixels: 1e9 }));
    expect(error.message).toMatch(
      /^'big\.png' is truncated or corrupt: its \d+ bytes of image data are too few for 30000×30000 pixels \(at least 872,\d{3} needed\)$/,
    );
    expect(ms).toBeLessThan(500);
    await expect(decodeImage(huge, 'big.png', { maxPixels: Infinity })).rejects.toThrow(/too few for 30000×30000 pixels/);
    const fakeJpeg = Uint8Array.from([...jpegHeader(30000, 30000), 0xff, 0xd9]);
    await expect(decodeImage(fakeJpeg, 'big.jpg', { maxPixels: 1e9 })).rejects.toThrow(
      /^'big\.jpg' is truncated or corrupt: its 41 bytes are too few for 30000×30000 pixels/,
    );
  });

  it('refuses a limit that is not a number ≥ 1', () => {
    expect(() => decodeLabelPng(grayPng(2, 2), 'p.png', { maxPixels: 0 })).toThrow(ConfigError);
    expect(() => decodeLabelPng(grayPng(2, 2), 'p.png', { maxPixels: NaN })).toThrow(/maxPixels must be a number ≥ 1/);
  });
});

describe('decoder failures in user terms', () => {
  const png = grayPng(64, 48);
  const NO_INTERNALS = /typed array|DataView|undefined|subarray|libpng read error/i;

  it('a PNG cut inside its image data names the file and where it ends', async () => {
    const cut = png.subarray(0, png.length - 40);
    const want = new RegExp(`^'cut\\.png' is truncated or corrupt: it ends at byte ${cut.length}, inside its image data`);
    expect(() => decodeLabelPng(cut, 'cut.png')).toThrow(want);
    await expect(decodeImage(cut, 'cut.png')).rejects.toThrow(want);
    expect(() => decodeLabelPng(png.subarray(0, 40), 'cut.png')).toThrow(/^'cut\.png' is truncated or corrupt: it ends at byte 40/);
  });

  it('a PNG whose IDAT runs past the end (fast-png said "Invalid typed array length") is reported as cut', async () => {
    const b = Buffer.from(png);
    b.writeUInt32BE(b.readUInt32BE(33) + 1500, 33); // IDAT length now beyond the file
    const { message } = await timedFailure(() => decodeLabelPng(new Uint8Array(b), 'x.png')).then((r) => r.error);
    expect(message).toMatch(/^'x\.png' is truncated or corrupt: it ends at byte \d+, inside its image data/);
    expect(message).not.toMatch(NO_INTERNALS);
  });

  it('a PNG without its IEND: fast-png (labels) refuses it in user terms; libvips (photos) still decodes it, as before', async () => {
    const noEnd = png.subarray(0, png.length - 12);
    expect(() => decodeLabelPng(noEnd, 'x.png')).toThrow(`'x.png' is truncated or corrupt: it ends at byte ${noEnd.length}, before its IEND chunk`);
    expect((await decodeImage(noEnd, 'x.png')).width).toBe(64);
  });

  it('a flipped byte in the image data is a checksum failure, not an inflate message', async () => {
    const bad = Uint8Array.from(png);
    bad[60] = bad[60]! ^ 0xff;
    for (const f of [async () => decodeLabelPng(bad, 'x.png'), () => decodeImage(bad, 'x.png')]) {
      const { error } = await timedFailure(f);
      expect(error).toBeInstanceOf(IOError);
      expect(error.message).toBe("'x.png' is truncated or corrupt: its IDAT chunk at byte 33 fails its checksum");
    }
  });

  it('damaged compressed data with intact checksums: a short reason, no zlib codes or engine errors', async () => {
    const b = Buffer.from(png);
    const len = b.readUInt32BE(33);
    b[41 + 2] = b[41 + 2]! ^ 0xff; // inside the deflate stream
    b.writeUInt32BE(crc32(b.subarray(37, 41 + len)) >>> 0, 41 + len);
    const bad = new Uint8Array(b);
    expect(() => decodeLabelPng(bad, 'x.png')).toThrow("'x.png' is truncated or corrupt: its compressed image data is damaged");
    const { error } = await timedFailure(() => decodeImage(bad, 'x.png'));
    expect(error.message).toMatch(/^'x\.png' is truncated or corrupt: \w/);
    expect(error.message).not.toMatch(NO_INTERNALS);
  });

  it('a truncated JPEG body names the file', async () => {
    const j = await jpeg(64, 48);
    const cut = j.subarray(0, j.length - 200);
    await expect(decodeImage(cut, 'cut.jpg')).rejects.toThrow(IOError);
    await expect(decodeImage(cut, 'cut.jpg')).rejects.toThrow(/^'cut\.jpg' is truncated or corrupt: premature end of JPEG/);
  });

  it('label maps must be PNG: a JPEG is named as such', async () => {
    expect(() => decodeLabelPng(jpegHeader(8, 8), 'l.jpg')).toThrow(/^'l\.jpg' is a JPEG image; label and instance maps must be PNG/);
  });
});

describe('normal files decode exactly as before', () => {
  it('label PNGs give fast-png\'s samples (gray 8/16, palette, low depth)', () => {
    const g8 = grayPng(7, 5);
    expect(decodeLabelPng(g8).data).toEqual(fastPngDecode(g8).data);
    const g16data = Uint16Array.from({ length: 6 * 4 }, (_, i) => i * 2741);
    const g16 = encodePng({ width: 6, height: 4, data: g16data, channels: 1, depth: 16 });
    expect(decodeLabelPng(g16).data).toEqual(g16data);
    const pal = encodePng({
      width: 3, height: 2, data: Uint8Array.from([0, 1, 2, 3, 2, 1]), channels: 1, depth: 8,
      palette: [[0, 0, 0], [255, 0, 0], [0, 255, 0], [0, 0, 255]],
    });
    expect(Array.from(decodeLabelPng(pal).data)).toEqual([0, 1, 2, 3, 2, 1]);
  });

  it('photos give sharp\'s pixels (PNG RGB/RGBA, JPEG baseline and progressive)', async () => {
    const rgb = photo(9, 6);
    const rgbPng = encodePng({ width: 9, height: 6, data: rgb, channels: 3, depth: 8 });
    expect((await decodeImage(rgbPng)).data).toEqual(rgb);
    const rgba = Uint8Array.from({ length: 9 * 6 * 4 }, (_, i) => (i % 4 === 3 ? 7 : rgb[i - (i >> 2)]!));
    expect((await decodeImage(encodePng({ width: 9, height: 6, data: rgba, channels: 4, depth: 8 }))).data).toEqual(rgb);
    for (const progressive of [false, true]) {
      const j = await jpeg(40, 24, progressive);
      const old = await sharp(j, { ignoreIcc: true, failOn: 'truncated', limitInputPixels: false })
        .removeAlpha().toColourspace('srgb').raw().toBuffer();
      expect(Buffer.from((await decodeImage(j)).data)).toEqual(old);
    }
  });

  it('other libvips formats (WebP) still decode, and still meet the limit', async () => {
    const webp = new Uint8Array(await sharp(photo(10, 10), { raw: { width: 10, height: 10, channels: 3 } }).webp({ lossless: true }).toBuffer());
    expect((await decodeImage(webp, 'p.webp')).data).toEqual(photo(10, 10));
    await expect(decodeImage(webp, 'p.webp', { maxPixels: 99 })).rejects.toThrow(
      "'p.webp' is 10×10 = 100 pixels, over the limit of 99 (raise it with --max-pixels)",
    );
  });
});

describe('maxPixels through the file loaders', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'clade-limits-'));
    await writeFile(path.join(dir, 'label.png'), grayPng(16, 8));
    await writeFile(path.join(dir, 'ids.png'), encodePng({ width: 16, height: 8, data: new Uint8Array(128).fill(3), channels: 1, depth: 8 }));
    await writeFile(path.join(dir, 'photo.jpg'), await jpeg(16, 8));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('loadLabelPng, loadLabel and loadImage take { maxPixels }', async () => {
    const label = path.join(dir, 'label.png');
    expect((await loadLabelPng(label)).width).toBe(16);
    await expect(loadLabelPng(label, { maxPixels: 100 })).rejects.toThrow(`'${label}' is 16×8 = 128 pixels, over the limit of 100`);
    await expect(loadLabel(label, { maxPixels: 100 })).rejects.toThrow(/over the limit of 100/);
    await expect(loadImage(path.join(dir, 'photo.jpg'), { maxPixels: 100 })).rejects.toThrow(/photo\.jpg' is 16×8 = 128 pixels/);
  });

  it('prepareSample passes its maxPixels to every file of the pair', async () => {
    const pair = { id: 'a', label: path.join(dir, 'ids.png'), image: path.join(dir, 'photo.jpg') };
    const opts = { label: { labelNc: 8, containDontcare: false }, preprocess: { mode: 'none' as const, loadSize: 16, cropSize: 16 } };
    expect((await prepareSample(pair, opts)).id).toBe('a');
    await expect(prepareSample(pair, { ...opts, maxPixels: 127 })).rejects.toThrow(/ids\.png' is 16×8 = 128 pixels, over the limit of 127/);
  });

  it('inspectDataset reports files over its maxPixels as unreadable, and a bad limit once', async () => {
    const root = path.join(dir, 'coco');
    for (const k of ['label', 'img']) await mkdir(path.join(root, `val_${k}`), { recursive: true });
    await copyFile(path.join(dir, 'ids.png'), path.join(root, 'val_label', 'a.png'));
    await copyFile(path.join(dir, 'photo.jpg'), path.join(root, 'val_img', 'a.jpg'));
    const ok = await inspectDataset('coco', root, { useInstances: false });
    expect(ok.problems).toEqual([]);
    const r = await inspectDataset('coco', root, { useInstances: false, maxPixels: 100 });
    expect(r.problems.map((p) => [p.kind, path.basename(p.file!)])).toEqual([['unreadable', 'a.png'], ['unreadable', 'a.jpg']]);
    expect(r.problems[1]!.message).toMatch(/a\.jpg' is 16×8 = 128 pixels, over the limit of 100 \(raise it with --max-pixels\)$/);
    await expect(inspectDataset('coco', root, { maxPixels: -1 })).rejects.toThrow(ConfigError);
  });
});
