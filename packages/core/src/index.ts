// @clade/core's public surface: what a composer of CLADE/SPADE into a tfjs model needs (layers,
// functional forms, the param-free norms, labels → segmap, PyTorch porting and array IO, the cost
// model, errors). Lower-level helpers live behind '@clade/core/internal' (no stability promise).
export { CladeError, ConfigError, ShapeError, IOError, DivergedError, NotImplementedError, isUserError } from './errors';
export { formatShape } from './asserts';
export { mulberry32, seededNormal } from './random';
export { groupDigits } from './format';
export {
  PARAM_FREE_NORMS,
  type ParamFreeNorm,
  paramFreeNorm,
  instanceNorm,
  type ParamFreeNormOptions,
  type ParamFreeNormResult,
} from './ops/param-free-norm';
export { nearestResize } from './ops/nearest-resize';
export { labelsToSegmap } from './ops/segmap';
export { spadeModulate, type SpadeWeights } from './ops/spade';
export { cladeModulate, withClassIndexCache, type CladeWeights, type IcpeWeights } from './ops/clade';
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
export { GROUP_CONV_METHODS, groupConv2d, type GroupConvMethod, type GroupConv2dOptions } from './ops/group-conv';
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
  readTorchCheckpoint,
  writeTorchCheckpoint,
  writeFileAtomic,
  atomicTempName,
  parseAtomicTempName,
  loadNpyFile,
  saveNpyFile,
  loadNpzFile,
  saveNpzFile,
  loadTorchCheckpointFile,
  saveTorchCheckpointFile,
  type NdArray,
  type DType,
  type ReadTorchCheckpointOptions,
  type ReadNpzOptions,
} from './io';
export {
  loadTorchStateDict,
  torchStateDictOf,
  torchKeyOf,
  torchTransformOf,
  tfjsShapeOf,
  torchShapeOf,
  torchToTfjs,
  type TorchTransform,
  type LoadStateDictOptions,
} from './porting';
