export { SeanGenerator, type SeanRunOptions } from './generator';
export { ACE, type ACEArgs, type ACECallArgs, type NoiseMode } from './ace';
export { Zencoder, type ZencoderArgs } from './zencoder';
export {
  STYLE_LENGTH,
  CLASS_BRANCHES,
  SEAN_UPSAMPLING_MODES,
  SEAN_DEFAULTS,
  resolveSeanConfig,
  numClassesOf,
  type SeanConfig,
  type ClassBranch,
  type SeanUpsampling,
} from './config';
export { seanCost, type SeanCost, type SeanCostOptions, type SeanSplit } from './cost';
export {
  SEAN_PRESET_NAMES,
  SEAN_PRESETS,
  seanPreset,
  seanPresetConfig,
  buildSeanGenerator,
  seanPaperFigureOf,
  type SeanPresetName,
  type SeanPreset,
  type SeanPaperFigure,
} from './presets';
export {
  encodeStyles,
  synthesize,
  synthesizeWithStyle,
  transferRegionStyles,
  interpolateStyles,
  type StyleImageInputs,
} from './style';
export { regionMasks, regionAveragePool, classStyles, broadcastStyles, convTranspose2d } from './ops';
export { fastXavierNormal } from './init';
