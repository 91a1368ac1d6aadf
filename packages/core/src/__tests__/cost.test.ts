import { cladeCost, convCost, spadeCost } from '../index';

describe('cost model', () => {
  it('SPADE params: 9·S·128 + 128 + 2·(9·128·C + C) (REFERENCE §3)', () => {
    const c = spadeCost({ semanticNc: 151, normNc: 1024, height: 8, width: 8 });
    expect(c.params).toBe(9 * 151 * 128 + 128 + 2 * (9 * 128 * 1024 + 1024));
    expect(c.paperParams).toBe(9 * (151 * 128 + 2 * 128 * 1024));
    expect(c.paperFlops).toBe(c.paperParams * 64);
  });

  it('CLADE: 2·K·C (+2 edge, +6 ICPE) and Eq. (9)/(17) FLOPs', () => {
    expect(cladeCost({ numClasses: 151, normNc: 64, height: 256, width: 256 }).params).toBe(2 * 151 * 64);
    const icpe = cladeCost({ numClasses: 183, normNc: 64, height: 4, width: 4, useInstance: true, icpe: true });
    expect(icpe.params).toBe(2 * 183 * 64 + 8);
    expect(icpe.paperFlops).toBe((4 * 64 + 4) * 16);
  });

  it('the ratios of Eq. (11) and (17) hold against a 3×3 conv', () => {
    const conv = convCost({ cin: 64, cout: 32, kernelSize: 3, height: 16, width: 16 });
    const clade = cladeCost({ numClasses: 10, normNc: 64, height: 16, width: 16 });
    expect(clade.paperFlops / conv.paperFlops).toBeCloseTo(2 / (9 * 32), 12);
    const icpe = cladeCost({ numClasses: 10, normNc: 64, height: 16, width: 16, icpe: true });
    expect(icpe.paperFlops / conv.paperFlops).toBeCloseTo((4 + 4 / 64) / (9 * 32), 12);
  });

  it('sum of SPADE params over the 18 norm layers of the ADE20K generator matches REFERENCE §16.1', () => {
    // Norm widths of the 'normal' generator (ngf 64): head_0, G_middle_0/1 (1024 ×2 each), up_0..3.
    const widths = [1024, 1024, 1024, 1024, 1024, 1024, 1024, 512, 1024, 512, 256, 512, 256, 128, 256, 128, 64, 128];
    expect(widths.reduce((a, b) => a + b, 0)).toBe(10944);
    const spade = widths.reduce((a, c) => a + spadeCost({ semanticNc: 151, normNc: c, height: 1, width: 1 }).params, 0);
    expect(spade).toBe(28370304);
    const clade = widths.reduce((a, c) => a + cladeCost({ numClasses: 151, normNc: c, height: 1, width: 1 }).params, 0);
    expect(clade).toBe(3305088);
  });
});
