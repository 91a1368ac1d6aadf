import { profileReport } from '../commands/profile';
import { expectUserError, runAll } from './run-cli';

// Official counts: the official modules built with ngf 64 (REFERENCE §16.1).
const OFFICIAL: Array<[string, string, number]> = [
  ['ade20k', 'spade', 96_492_483],
  ['coco', 'spade', 97_480_899],
  ['cityscapes', 'spade', 93_048_003],
  ['ade20k', 'clade', 71_427_267],
  ['coco', 'clade', 72_505_383],
  ['cityscapes', 'clade', 67_901_991],
  ['ade20k', 'clade-icpe', 71_427_375],
  ['ade20k-outdoor', 'clade', 71_427_267],
];

describe('clade profile', () => {
  it.each(OFFICIAL)('%s %s has the official parameter count', (preset, norm, params) => {
    expect(profileReport({ preset, norm }).params.total).toBe(params);
  });

  it('splits backbone and norm, and lands on the paper Table I FLOPs', () => {
    const spade = profileReport({ preset: 'ade20k', norm: 'spade' });
    expect(spade.params).toEqual({ total: 96_492_483, backbone: 68_122_179, norm: 28_370_304 });
    expect(spade.flops.backbone + spade.flops.norm).toBe(spade.flops.total);
    expect(spade.flops.total / 1e9).toBeCloseTo(181.3, 0);
    expect(spade.paper).toMatchObject({ paramsM: 96.5, flopsG: 181.3 });
    expect(profileReport({ preset: 'ade20k', norm: 'clade' }).flops.total / 1e9).toBeCloseTo(42.2, 0);
    // Not the measured config: no paper figure.
    expect(profileReport({ preset: 'ade20k', norm: 'clade', ngf: '32' }).paper).toBeNull();
  });

  it('through the real CLI: --json keys, the table with the paper figure, errors', async () => {
    const [json, table, bad, noNorm] = await runAll([
      ['profile', '--preset', 'coco', '--norm', 'clade', '--json'],
      ['profile', '--preset', 'cityscapes', '--norm', 'spade'],
      ['profile', '--preset', 'mapillary', '--norm', 'clade'],
      ['profile', '--preset', 'coco'],
    ]);
    expect(json!.code).toBe(0);
    const r = JSON.parse(json!.out);
    expect(r.params).toEqual({ total: 72_505_383, backbone: 68_499_843, norm: 4_005_540 });
    expect(Object.keys(r.flops).sort()).toEqual(['backbone', 'norm', 'total']);
    expect(r.flops.total).toBe(r.flops.backbone + r.flops.norm);
    expect(r.convention).toMatch(/MACs/);
    expect(table!.code).toBe(0);
    expect(table!.out).toMatch(/params\s+93,048,003\s+.*93 M/);
    expect(table!.out).toMatch(/FLOPs \(MACs\)\s+281\.\d\d G.*281\.5 G/);
    expectUserError(bad!, /--preset must be one of ade20k, ade20k-outdoor, coco, cityscapes, custom, got 'mapillary'/);
    expectUserError(noNorm!, /--norm is required/);
  }, 60_000);
});
