import {
  PRESETS,
  PRESET_NAMES,
  generatorCost,
  paperFigureOf,
  presetGeneratorConfig,
  presetInfo,
  presetLabelSpec,
  spadeLightConfig,
  spadeLightFigureOf,
} from '../index';

describe('dataset presets', () => {
  it('hold the official dataset conventions (REFERENCE §13)', () => {
    expect(PRESET_NAMES).toEqual(['ade20k', 'ade20k-outdoor', 'coco', 'cityscapes', 'custom']);
    expect(presetGeneratorConfig('ade20k')).toMatchObject({
      labelNc: 150, containDontcare: true, useInstance: false, cropSize: 256, numUpsamplingLayers: 'normal',
    });
    expect(presetGeneratorConfig('coco')).toMatchObject({ labelNc: 182, containDontcare: true, useInstance: true });
    expect(presetGeneratorConfig('cityscapes')).toMatchObject({
      labelNc: 35, containDontcare: false, useInstance: true, cropSize: 512, aspectRatio: 2,
      numUpsamplingLayers: 'more',
    });
    expect(presetInfo('cityscapes').testPreprocess).toBe('fixed');
    expect(presetGeneratorConfig('custom')).toMatchObject({ labelNc: 13, containDontcare: false });
  });

  it('map labels as the released checkpoints saw them: ADE20K channel = raw value, never the shift', () => {
    expect(presetLabelSpec(presetGeneratorConfig('ade20k'))).toEqual({ labelNc: 150, containDontcare: true, ade20kLabelShift: false });
    expect(presetLabelSpec(presetGeneratorConfig('coco'))).toEqual({ labelNc: 182, containDontcare: true, ade20kLabelShift: false });
  });

  it('give the official parameter counts and the paper figure for the measured config only', () => {
    expect(generatorCost(presetGeneratorConfig('coco', { normMode: 'clade' })).params.total).toBe(72_505_383);
    expect(generatorCost(presetGeneratorConfig('cityscapes', { normMode: 'spade' })).params.total).toBe(93_048_003);
    expect(paperFigureOf('ade20k', presetGeneratorConfig('ade20k', { normMode: 'clade' }))).toEqual({ paramsM: 71.4, flopsG: 42.2 });
    expect(paperFigureOf('ade20k', presetGeneratorConfig('ade20k', { normMode: 'clade', ngf: 32 }))).toBeNull();
    expect(paperFigureOf('custom', presetGeneratorConfig('custom'))).toBeNull();
    expect(PRESETS['ade20k-outdoor'].paper).toEqual(PRESETS.ade20k.paper);
  });

  it('refuse another label set on a named dataset and unknown names', () => {
    expect(() => presetGeneratorConfig('coco', { labelNc: 10 })).toThrow(/preset 'coco' fixes labelNc = 182, got 10; use preset 'custom'/);
    expect(presetGeneratorConfig('custom', { labelNc: 10, containDontcare: true })).toMatchObject({ labelNc: 10, containDontcare: true });
    expect(() => presetInfo('mapillary')).toThrow(/preset must be one of ade20k, ade20k-outdoor, coco, cityscapes, custom, got 'mapillary'/);
    // Undefined overrides keep the preset's values.
    expect(presetGeneratorConfig('cityscapes', { cropSize: undefined }).cropSize).toBe(512);
  });

  it('SPADE-light lands on the paper Table IV FLOPs (ngf 8 / 8 / 32, hidden 128)', () => {
    const rows: Array<[string, number, number]> = [
      ['ade20k', 8, 58.0],
      ['ade20k-outdoor', 8, 58.0],
      ['coco', 8, 68.0],
      ['cityscapes', 32, 132.9],
    ];
    for (const [name, ngf, flopsG] of rows) {
      const c = spadeLightConfig(name);
      expect(c).toMatchObject({ normMode: 'spade', normPerBlock: null, ngf, spadeHiddenNc: 128 });
      expect(Math.abs(generatorCost(c).macs.total / 1e9 / flopsG - 1)).toBeLessThan(0.002);
      expect(spadeLightFigureOf(name, c)).toEqual({ flopsG });
      expect(paperFigureOf(name, c)).toBeNull();
    }
    // The COCO − ADE20K gap (10.0 G) pins SPADE's hidden width at 128 whatever ngf is.
    const gap = (hidden: number) =>
      (generatorCost(presetGeneratorConfig('coco', { ngf: 8, spadeHiddenNc: hidden })).macs.total -
        generatorCost(presetGeneratorConfig('ade20k', { ngf: 8, spadeHiddenNc: hidden })).macs.total) / 1e9;
    expect(gap(128)).toBeCloseTo(10.0, 1);
    expect(gap(64)).toBeCloseTo(5.0, 1);
    // Overrides apply; an explicit ngf wins; custom needs one.
    expect(spadeLightConfig('coco', { ngf: 16, cropSize: 128 })).toMatchObject({ ngf: 16, cropSize: 128, normMode: 'spade' });
    expect(spadeLightFigureOf('coco', spadeLightConfig('coco', { ngf: 16 }))).toBeNull();
    expect(() => spadeLightConfig('custom')).toThrow(/preset 'custom' has no SPADE-light width .*ade20k, ade20k-outdoor, coco, cityscapes\); pass ngf/);
    expect(spadeLightConfig('custom', { ngf: 8 }).ngf).toBe(8);
    expect(PRESETS.custom.spadeLight).toBeNull();
  });
});
