import { copyFile, mkdir, mkdtemp, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { IOError, loadNpyFile } from '@clade/core';
import { describeWithShared, sharedPath } from '@clade/test-utils';
import {
  DATASETS,
  cachedPositionalMaps,
  listDatasetSplits,
  positionalMapPath,
  prepareSample,
  writePositionalMaps,
  type PositionalMapStatus,
} from '../../index';

describe('positionalMapPath: the official cache locations (REFERENCE §5.1 Files)', () => {
  it('ADE20K, COCO-Stuff, Cityscapes and the generic rule', () => {
    const r = '/d';
    expect(positionalMapPath('ade20k', r, '/d/annotations/training/ADE_train_00000001.png')).toBe('/d/distances/training/ADE_train_00000001.npy');
    expect(positionalMapPath('ade20k', r, '/d/x/ADE_val_00000002.png', '/c')).toBe('/c/distances/validation/ADE_val_00000002.npy');
    expect(positionalMapPath('coco', r, '/d/val_label/000000000139.png')).toBe('/d/val_dist/000000000139.npy');
    expect(positionalMapPath('coco', r, '/d/train_label_portrait/7.png')).toBe('/d/train_dist_portrait/7.npy');
    expect(positionalMapPath('cityscapes', r, '/d/gtFine/val/lindau/lindau_000000_000019_gtFine_labelIds.png')).toBe(
      '/d/gtFine/val/lindau/lindau_000000_000019_gtFine_distance.npy',
    );
    expect(positionalMapPath('deepfashion', r, '/d/cihp_train_mask/a.png')).toBe('/d/dist/cihp_train_mask/a.npy');
    expect(() => positionalMapPath('ade20k', r, '/d/ADE_x.png')).toThrow(/neither _train_ nor _val_/);
    expect(() => positionalMapPath('coco', r, '/d/labels/1.png')).toThrow(/not in a \{phase\}_label folder/);
    expect(() => positionalMapPath('cityscapes', r, '/elsewhere/a_gtFine_labelIds.png')).toThrow(/not under the dataset root/);
  });
});

const P2 = 'fixtures/p2_preprocessing';
const IDS = ['000000000139', '000000001503'];

describeWithShared('positional-map cache on a COCO-Stuff tree (p2 labels)', IDS.flatMap((id) => [
  `${P2}/val_${id}_label_orig.png`, `${P2}/val_${id}_dist_orig.npy`,
]), () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'clade-dist-cache-'));
    await mkdir(path.join(root, 'val_label'));
    for (const id of IDS) await copyFile(sharedPath(P2, `val_${id}_label_orig.png`), path.join(root, 'val_label', `${id}.png`));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes official val_dist/*.npy equal to cal_dist_masks, skips up-to-date maps, rewrites stale ones', async () => {
    const splits = await listDatasetSplits('coco', root, { requireImages: false, useInstances: false });
    expect(splits.map((s) => [s.phase, s.pairs.length])).toEqual([['val', 2]]);
    const pairs = splits[0]!.pairs;
    const seen: PositionalMapStatus[] = [];
    const first = await writePositionalMaps('coco', root, pairs, { onProgress: (_d, _n, _p, s) => seen.push(s) });
    expect(first).toEqual({ total: 2, written: 2, upToDate: 0, failed: [] });
    expect(seen).toEqual(['written', 'written']);
    for (const id of IDS) {
      const got = await loadNpyFile(path.join(root, 'val_dist', `${id}.npy`));
      const want = await loadNpyFile(sharedPath(P2, `val_${id}_dist_orig.npy`));
      expect(got.shape).toEqual(want.shape);
      expect(got.dtype).toBe('float32');
      let d = 0;
      for (let i = 0; i < got.data.length; i++) d = Math.max(d, Math.abs((got.data[i] as number) - (want.data[i] as number)));
      expect(d).toBe(0); // bit-identical; the contract is 1e-5
    }
    expect(await writePositionalMaps('coco', root, pairs)).toMatchObject({ written: 0, upToDate: 2 });
    const label = pairs[1]!.label;
    const later = new Date((await stat(path.join(root, 'val_dist', `${IDS[1]}.npy`))).mtimeMs + 5000);
    await utimes(label, later, later);
    expect(await writePositionalMaps('coco', root, pairs)).toMatchObject({ written: 1, upToDate: 1 });
    expect(await writePositionalMaps('coco', root, pairs, { force: true })).toMatchObject({ written: 2, upToDate: 0 });
  });

  it('cachedPositionalMaps feeds prepareSample the same map as computing it on the fly', async () => {
    const pair = { id: IDS[1]!, label: path.join(root, 'val_label', `${IDS[1]}.png`) };
    const opts = { label: DATASETS.coco.label, preprocess: { mode: 'resize_and_crop' as const, loadSize: 64, cropSize: 64 } };
    const fly = await prepareSample(pair, { ...opts, positional: true });
    const cached = await prepareSample(pair, { ...opts, positional: cachedPositionalMaps(root, 'coco') });
    expect(cached.positional).toEqual(fly.positional);

    const cacheRoot = path.join(root, 'cache');
    await expect(prepareSample(pair, { ...opts, positional: cachedPositionalMaps(root, 'coco', { cacheRoot }) })).rejects.toThrow(
      /no positional map '.*cache\/val_dist\/000000001503\.npy' .*run `clade data dist-maps .* --dataset coco`/,
    );
    const written = await prepareSample(pair, { ...opts, positional: cachedPositionalMaps(root, 'coco', { cacheRoot, onMissing: 'write' }) });
    expect(written.positional).toEqual(fly.positional);
    expect((await stat(path.join(cacheRoot, 'val_dist', `${IDS[1]}.npy`))).isFile()).toBe(true);
    // A corrupt cache file is an error, not a silent recompute.
    await copyFile(pair.label, path.join(cacheRoot, 'val_dist', `${IDS[1]}.npy`));
    await expect(prepareSample(pair, { ...opts, positional: cachedPositionalMaps(root, 'coco', { cacheRoot, onMissing: 'compute' }) }))
      .rejects.toThrow(IOError);
  });
});
