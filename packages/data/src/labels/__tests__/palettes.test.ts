import { readdir, readFile } from 'node:fs/promises';
import { IOError } from '@clade/core';
import { describeWithShared, sharedPath } from '@clade/test-utils';
import {
  ADE20K_CLASS_NAMES,
  ADE20K_PALETTE,
  CITYSCAPES_LABELS,
  CITYSCAPES_PALETTE,
  colorPalette,
  DATASETS,
  prepareSample,
  decodeColorLabel,
  encodeColorLabel,
  loadColorLabel,
  loadLabel,
  loadLabelPng,
  resizeNearestPil,
  spadeLabelColormap,
  type RgbImage,
} from '../../index';

const FIG = 'data/paper_figures';
const rgbOf = (p: { colors: Uint8Array }, id: number) => Array.from(p.colors.subarray(3 * id, 3 * id + 3));

describe('palettes', () => {
  it("SPADE's labelcolormap: bits of id + 1 dealt to R, G, B from the top bit; 151 distinct ADE colours", () => {
    const m = spadeLabelColormap(9);
    expect(Array.from(m)).toEqual([128, 0, 0, 0, 128, 0, 128, 128, 0, 0, 0, 128, 128, 0, 128, 0, 128, 128, 128, 128, 128, 64, 0, 0, 192, 0, 0]);
    expect(rgbOf(ADE20K_PALETTE, 3)).toEqual([0, 0, 128]); // sky
    const keys = new Set<number>();
    for (let i = 0; i < 151; i++) keys.add(ADE20K_PALETTE.colors[3 * i]! * 65536 + ADE20K_PALETTE.colors[3 * i + 1]! * 256 + ADE20K_PALETTE.colors[3 * i + 2]!);
    expect(keys.size).toBe(151);
    expect(() => spadeLabelColormap(0)).toThrow(/n must be an integer/);
    expect(colorPalette('cityscapes')).toBe(CITYSCAPES_PALETTE);
    expect(() => colorPalette('coco')).toThrow(/palette must be one of ade20k, cityscapes; got 'coco'/);
  });

  it('the Cityscapes labels table: 34 labelIds 0..33, 19 train ids, known colours', () => {
    expect(CITYSCAPES_LABELS.map((l) => l.id)).toEqual(Array.from({ length: 34 }, (_, i) => i));
    expect(CITYSCAPES_LABELS.filter((l) => l.trainId !== 255).map((l) => l.trainId)).toEqual(Array.from({ length: 19 }, (_, i) => i));
    expect(CITYSCAPES_LABELS[7]).toMatchObject({ name: 'road', color: [128, 64, 128] });
    expect(CITYSCAPES_LABELS[26]).toMatchObject({ name: 'car', trainId: 13, color: [0, 0, 142] });
    expect(CITYSCAPES_PALETTE.colors.length).toBe(34 * 3);
  });

  it('decodes exactly, counts ambiguous colours, refuses unknown colours, maps lossy ones within a tolerance', () => {
    const ids = Uint8Array.from([0, 1, 4, 7, 17, 18, 26, 33]);
    const rgb = encodeColorLabel({ width: 4, height: 2, data: ids }, CITYSCAPES_PALETTE);
    const d = decodeColorLabel(rgb, CITYSCAPES_PALETTE);
    expect(Array.from(d.data)).toEqual([0, 0, 0, 7, 17, 17, 26, 33]); // 0..4 share black, 17/18 share grey
    expect(d.match).toEqual({ exact: 8, nearest: 0, maxDistance: 0, ambiguous: 5 });

    const noisy: RgbImage = { ...rgb, data: rgb.data.map((v, i) => Math.min(255, Math.max(0, v + ((i * 7) % 5) - 2))) };
    expect(() => decodeColorLabel(noisy, CITYSCAPES_PALETTE, { source: 'x.jpg' })).toThrow(IOError);
    expect(() => decodeColorLabel(noisy, CITYSCAPES_PALETTE, { source: 'x.jpg' })).toThrow(
      /'x\.jpg' has \d+ pixels in \d+ colours that are not in the cityscapes palette \(\(\d+,\d+,\d+\) 1 px.*tolerance 0\)\. Pass a tolerance/,
    );
    const lossy = decodeColorLabel(noisy, CITYSCAPES_PALETTE, { tolerance: 4 });
    expect(Array.from(lossy.data)).toEqual(Array.from(d.data));
    expect(lossy.match.nearest).toBeGreaterThan(0);
    expect(lossy.match.maxDistance).toBeGreaterThan(0);
    expect(lossy.match.maxDistance).toBeLessThanOrEqual(4);
    const far: RgbImage = { width: 1, height: 1, data: Uint8Array.from([255, 255, 255]) };
    expect(() => decodeColorLabel(far, ADE20K_PALETTE, { tolerance: 20 })).toThrow(/\(255,255,255\) 1 px; up to [\d.]+ away, tolerance 20\)/);
    expect(() => encodeColorLabel({ width: 1, height: 1, data: Uint8Array.from([34]) }, CITYSCAPES_PALETTE)).toThrow(/outside the cityscapes palette/);
  });
});

describeWithShared('ADE20K class names', ['data/ade20k_sceneparsing/objectInfo150.txt'], () => {
  it('equal the first synonym of each objectInfo150.txt row; 0 is other', async () => {
    const rows = (await readFile(sharedPath('data/ade20k_sceneparsing/objectInfo150.txt'), 'utf8')).trim().split('\n').slice(1);
    expect(ADE20K_CLASS_NAMES).toHaveLength(151);
    expect(ADE20K_CLASS_NAMES[0]).toBe('other');
    expect(ADE20K_CLASS_NAMES.slice(1)).toEqual(rows.map((r) => r.split('\t')[4]!.split(',')[0]!.trim()));
  });
});

describeWithShared('colour label figures (SEAN paper)', [`${FIG}/ADE/label`, `${FIG}/ADE_outdoor/label`, `${FIG}/CityScape/label`], () => {
  it('ADE and ADE-outdoor: every pixel is exactly an ADE/SPADE palette colour; decoding is lossless', async () => {
    let pixels = 0;
    for (const set of ['ADE', 'ADE_outdoor']) {
      const dir = sharedPath(FIG, set, 'label');
      const files = (await readdir(dir)).sort();
      expect(files).toHaveLength(set === 'ADE' ? 11 : 8);
      for (const f of files) {
        const m = await loadColorLabel(`${dir}/${f}`, ADE20K_PALETTE);
        expect(m.match).toEqual({ exact: 65536, nearest: 0, maxDistance: 0, ambiguous: 0 });
        expect(Math.max(...m.data)).toBeLessThanOrEqual(150);
        // Back to colours: the same bytes as the figure.
        const rgb = encodeColorLabel(m, ADE20K_PALETTE);
        const png = await loadLabel(`${dir}/${f}`, { palette: ADE20K_PALETTE });
        expect(Buffer.from(png.data).equals(Buffer.from(m.data))).toBe(true);
        expect(rgb.data.length).toBe(3 * 65536);
        pixels += m.data.length;
        // Outdoor scenes: the top 10 rows are mostly sky (raw 3), which only the id + 1 colormap gives.
        if (set === 'ADE_outdoor' && f !== 'ADE_val_00000291.png')
          expect(m.data.subarray(0, 2560).filter((v) => v === 3).length).toBeGreaterThan(1280);
      }
    }
    expect(pixels).toBe(19 * 65536);
  });

  it('Cityscapes: RGBA PNGs (not JPEG), every pixel exactly a palette colour; one equals the real labelIds resized by PIL NEAREST', async () => {
    const dir = sharedPath(FIG, 'CityScape', 'label');
    const files = (await readdir(dir)).sort();
    expect(files).toHaveLength(8);
    for (const f of files) {
      const m = await loadColorLabel(`${dir}/${f}`, CITYSCAPES_PALETTE);
      expect([m.width, m.height, m.match.exact, m.match.nearest]).toEqual([512, 256, 512 * 256, 0]);
    }
    const real = sharedPath('data/cityscapes/test_label/frankfurt_000000_011810_gtFine_labelIds.png');
    const fig = await loadColorLabel(`${dir}/frankfurt_000000_011810_leftImg8bit.png`, CITYSCAPES_PALETTE);
    const resized = resizeNearestPil(await loadLabelPng(real), 512, 256); // the `fixed` 512x256 test geometry
    const canonical = (v: number) => (v <= 4 ? 0 : v === 18 ? 17 : v); // ids the palette cannot tell apart
    let mismatches = 0;
    for (let i = 0; i < resized.data.length; i++) if (canonical(resized.data[i]!) !== fig.data[i]) mismatches++;
    expect(mismatches).toBe(0);
    expect(fig.match.ambiguous).toBe(17528); // black (ids 0-4) and grey (17/18) pixels
  });

  it('prepareSample decodes colour-coded labels with colorLabels (ADE: channel = raw value)', async () => {
    const label = sharedPath(FIG, 'ADE/label/ADE_val_00000090.png');
    const pair = { id: 'ADE_val_00000090', label, image: sharedPath(FIG, 'ADE/gt/ADE_val_00000090.jpg') };
    const opts = { label: DATASETS.ade20k.label, preprocess: DATASETS.ade20k.test };
    const s = await prepareSample(pair, { ...opts, colorLabels: { palette: ADE20K_PALETTE }, positional: true });
    const ids = await loadColorLabel(label, ADE20K_PALETTE);
    expect(Array.from(s.classes)).toEqual(Array.from(ids.data)); // 256x256 already: no resize
    expect(s.image).toHaveLength(256 * 256 * 3);
    await expect(prepareSample(pair, opts)).rejects.toThrow(/must be a single-channel .* got RGB; colour label maps need a palette/);
  });
});
