export { CladeError, ConfigError, ShapeError, IOError, DivergedError, NotImplementedError, isUserError } from './errors';
export { assertShape, assertNHWC, formatShape, type ShapePattern } from './asserts';
export { mulberry32, seededNormal } from './random';
export { groupDigits } from './format';
export {
  PARAM_FREE_NORMS,
  type ParamFreeNorm,
  paramFreeNorm,
  instanceNorm,
  batchNormInference,
  batchNormTrain,
  updateRunningStat,
  type ParamFreeNormOptions,
  type ParamFreeNormResult,
} from './ops/param-free-norm';
export { nearestResize } from './ops/nearest-resize';
export { labelsToSegmap } from './ops/segmap';
export { spadeModulate, spadeGammaBeta, type SpadeWeights } from './ops/spade';
export { CLADE_MODULATE, CLADE_MODULATE_SCALED, cladeAffine, cladeModulate, classIndexMap, withClassIndexCache, type CladeScales, type CladeWeights, type IcpeWeights } from './ops/clade';
export { SPADE, type SPADEArgs } from './layers/spade';
export { CLADE, type CLADEArgs } from './layers/clade';
export { CLADEICPE, type CLADEICPEArgs } from './layers/clade-icpe';
export type { SemanticNormArgs } from './layers/semantic-norm';
export { seedFor, xavierNormal } from './layers/init';
export { SpectralConv2D, type SpectralConv2DArgs } from './layers/spectral-conv2d';
export { NearestResize, type NearestResizeArgs } from './layers/nearest-resize';
export { InstanceNorm, type InstanceNormArgs } from './layers/instance-norm';
export { AvgPoolExcludePad, type AvgPoolExcludePadArgs } from './layers/avg-pool-exclude-pad';
export { BilinearResize, type BilinearResizeArgs } from './layers/bilinear-resize';
export { GroupConv2D, type GroupConv2DArgs } from './layers/group-conv2d';
export {
  GROUP_CONV_METHODS,
  groupConv2d,
  groupConv2dReference,
  groupConvMethod,
  groupSizes,
  blockDiagonalKernel,
  type GroupConvMethod,
  type GroupConv2dOptions,
} from './ops/group-conv';
export { avgPoolExcludePad } from './ops/avg-pool';
export { bilinearResize, bilinearWeights } from './ops/bilinear-resize';
export { spectralWeightMatrix, powerIteration, spectralSigma } from './ops/spectral-norm';
export { registerLayers, LAYER_CLASSES } from './register';
export {
  convCost,
  spadeCost,
  cladeCost,
  type LayerCost,
  type ConvCostArgs,
  type SpadeCostArgs,
  type CladeCostArgs,
} from './cost';
export {
  readNpy,
  writeNpy,
  readNpz,
  writeNpz,
  assertFiniteWeights,
  countNonFinite,
  float16ToFloat32,
  int64ToInt32,
  int64ToFloat64,
  isNdArray,
  readTorchCheckpoint,
  readTorchObject,
  writeTorchCheckpoint,
  writeFileAtomic,
  loadNpyFile,
  saveNpyFile,
  loadNpzFile,
  saveNpzFile,
  loadTorchCheckpointFile,
  saveTorchCheckpointFile,
  type NdArray,
  type DType,
  type TorchValue,
  type ReadTorchCheckpointOptions,
  type ReadNpzOptions,
  crc32,
} from './io';
export {
  loadTorchStateDict,
  torchKeyOf,
  torchTransformOf,
  tfjsShapeOf,
  torchShapeOf,
  torchToTfjs,
  type TorchTransform,
  type LoadStateDictOptions,
} from './porting';
