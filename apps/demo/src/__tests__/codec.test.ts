import { createMask } from '../lib/label-mask';
import { decodeMaskPixels, maskToColorRgba, maskToRawRgba, rgbToRgba } from '../lib/mask-codec';
import { colorLookup, colorOf, demoClasses, ERASE_ID, nearestColorId } from '../lib/palette';
import { formatMs, LatencyWindow, median } from '../lib/stats';

describe('palette', () => {
  it('lists the synthetic-scene classes first, every ADE20K class once, other last', () => {
    const cls = demoClasses();
    expect(cls.slice(0, 5).map((c) => c.name)).toEqual(['sky', 'tree', 'grass', 'mountain', 'water']);
    expect(cls.filter((c) => c.featured)).toHaveLength(15);
    expect(new Set(cls.map((c) => c.id)).size).toBe(151);
    expect(cls[cls.length - 1]!.id).toBe(ERASE_ID);
    expect(cls[0]!.rgb).toEqual([0, 0, 128]); // sky = 3 in the SPADE colormap
  });

  it('maps colours to ids both ways', () => {
    const lut = colorLookup();
    expect(lut.size).toBe(151);
    for (const id of [0, 3, 17, 150]) {
      const [r, g, b] = colorOf(id);
      expect(lut.get((r << 16) | (g << 8) | b)).toBe(id);
      expect(nearestColorId(Math.min(255, r + 3), g, Math.max(0, b - 2))).toBe(id);
    }
  });
});

describe('mask codec', () => {
  const mask = createMask(3, 2);
  mask.ids.set([3, 5, 10, 17, 0, 150]);

  it('round-trips raw-id and colour PNG pixels, telling them apart automatically', () => {
    const raw = decodeMaskPixels(maskToRawRgba(mask), 3, 2);
    expect(raw.encoding).toBe('raw');
    expect(Array.from(raw.mask.ids)).toEqual(Array.from(mask.ids));
    const col = decodeMaskPixels(maskToColorRgba(mask), 3, 2);
    expect(col.encoding).toBe('color');
    expect(col.approximated).toBe(0);
    expect(Array.from(col.mask.ids)).toEqual(Array.from(mask.ids));
  });

  it('takes off-palette colours to the nearest class and counts them', () => {
    const px = maskToColorRgba(mask);
    px[0] = px[0]! + 4; // pixel 0 (sky) slightly off
    const d = decodeMaskPixels(px, 3, 2, 'color');
    expect(d.approximated).toBe(1);
    expect(d.mask.ids[0]).toBe(3);
  });

  it('reads grey values above 150 as a colour mask in auto, and refuses them as raw', () => {
    const px = new Uint8ClampedArray([200, 200, 200, 255]);
    expect(decodeMaskPixels(px, 1, 1).encoding).toBe('color');
    expect(() => decodeMaskPixels(px, 1, 1, 'raw')).toThrow(/raw ids must be 0..150 \(ADE20K\), got 200 at \(0,0\)/);
    expect(() => decodeMaskPixels(px, 2, 1)).toThrow(/expected 2x1x4 = 8 RGBA values, got 4/);
  });

  it('shows the runtime 8-bit image as opaque RGBA', () => {
    expect(Array.from(rgbToRgba([0, 127, 255, 255, 0, 254]))).toEqual([0, 127, 255, 255, 255, 0, 254, 255]);
  });
});

describe('stats and z', () => {
  it('medians, formats and windows latencies after warm-up', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(/needs at least one value/);
    expect(formatMs(3.14159)).toBe('3.1 ms');
    expect(formatMs(84.4)).toBe('84 ms');
    expect(formatMs(1240)).toBe('1.24 s');
    const w = new LatencyWindow(3, 1);
    [1000, 10, 30, 20, 40].forEach((x) => w.add(x));
    expect(w.count).toBe(3);
    expect(w.median).toBe(30);
  });
});
