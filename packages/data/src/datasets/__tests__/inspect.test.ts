import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describeWithShared, sharedPath } from '@clade/test-utils';
import { CITYSCAPES_PALETTE, inspectDataset } from '../../index';
import { makePng } from '../../__tests__/helpers/make-png';

const COCO = 'data/coco_stuff';
const ID = '000000001503'; // 320x240, the smallest COCO sample

describeWithShared('inspectDataset', [`${COCO}/val_label/${ID}.png`, `${COCO}/val_img/${ID}.jpg`, 'data/ade20k_sceneparsing/annotations'], () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'clade-inspect-'));
    for (const k of ['label', 'img', 'inst']) await mkdir(path.join(root, `val_${k}`));
    const real = (k: string, ext: string) => sharedPath(COCO, `val_${k}`, `${ID}.${ext}`);
    const put = (k: string, name: string, bytes: Uint8Array | Buffer) => writeFile(path.join(root, `val_${k}`, name), bytes);
    const cp = (k: string, ext: string, name: string) => copyFile(real(k, ext), path.join(root, `val_${k}`, `${name}.${ext}`));
    // a: a good triplet. b: truncated label. c: raw id 200 (COCO has 0..181 + 255) and a photo of
    // another aspect ratio. d: truncated photo. e: photo without label. f: label without photo.
    for (const n of ['a', 'b', 'c', 'd']) await cp('inst', 'png', n);
    await cp('label', 'png', 'a');
    await cp('img', 'jpg', 'a');
    const labelBytes = await readFile(real('label', 'png'));
    await put('label', 'b.png', labelBytes.subarray(0, labelBytes.length >> 1));
    await cp('img', 'jpg', 'b');
    const small = makePng(4, 2, 8, 0, [Uint8Array.from([0, 1, 200, 200]), Uint8Array.from([255, 1, 200, 3])]);
    await put('label', 'c.png', small);
    await put('inst', 'c.png', small);
    await cp('img', 'jpg', 'c');
    await put('label', 'd.png', makePng(4, 3, 8, 0, [0, 1, 2].map(() => Uint8Array.from([5, 5, 6, 6]))));
    await put('inst', 'd.png', makePng(4, 3, 8, 0, [0, 1, 2].map(() => Uint8Array.from([1, 1, 2, 2]))));
    const jpg = await readFile(real('img', 'jpg'));
    await put('img', 'd.jpg', jpg.subarray(0, jpg.length >> 1));
    await cp('img', 'jpg', 'e');
    await put('label', 'f.png', small);
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reports missing pairs, unreadable/truncated files, ids out of range and size mismatches; never throws', async () => {
    const r = await inspectDataset('coco', root);
    expect(r.phases).toEqual({ val: 4 });
    expect([r.pairs, r.labelsRead]).toEqual([4, 3]);
    expect(r.problems.map((p) => [p.kind, p.id])).toEqual([
      ['missing-pair', 'f'], ['missing-pair', 'e'],
      ['unreadable', 'b'], ['id-out-of-range', 'c'], ['size-mismatch', 'c'], ['unreadable', 'd'],
    ]);
    const [f, e, b, c, cSize, d] = r.problems;
    expect(f!.message).toBe("val: sample 'f' has no image.");
    expect(e!.message).toBe("val: sample 'e' has no label.");
    expect(b).toMatchObject({ file: path.join(root, 'val_label/b.png') });
    expect(b!.message).toMatch(/b\.png' is not a readable PNG|b\.png' is truncated/);
    expect(c).toMatchObject({ file: path.join(root, 'val_label/c.png'), values: [{ id: 200, pixels: 3 }] });
    expect(c!.message).toMatch(/c\.png' has raw values outside \[0, 182\] for labelNc 182: 200 \(3 px\)\.$/);
    expect(cSize!.message).toMatch(/image '.*c\.jpg' is 320x240, label '.*c\.png' is 4x2 \(aspect ratios differ: the loader refuses it\)\./);
    expect(d).toMatchObject({ kind: 'unreadable', file: path.join(root, 'val_img/d.jpg') });
    expect(d!.message).toMatch(/'.*d\.jpg' is truncated or corrupt: /);

    expect(r.labelSizes).toEqual([{ width: 4, height: 2, count: 1 }, { width: 4, height: 3, count: 1 }, { width: 320, height: 240, count: 1 }]);
    expect(r.pixels).toBe(320 * 240 + 8 + 12);
    expect(r.classes.reduce((s, k) => s + k.share, 0)).toBeCloseTo(1, 12);
    expect(r.classes.find((k) => k.id === 200)).toMatchObject({ pixels: 3, images: 1 });
    expect(r.classes.find((k) => k.id === 255)).toMatchObject({ name: 'dontcare', images: 2 });
    expect(r.classes.find((k) => k.id === 5)).toMatchObject({ pixels: 6, images: 1 }); // no name table for COCO: ids

    const labelOnly = await inspectDataset('coco', root, { requireImages: false, checkImages: false, useInstances: false });
    expect(labelOnly.problems.map((p) => [p.kind, p.id])).toEqual([
      ['missing-pair', 'e'], ['unreadable', 'b'], ['id-out-of-range', 'c'], ['id-out-of-range', 'f'],
    ]);
  });

  it('names ADE20K classes from the bundled table; the shared samples have no problems', async () => {
    const r = await inspectDataset('ade20k', sharedPath('data/ade20k_sceneparsing'));
    expect([r.pairs, r.problems]).toEqual([3, []]);
    expect(r.classes.find((k) => k.id === 3)).toMatchObject({ name: 'sky', images: 3 });
    expect(r.classes[0]).toMatchObject({ id: 0, name: 'other' });
  });

  it('colour-coded labels (SEAN Cityscapes figures as a custom layout) get ids and the palette class names', async () => {
    const dir = path.join(root, 'figures');
    await mkdir(dir);
    await symlink(sharedPath('data/paper_figures/CityScape/label'), path.join(dir, 'label'));
    await symlink(sharedPath('data/paper_figures/CityScape/gt'), path.join(dir, 'image'));
    const r = await inspectDataset('custom', dir, {
      label: { labelNc: 35, containDontcare: false }, colorLabels: { palette: CITYSCAPES_PALETTE },
    });
    expect([r.pairs, r.labelsRead, r.problems]).toEqual([8, 8, []]);
    expect(r.labelSizes).toEqual([{ width: 512, height: 256, count: 8 }]);
    expect(r.classes.find((k) => k.id === 7)).toMatchObject({ name: 'road', images: 8 });
    expect(r.classes.every((k) => k.id <= 33 && k.name !== undefined)).toBe(true);
  });
});
