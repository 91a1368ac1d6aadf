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
  });

  // Paper Table IV: SPADE-light at CLADE-like FLOPs (the widths are our choice; see spadeLightConfig).
  it.each([
    ['ade20k', 8, 58.0],
    ['ade20k-outdoor', 8, 58.0],
    ['coco', 8, 68.0],
    ['cityscapes', 32, 132.9],
  ] as const)('--norm spade-light on %s: ngf %d, within 1%% of Table IV (%d G)', (preset, ngf, flopsG) => {
    const r = profileReport({ preset, norm: 'spade-light' });
    expect(r.generator).toMatchObject({ normMode: 'spade', ngf, spadeHiddenNc: 128 });
    expect(Math.abs(r.flops.total / 1e9 / flopsG - 1)).toBeLessThan(0.01);
    expect(r.norm).toBe('spade-light');
    expect(r.paper).toEqual({ source: 'CLADE paper, Table IV (SPADE-light)', paramsM: null, flopsG });
    // Still well above CLADE, well below SPADE.
    const clade = profileReport({ preset, norm: 'clade' }).flops.total;
    expect(r.flops.total).toBeGreaterThan(clade);
    expect(r.flops.total).toBeLessThan(profileReport({ preset, norm: 'spade' }).flops.total / 2);
  });

  it('--norm spade-light: --ngf overrides the width; custom needs --ngf', () => {
    expect(profileReport({ preset: 'coco', norm: 'spade-light', ngf: '16' }).generator.ngf).toBe(16);
    expect(profileReport({ preset: 'coco', norm: 'spade-light', ngf: '16' }).paper).toBeNull();
    expect(() => profileReport({ preset: 'custom', norm: 'spade-light' })).toThrow(
      /spade-light takes its width from the preset .*--preset custom: pass one of those or --ngf/,
    );
    expect(profileReport({ preset: 'custom', norm: 'spade-light', ngf: '8' }).generator).toMatchObject({ normMode: 'spade', ngf: 8 });
  });

  // Paper Table VI: S(1-K)+C(K+1-7), blocks numbered 1-7 from low to high resolution.
  it.each(['ade20k-outdoor', 'cityscapes'])('--norm mixed:K on %s: SPADE in blocks 1..K, FLOPs rise monotonically from CLADE to SPADE', (preset) => {
    const reports = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => profileReport({ preset, norm: `mixed:${k}` }));
    expect(reports[2]!.generator.normPerBlock).toEqual(['spade', 'spade', 'clade', 'clade', 'clade', 'clade', 'clade']);
    expect(reports[2]!.norm).toEqual(['spade', 'spade', 'clade', 'clade', 'clade', 'clade', 'clade']);
    const flops = reports.map((r) => r.flops.total);
    const params = reports.map((r) => r.params.total);
    expect(flops[0]).toBe(profileReport({ preset, norm: 'clade' }).flops.total);
    expect(flops[7]).toBe(profileReport({ preset, norm: 'spade' }).flops.total);
    expect(params[0]).toBe(profileReport({ preset, norm: 'clade' }).params.total);
    expect(params[7]).toBe(profileReport({ preset, norm: 'spade' }).params.total);
    for (let k = 1; k <= 7; k++) {
      expect(flops[k]).toBeGreaterThan(flops[k - 1]!);
      expect(params[k]).toBeGreaterThan(params[k - 1]!);
    }
  });

  it('--norm mixed:K errors and the --norm-per-block equivalence', () => {
    expect(profileReport({ preset: 'ade20k', norm: 'mixed:3' }).flops).toEqual(
      profileReport({ preset: 'ade20k', normPerBlock: 'spade,spade,spade,clade,clade,clade,clade' }).flops,
    );
    // 'most' upsampling has an 8th block (up_4): CLADE unless K = 8.
    expect(profileReport({ preset: 'ade20k', norm: 'mixed:7', upsampling: 'most' }).generator.normPerBlock).toEqual([...Array(7).fill('spade'), 'clade']);
    for (const bad of ['mixed:8', 'mixed:-1', 'mixed:', 'mixed:1.5', 'mixed:x'])
      expect(() => profileReport({ preset: 'ade20k', norm: bad })).toThrow(/--norm mixed:K needs an integer K from 0 \(all CLADE\) to 7 \(all SPADE\)/);
    expect(() => profileReport({ preset: 'ade20k', norm: 'mixed:2', normPerBlock: 'spade' })).toThrow(/--norm and --norm-per-block exclude each other/);
    expect(() => profileReport({ preset: 'ade20k', norm: 'batch' })).toThrow(
      /--norm must be one of spade, clade, clade-icpe, spade-light, mixed:K, got 'batch'/,
    );
  });

  it('spade-light and mixed:K through the real CLI', async () => {
    const [light, mixed] = await runAll([
      ['profile', '--preset', 'cityscapes', '--norm', 'spade-light'],
      ['profile', '--preset', 'ade20k', '--norm', 'mixed:1', '--json'],
    ]);
    expect({ code: light!.code, err: light!.err }).toEqual({ code: 0, err: '' });
    expect(light!.out).toMatch(/cityscapes spade \(labelNc 35\+edges, ngf 32,/);
    expect(light!.out).toMatch(/FLOPs \(MACs\)\s+133\.04 G.*132\.9 G/);
    expect(light!.out).toMatch(/paper Table IV \(SPADE-light\)/);
    expect(mixed!.code).toBe(0);
    expect(JSON.parse(mixed!.out)).toMatchObject({ norm: ['spade', 'clade', 'clade', 'clade', 'clade', 'clade', 'clade'], paper: null });
  });
});

// The official counts of issue 9 (the official code built with each README/script command); the
// CLADE variants and FLOPs are our own figures, printed next to the paper's Table VIII.
describe('clade profile --model (SEAN, GroupDNet and their CLADE forms)', () => {
  it('gives the official parameter counts through the real CLI (--json params.total)', async () => {
    const runs = await runAll([
      ['profile', '--model', 'sean', '--preset', 'celebamask-hq', '--json'],
      ['profile', '--model', 'sean', '--preset', 'cityscapes', '--json'],
      ['profile', '--model', 'groupdnet', '--preset', 'deepfashion', '--json'],
      ['profile', '--model', 'groupdnet', '--preset', 'cityscapes', '--json'],
      ['profile', '--model', 'sean-clade', '--preset', 'celebamask-hq'],
      ['profile', '--model', 'groupdnet', '--preset', 'celebamask-hq'],
      ['profile', '--model', 'sean', '--preset', 'deepfashion', '--norm', 'clade'],
      ['profile', '--model', 'pix2pix', '--preset', 'cityscapes'],
    ]);
    const totals = runs.slice(0, 4).map((r) => {
      expect(r!.code).toBe(0);
      return JSON.parse(r!.out).params.total;
    });
    expect(totals).toEqual([266_907_367, 330_424_039, 96_324_451, 76_501_358]);
    const sean = JSON.parse(runs[0]!.out);
    expect(sean.paper).toMatchObject({ source: 'CLADE paper, Table VIII', paramsM: 266.9 });
    expect(runs[4]!.code).toBe(0);
    expect(runs[4]!.out).toMatch(/paper Table VIII/);
    expectUserError(runs[5]!, /--model groupdnet needs --preset one of deepfashion, cityscapes, ade20k, got 'celebamask-hq'/);
    expectUserError(runs[6]!, /--norm shapes the SPADE\/CLADE generator \(--model spade\)/);
    expectUserError(runs[7]!, /--model must be one of spade, sean, sean-clade, groupdnet, groupdnet-clade, got 'pix2pix'/);
  }, 300_000);
});
