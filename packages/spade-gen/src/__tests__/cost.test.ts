import { SpadeGenerator, generatorCost, type GeneratorConfig, type NormMode } from '../index';

const ADE = { labelNc: 150, containDontcare: true };
const COCO = { labelNc: 182, containDontcare: true, useInstance: true };
const CITY = { labelNc: 35, useInstance: true, cropSize: 512, aspectRatio: 2, numUpsamplingLayers: 'more' as const };

describe('whole-generator cost model', () => {
  // Official counts: REFERENCE §16.1 (measured by building the official modules, ngf 64).
  it.each([
    ['ADE20K', ADE, 'spade', 96_492_483],
    ['COCO-Stuff', COCO, 'spade', 97_480_899],
    ['Cityscapes', CITY, 'spade', 93_048_003],
    ['ADE20K', ADE, 'clade', 71_427_267],
    ['COCO-Stuff', COCO, 'clade', 72_505_383],
    ['Cityscapes', CITY, 'clade', 67_901_991],
    ['ADE20K', ADE, 'cladeIcpe', 71_427_375],
    ['COCO-Stuff', COCO, 'cladeIcpe', 72_505_491],
    ['Cityscapes', CITY, 'cladeIcpe', 67_902_099],
  ] as const)('%s %s has the official parameter count', (_, preset, normMode, expected) => {
    expect(generatorCost({ ...preset, normMode: normMode as NormMode }).params.total).toBe(expected);
  });

  it('SPADE with VAE (ADE20K) and the backbone/norm split of Table III', () => {
    expect(generatorCost({ ...ADE, useVae: true }).params.total).toBe(111_942_595);
    expect(generatorCost({ ...ADE }).params).toEqual({ total: 96_492_483, backbone: 68_122_179, norm: 28_370_304 });
    expect(generatorCost({ ...COCO, normMode: 'clade' }).params).toEqual({ total: 72_505_383, backbone: 68_499_843, norm: 4_005_540 });
  });

  it('MACs land on the paper Table I FLOPs (181.3 G SPADE vs 42.2 G CLADE on ADE20K 256²)', () => {
    expect(generatorCost(ADE).macs.total / 1e9).toBeCloseTo(181.3, 0);
    expect(generatorCost({ ...ADE, normMode: 'clade' }).macs.total / 1e9).toBeCloseTo(42.2, 0);
    expect(generatorCost({ ...CITY, normMode: 'clade' }).macs.total / 1e9).toBeCloseTo(75.5, 0);
  });

  // The cost model and the built model must agree on small configs of every shape.
  const small: Array<Partial<GeneratorConfig> & { labelNc: number }> = [
    { labelNc: 5, ngf: 4, cropSize: 32, normMode: 'spade', spadeHiddenNc: 8 },
    { labelNc: 5, ngf: 4, cropSize: 32, normMode: 'clade', useInstance: true, containDontcare: true },
    { labelNc: 5, ngf: 4, cropSize: 128, normMode: 'cladeIcpe', useInstance: true, numUpsamplingLayers: 'most' },
    { labelNc: 3, ngf: 4, cropSize: 128, aspectRatio: 2, numUpsamplingLayers: 'more', useVae: true, zDim: 8, normMode: 'clade' },
    { labelNc: 4, ngf: 4, cropSize: 32, spadeHiddenNc: 8, useInstance: true, normPerBlock: ['spade', 'spade', 'clade', 'clade', 'clade', 'clade', 'clade'] },
  ];
  it.each(small.map((c) => [JSON.stringify(c), c]))('counts what the model builds: %s', (_, c) => {
    const g = new SpadeGenerator(c as GeneratorConfig);
    expect(generatorCost(c as GeneratorConfig).params.total).toBe(g.countParams());
    g.dispose();
  });
});
