import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { IOError } from '@clade/core';
import { describeWithShared, sharedPath } from '@clade/test-utils';
import {
  DATASETS,
  labelHistogram,
  listAde20k,
  listCelebAMaskHq,
  listCityscapes,
  listCocoStuff,
  listCustom,
  listDataset,
  listDeepFashion,
  loadLabelPng,
  mapLabelValues,
  prepareSample,
} from '../../index';
import { makePng } from '../../__tests__/helpers/make-png';

const ids = (l: { pairs: Array<{ id: string }> }) => l.pairs.map((p) => p.id);

describeWithShared('COCO-Stuff samples', ['data/coco_stuff/val_label', 'data/coco_stuff/train_label'], () => {
  const root = sharedPath('data/coco_stuff');

  it('lists 8 val and 13 train triplets, sorted', async () => {
    const val = await listCocoStuff(root, { phase: 'val' });
    expect(ids(val)).toEqual([
      '000000000139', '000000000785', '000000001268', '000000001490',
      '000000001503', '000000001584', '000000001818', '000000001993',
    ]);
    expect(val.pairs[0]).toEqual({
      id: '000000000139',
      label: path.join(root, 'val_label/000000000139.png'),
      image: path.join(root, 'val_img/000000000139.jpg'),
      instance: path.join(root, 'val_inst/000000000139.png'),
    });
    expect((await listCocoStuff(root, { phase: 'test' })).pairs).toEqual(val.pairs);
    expect((await listDataset('coco', root)).pairs).toHaveLength(13);
  });

  it('val 000000000139 has 25 distinct raw values; every label maps into 0..182 (255 → 182)', async () => {
    const { pairs } = await listCocoStuff(root, { phase: 'val' });
    const distinct: number[] = [];
    for (const p of pairs) {
      const raw = await loadLabelPng(p.label);
      const hist = labelHistogram(raw);
      distinct.push(hist.size);
      expect(hist.has(255)).toBe(true);
      const mapped = mapLabelValues(raw, DATASETS.coco.label, p.label);
      expect(Math.max(...new Set(mapped.data))).toBe(182);
    }
    expect(distinct).toEqual([25, 5, 19, 8, 11, 7, 3, 12]); // REFERENCE §13 table
  });
});

describeWithShared('ADE20K samples (sceneparsing layout)', ['data/ade20k_sceneparsing/annotations'], () => {
  const root = sharedPath('data/ade20k_sceneparsing');

  it('lists the 3 val pairs; annotations are ids in 0..150', async () => {
    const val = await listAde20k(root, { phase: 'val' });
    expect(ids(val)).toEqual(['ADE_val_00000001', 'ADE_val_00000002', 'ADE_val_00000003']);
    expect(val.pairs[1]!.image).toBe(path.join(root, 'images/ADE_val_00000002.jpg'));
    expect((await listAde20k(root, { phase: 'train' })).pairs).toEqual([]);
    for (const p of val.pairs) {
      const raw = await loadLabelPng(p.label);
      expect(Math.max(...labelHistogram(raw).keys())).toBeLessThanOrEqual(150);
      expect(() => mapLabelValues(raw, DATASETS.ade20k.label, p.label)).not.toThrow();
    }
    expect(ids(await listAde20k(root, { phase: 'val', only: ['ADE_val_00000002'] }))).toEqual(['ADE_val_00000002']);
  });
});

describeWithShared('Cityscapes samples (flat layout)', ['data/cityscapes/train_label', 'data/cityscapes/test_label'], () => {
  const root = sharedPath('data/cityscapes');

  it('pairs 8 train label/instance/photo triplets on city_seq_frame', async () => {
    const train = await listCityscapes(root);
    expect(train.pairs).toHaveLength(8);
    expect(train.pairs[0]).toEqual({
      id: 'aachen_000000_000019',
      label: path.join(root, 'train_label/aachen_000000_000019_gtFine_labelIds.png'),
      instance: path.join(root, 'train_inst/aachen_000000_000019_gtFine_instanceIds.png'),
      image: path.join(root, 'train_img/aachen_000000_000019_leftImg8bit.png'),
    });
    // Two full-size decodes only: PNG unfiltering is slow inside jest's vm realm (fine in plain Node).
    for (const p of [train.pairs[0]!, train.pairs[7]!]) {
      const values = [...labelHistogram(await loadLabelPng(p.label)).keys()];
      expect(values[0]).toBeGreaterThanOrEqual(0);
      expect(values[values.length - 1]).toBeLessThanOrEqual(33);
    }
  });

  it('the 15 label-only test samples need requireImages false; labelIds are 0..33', async () => {
    await expect(listCityscapes(root, { phase: 'test' })).rejects.toThrow(
      /listCityscapes .* unpaired samples: 15 with no image \(frankfurt_000000_000576, .*\(15 in all\)\)\. Pass skipMissing/,
    );
    const skipped = await listCityscapes(root, { phase: 'test', skipMissing: true });
    expect(skipped.pairs).toEqual([]);
    expect(skipped.skipped).toHaveLength(15);
    const test = await listCityscapes(root, { phase: 'test', requireImages: false });
    expect(test.pairs).toHaveLength(15);
    const raw = await loadLabelPng(test.pairs[0]!.label);
    const values = [...labelHistogram(raw).keys()];
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThanOrEqual(33);
    expect(() => mapLabelValues(raw, DATASETS.cityscapes.label)).not.toThrow();
  });
});

describeWithShared('CelebAMask-HQ samples', ['data/celebamask_hq/0.png'], () => {
  it('pairs the 4 demo samples; masks are ids in 0..18', async () => {
    const l = await listCelebAMaskHq(sharedPath('data/celebamask_hq'));
    expect(ids(l)).toEqual(['0', '1', '2', '3']);
    for (const p of l.pairs) {
      const raw = await loadLabelPng(p.label);
      expect(Math.max(...labelHistogram(raw).keys())).toBeLessThanOrEqual(18);
      expect(() => mapLabelValues(raw, DATASETS.celebamask.label, p.label)).not.toThrow();
    }
  });
});

describeWithShared('custom layout', ['data/coco_stuff/val_label'], () => {
  it('pairs label, image and instance folders on stems', async () => {
    const l = await listCustom({
      labelDir: sharedPath('data/coco_stuff/val_label'),
      imageDir: sharedPath('data/coco_stuff/val_img'),
      instanceDir: sharedPath('data/coco_stuff/val_inst'),
    });
    expect(l.pairs).toHaveLength(8);
    const noImages = await listCustom({ labelDir: sharedPath('data/coco_stuff/val_label') });
    expect(noImages.pairs[0]!.image).toBeUndefined();
  });
});

describe('official on-disk layouts (temporary trees of empty files)', () => {
  let root: string;
  const touch = async (rel: string) => {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), '');
  };
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'clade-data-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('ADE20K ADEChallengeData2016: phase from the file name, recursive', async () => {
    for (const f of ['images/training/ADE_train_00000002.jpg', 'images/training/ADE_train_00000001.jpg',
      'annotations/training/ADE_train_00000001.png', 'annotations/training/ADE_train_00000002.png',
      'images/validation/ADE_val_00000001.jpg', 'annotations/validation/ADE_val_00000001.png', 'objectInfo150.txt'])
      await touch(f);
    expect(ids(await listAde20k(root))).toEqual(['ADE_train_00000001', 'ADE_train_00000002']);
    expect(ids(await listDataset('ade20k', root, { phase: 'test' }))).toEqual(['ADE_val_00000001']);
    await touch('images/training/ADE_train_00000003.jpg');
    await expect(listAde20k(root)).rejects.toThrow(/1 with no label \(ADE_train_00000003\)/);
  });

  it('Cityscapes gtFine/leftImg8bit: pairs on city_seq_frame across city folders', async () => {
    for (const s of ['aachen_000000_000019', 'bochum_000000_000313']) {
      const city = s.split('_')[0]!;
      await touch(`gtFine/train/${city}/${s}_gtFine_labelIds.png`);
      await touch(`gtFine/train/${city}/${s}_gtFine_instanceIds.png`);
      await touch(`gtFine/train/${city}/${s}_gtFine_color.png`);
      await touch(`leftImg8bit/train/${city}/${s}_leftImg8bit.png`);
    }
    const l = await listCityscapes(root);
    expect(ids(l)).toEqual(['aachen_000000_000019', 'bochum_000000_000313']);
    expect(l.pairs[1]!.image).toBe(path.join(root, 'leftImg8bit/train/bochum/bochum_000000_000313_leftImg8bit.png'));
    await rm(path.join(root, 'gtFine/train/bochum/bochum_000000_000313_gtFine_instanceIds.png'));
    await expect(listCityscapes(root)).rejects.toThrow(/1 with no instance map \(bochum_000000_000313\)/);
    expect((await listCityscapes(root, { useInstances: false })).pairs).toHaveLength(2);
  });

  it('COCO-Stuff portraits join training unless noPortraits; duplicates are an error', async () => {
    for (const k of ['label', 'img', 'inst']) {
      const ext = k === 'img' ? 'jpg' : 'png';
      await touch(`train_${k}/1.${ext}`);
      await touch(`train_${k}_portrait/2.${ext}`);
    }
    expect(ids(await listCocoStuff(root))).toEqual(['1', '2']);
    expect(ids(await listCocoStuff(root, { noPortraits: true }))).toEqual(['1']);
    await touch('train_label_portrait/1.png');
    await expect(listCocoStuff(root)).rejects.toThrow(/two files share the sample id '1'/);
  });

  it('CelebAMask-HQ SEAN layout and a missing root', async () => {
    await touch('test/images/7.jpg');
    await touch('test/labels/7.png');
    expect(ids(await listCelebAMaskHq(root, { phase: 'test' }))).toEqual(['7']);
    await expect(listCocoStuff(path.join(root, 'nope'))).rejects.toThrow(IOError);
    await expect(listCocoStuff(path.join(root, 'nope'))).rejects.toThrow(/is not a directory/);
    await symlink(path.join(root, 'missing.png'), path.join(root, 'test/labels/8.png'));
    expect(ids(await listCelebAMaskHq(root, { phase: 'test' }))).toEqual(['7']); // dangling link ignored
  });

  it('DeepFashion as SMIS prepares it: cihp_{train,test}_mask + {train,test}, 8 classes', async () => {
    // Real files this time: an 8x4 mask with ids 0..7 and a photo of the same size.
    const mask = makePng(8, 4, 8, 0, [0, 1, 2, 3].map((y) => Uint8Array.from({ length: 8 }, (_, x) => (x + y) % 8)));
    const photo = makePng(8, 4, 8, 2, [0, 1, 2, 3].map(() => new Uint8Array(24).fill(128)));
    for (const phase of ['train', 'test']) {
      await mkdir(path.join(root, `cihp_${phase}_mask`), { recursive: true });
      await mkdir(path.join(root, phase), { recursive: true });
      await writeFile(path.join(root, `cihp_${phase}_mask`, `${phase}_0001.png`), mask);
      await writeFile(path.join(root, phase, `${phase}_0001.png`), photo);
    }
    await touch('train/train_0002.jpg');
    await touch('cihp_train_mask/train_0002.png');
    const train = await listDeepFashion(root);
    expect(ids(train)).toEqual(['train_0001', 'train_0002']);
    expect(train.pairs[0]).toEqual({
      id: 'train_0001',
      label: path.join(root, 'cihp_train_mask/train_0001.png'),
      image: path.join(root, 'train/train_0001.png'),
    });
    const test = await listDataset('deepfashion', root, { phase: 'val' }); // val reads test, as SMIS does
    expect(ids(test)).toEqual(['test_0001']);
    expect(DATASETS.deepfashion.label).toEqual({ labelNc: 8, containDontcare: false });
    const s = await prepareSample(test.pairs[0]!, { label: DATASETS.deepfashion.label, preprocess: DATASETS.deepfashion.test });
    expect(s.width).toBe(256);
    expect(new Set(s.classes)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7]));
    // Id 8 is out of range for 8 classes (no dontcare): an error naming the file, id and count.
    await writeFile(path.join(root, 'cihp_test_mask/test_0001.png'), makePng(2, 1, 8, 0, [Uint8Array.from([8, 0])]));
    await writeFile(path.join(root, 'test/test_0001.png'), makePng(2, 1, 8, 0, [Uint8Array.from([0, 0])]));
    await expect(prepareSample(test.pairs[0]!, { label: DATASETS.deepfashion.label, preprocess: DATASETS.deepfashion.test }))
      .rejects.toThrow(/\[0, 7\] .*test_0001\.png' has raw values 8 \(1 px\)/);
    await touch('test/test_0009.jpg');
    await expect(listDeepFashion(root, { phase: 'test' })).rejects.toThrow(/1 with no label \(test_0009\)/);
    await expect(listDeepFashion(root, { phase: 'dev' })).rejects.toThrow(/phase must be one of train, test, val; got 'dev'/);
  });
});
