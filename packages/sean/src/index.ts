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
export { regionMasks, regionAveragePool, classStyles, broadcastStyles, convTranspose2d } from './ops';
