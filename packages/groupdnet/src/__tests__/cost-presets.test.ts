import { ConfigError } from '@clade/core';
import {
  GroupDNetGenerator,
  createGroupDNet,
  defaultGroupSchedule,
  groupdnetCost,
  groupdnetPresetConfig,
  groupdnetProfile,
  resolveGroupDNetConfig,
  type ConfigInput,
} from '../index';

describe('GroupDNet cost model vs the official training commands', () => {
  it('DeepFashion (ngf 160, more, label_nc 8, groups 8/8/8/4/4/2/2/1): 96,324,451 parameters', () => {
    const c = groupdnetPresetConfig('deepfashion');
    expect(defaultGroupSchedule(c)).toEqual([8, 8, 8, 4, 4, 2, 2, 1]);
    expect(groupdnetCost(c).params.total).toBe(96_324_451);
  });

  it('Cityscapes (ngf 280, groups 35/35/35/20/14/10/4/1): 76,501,358 parameters', () => {
    const c = groupdnetPresetConfig('cityscapes');
    expect(defaultGroupSchedule(c)).toEqual([35, 35, 35, 20, 14, 10, 4, 1]);
    expect(groupdnetCost(c).params.total).toBe(76_501_358);
  });

  it('profiles with the paper figure (Table VIII) next to ours; MACs within 0.5 % of the GroupDNet FLOPs', () => {
    const df = groupdnetProfile('groupdnet', 'deepfashion');
    expect(df.paper).toEqual({ paramsM: 96.3, flopsG: 291.6 });
    expect(Math.abs(df.flops.total / 1e9 / 291.6 - 1)).toBeLessThan(0.005);
    const cs = groupdnetProfile('groupdnet', 'cityscapes');
    expect(Math.abs(cs.flops.total / 1e9 / 463.6 - 1)).toBeLessThan(0.005);
    // GroupDNet-CLADE: the paper's parameter counts equal our backbone (its CLADE tables uncounted).
    const dfc = groupdnetProfile('groupdnet-clade', 'deepfashion');
    expect(dfc.params).toEqual({ total: 79_676_323, backbone: 79_238_563, norm: 437_760 });
    expect(groupdnetProfile('groupdnet-clade', 'cityscapes').params.backbone).toBe(57_655_643);
    expect(groupdnetProfile('groupdnet', 'deepfashion', { ngf: 64 }).paper).toBeNull();
  });

  it('the built model has exactly the cost model’s trainable parameters (small widths; every arch and norm)', () => {
    // Small: random init is slow under jest (1M normals ≈ 4 s on this machine). Cityscapes' fixed
    // groups 20/14/10/4 need ngf to be a multiple of 70, so its miniature sets a short schedule.
    const cs: ConfigInput = {
      arch: 'cityscapes', labelNc: 4, useInstance: true, ngf: 8, cropSize: 64, aspectRatio: 2,
      numUpsamplingLayers: 'normal', groups: [4, 4, 4, 2, 2, 2, 2, 1],
    };
    const configs: ConfigInput[] = [
      groupdnetPresetConfig('deepfashion', { ngf: 8, cropSize: 64 }),
      groupdnetPresetConfig('deepfashion', { ngf: 8, cropSize: 64 }, 'groupdnet-clade'),
      cs,
      { ...cs, normMode: 'clade' },
      { arch: 'ade20k', labelNc: 15, containDontcare: true, ngf: 8, cropSize: 64 },
    ];
    for (const c of configs) {
      const g = new GroupDNetGenerator(c);
      const cost = groupdnetCost(c);
      expect({ arch: c.arch, norm: c.normMode, params: g.countParams() }).toEqual({
        arch: c.arch,
        norm: c.normMode,
        params: cost.params.total - cost.unusedParams,
      });
      expect(cost.unusedParams > 0).toBe(c.arch === 'ade20k');
      g.dispose();
    }
  });

  it('createGroupDNet builds from a preset name with overrides', () => {
    const g = createGroupDNet('deepfashion', { ngf: 8, cropSize: 64, initSeed: 1 }, 'groupdnet-clade');
    expect(g.config).toMatchObject({ arch: 'deepfashion', ngf: 8, normMode: 'clade', labelNc: 8 });
    g.dispose();
  });
});

describe('GroupDNet config errors: one ConfigError naming the field, the value and what is allowed', () => {
  const base: ConfigInput = { arch: 'deepfashion', labelNc: 8, ngf: 8, cropSize: 64 };
  const cases: Array<[string, () => unknown, RegExp]> = [
    [
      'arch',
      () => resolveGroupDNetConfig({ ...base, arch: 'coco' as never }),
      /arch must be one of deepfashion, cityscapes, ade20k, got 'coco'/,
    ],
    ['ngf', () => resolveGroupDNetConfig({ ...base, ngf: 0 }), /ngf must be a positive integer, got 0/],
    [
      'upsampling',
      () => resolveGroupDNetConfig({ ...base, numUpsamplingLayers: 'most' as never }),
      /numUpsamplingLayers must be one of normal, more, got 'most'/,
    ],
    [
      'groups length',
      () => resolveGroupDNetConfig({ ...base, groups: [1, 2] }),
      /groups must list 8 group counts \(fc, head_0, .*up_3\) for arch 'deepfashion', got \[1,2\]/,
    ],
    [
      'too few classes',
      () => resolveGroupDNetConfig({ ...base, labelNc: 4 }),
      /gives 0 groups for up_3.*use at least 8 classes or set groups/,
    ],
    [
      'divisibility',
      () => new GroupDNetGenerator({ ...base, ngf: 3, groups: [8, 8, 8, 8, 8, 8, 8, 8] }),
      /up_1.conv_0 \(24 → 12 channels\) must divide into its 8 groups \(groups\[5\]\).*ngf 3/,
    ],
    [
      'crop',
      () => resolveGroupDNetConfig({ ...base, cropSize: 32 }),
      /cropSize must be ≥ 64·aspectRatio for 'more' upsampling, got cropSize 32/,
    ],
    [
      'preset',
      () => groupdnetPresetConfig('celebamask-hq'),
      /preset must be one of deepfashion, cityscapes, ade20k, got 'celebamask-hq' \(the official GroupDNet code has no CelebAMask-HQ configuration\)/,
    ],
    ['model', () => groupdnetProfile('sean', 'deepfashion'), /model must be one of groupdnet, groupdnet-clade, got 'sean'/],
    ['fixed field', () => groupdnetPresetConfig('cityscapes', { labelNc: 19 }), /preset 'cityscapes' fixes labelNc = 35, got 19/],
  ];
  for (const [label, fn, re] of cases)
    it(label, () => {
      expect(fn).toThrow(ConfigError);
      expect(fn).toThrow(re);
    });
});
