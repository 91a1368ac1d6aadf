import { PRESETS, PRESET_NAMES, generatorCost, paperFigureOf, presetGeneratorConfig, presetInfo, presetLabelSpec } from '../index';

describe('dataset presets', () => {
  it('hold the official dataset conventions (REFERENCE §13)', () => {
    expect(PRESET_NAMES).toEqual(['ade20k', 'ade20k-outdoor', 'coco', 'cityscapes', 'custom']);
    expect(presetGeneratorConfig('ade20k')).toMatchObject({ labelNc: 150, containDontcare: true, useInstance: false, cropSize: 256, numUpsamplingLayers: 'normal' });
    expect(presetGeneratorConfig('coco')).toMatchObject({ labelNc: 182, containDontcare: true, useInstance: true });
    expect(presetGeneratorConfig('cityscapes')).toMatchObject({ labelNc: 35, containDontcare: false, useInstance: true, cropSize: 512, aspectRatio: 2, numUpsamplingLayers: 'more' });
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
});
