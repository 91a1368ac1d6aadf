import { ConfigError } from '@clade/core';
import { SEAN_PRESET_NAMES, seanCost, seanPaperFigureOf, seanPresetConfig, buildSeanGenerator, seanPreset } from '../index';

const M = 1e6;
const G = 1e9;

describe('seanCost', () => {
  it('equals the official modules on the official training settings (PyTorch parameter counts)', () => {
    expect(seanCost(seanPresetConfig('celebamask-hq')).params.total).toBe(266_907_367); // SEAN README command
    expect(seanCost(seanPresetConfig('cityscapes')).params.total).toBe(330_424_039);
    expect(seanCost(seanPresetConfig('deepfashion')).params.total).toBe(223_239_655);
    // Parts: Zencoder 1,568,576 everywhere; the rest by dataset.
    const c = seanCost(seanPresetConfig('celebamask-hq'));
    expect(c.params).toEqual({ total: 266_907_367, backbone: 66_905_667, norm: 198_433_124, encoder: 1_568_576 });
  });

  it('SEAN-CLADE: the SPADE branch (25.6 M on CelebAMask-HQ) gives way to 2·K·ΣC table entries', () => {
    for (const name of SEAN_PRESET_NAMES) {
      const k = seanPreset(name).generator.labelNc;
      const sean = seanCost(seanPresetConfig(name)).params.total;
      const clade = seanCost(seanPresetConfig(name, { classBranch: 'clade' })).params.total;
      // 18 SPADE branches: 18·(9·K·128 + 128) + Σ_C 2·(9·128·C + C) with ΣC = 10,944 at ngf 64.
      const spadeBranch = 18 * (9 * k * 128 + 128) + 2306 * 10_944;
      expect(sean - clade).toBe(spadeBranch - 2 * k * 10_944);
    }
    expect(seanCost(seanPresetConfig('celebamask-hq', { classBranch: 'clade' })).params.total).toBe(241_690_087);
    // Table VIII's SEAN-CLADE equals SEAN minus the SPADE branch, without the tables: 241.27 M.
    expect((266_907_367 - (18 * (9 * 19 * 128 + 128) + 2306 * 10_944)) / M).toBeCloseTo(241.3, 1);
  });

  it("thop-style MACs reproduce Table VIII's FLOPs (CelebAMask-HQ SEAN with a 512×512 style image)", () => {
    const thop = (name: string, classBranch: 'spade' | 'clade', styleSize?: [number, number]) =>
      seanCost(seanPresetConfig(name, { classBranch }), { styleSize }).thopFlops / G;
    expect(thop('celebamask-hq', 'spade', [512, 512])).toBeCloseTo(420.8, 0);
    expect(thop('celebamask-hq', 'spade')).toBeCloseTo(346.3, 1); // 256² style image: the table's 420.8 is not this
    expect(thop('celebamask-hq', 'clade')).toBeCloseTo(247.1, 1);
    expect(thop('deepfashion', 'spade')).toBeCloseTo(342.9, 1);
    expect(thop('deepfashion', 'clade')).toBeCloseTo(247.0, 1);
    expect(thop('cityscapes', 'spade')).toBeCloseTo(681.7, 1);
    expect(thop('cityscapes', 'clade')).toBeCloseTo(476.0, 1);
  });

  it('project-convention MACs: splits add up, the encoder scales with the style image, fewer classes fewer fc_mu calls', () => {
    const c = seanCost(seanPresetConfig('celebamask-hq'));
    expect(c.flops.total).toBe(c.flops.backbone + c.flops.norm + c.flops.encoder);
    expect(c.flops.total / G).toBeCloseTo(342.96, 2);
    const big = seanCost(seanPresetConfig('celebamask-hq'), { styleSize: [512, 512] });
    expect(big.flops.encoder / c.flops.encoder).toBeCloseTo(4, 1);
    const few = seanCost(seanPresetConfig('celebamask-hq'), { presentClasses: 9 });
    expect(c.flops.norm - few.flops.norm).toBe(15 * 10 * (512 * 512 + 512));
  });

  it('paper figures only for the measured configs; clear errors', () => {
    expect(seanPaperFigureOf('cityscapes', seanPresetConfig('cityscapes', { classBranch: 'clade' }))).toEqual({ paramsM: 304.5, flopsG: 476.1 });
    expect(seanPaperFigureOf('cityscapes', seanPresetConfig('cityscapes', { ngf: 32 }))).toBeNull();
    expect(() => seanPresetConfig('ade20k')).toThrow(ConfigError);
    expect(() => seanPresetConfig('ade20k')).toThrow("sean: preset must be one of celebamask-hq, deepfashion, cityscapes, got 'ade20k'.");
    expect(() => buildSeanGenerator('celebamask-hq', { ngf: -1 })).toThrow('sean: ngf must be a positive integer, got -1.');
    expect(() => seanCost({ labelNc: 3 }, { styleSize: [1, 5] })).toThrow(/seanCost: styleSize must be \[H, W\] with integers ≥ 2, got \[1,5\]/);
  });
});
