import { SEAN_PRESET_NAMES, seanCost, seanPresetConfig } from '../index';

describe('seanCost', () => {
  it('prints', () => {
    for (const name of SEAN_PRESET_NAMES)
      for (const classBranch of ['spade', 'clade'] as const) {
        const c = seanCost(seanPresetConfig(name, { classBranch }));
        console.log(name, classBranch, JSON.stringify(c));
      }
    const c = seanCost(seanPresetConfig('celebamask-hq'), { styleSize: [512, 512] });
    console.log('celeb 512 style', JSON.stringify(c));
  });
});
