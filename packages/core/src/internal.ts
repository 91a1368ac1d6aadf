// @clade/core/internal: the low-level pieces the other @clade/* packages, their tests and the
// benchmarks reach for, kept out of the public entry so that a composer sees only what it needs.
// No stability promise: anything here may change or go in any release.

// Shape checks nothing outside core calls yet.
export { assertShape, assertNHWC, type ShapePattern } from './asserts';

// Argument checks of the configs and layers (one message format everywhere).
export { assertOneOf, assertPositiveInt, type ShowValue } from './validate';

// The pieces of `paramFreeNorm` (call that, or a layer, instead).
export { batchNormInference, batchNormTrain, updateRunningStat, type BatchNormTrainResult } from './ops/param-free-norm';

// CLADE's fused-kernel names (for backends that register them) and the pieces of `cladeModulate`.
export { CLADE_MODULATE, CLADE_MODULATE_SCALED, cladeAffine, classIndexMap, type CladeScales } from './ops/clade';

// The pieces of `spadeModulate`.
export { spadeGammaBeta } from './ops/spade';

// Grouped-conv method selection, the reference form and the dense kernel (tests, benchmarks).
export { blockDiagonalKernel, groupConv2dReference, groupConvMethod, groupSizes } from './ops/group-conv';

// The ops behind the AvgPoolExcludePad and BilinearResize layers.
export { avgPoolExcludePad } from './ops/avg-pool';
export { bilinearResize, bilinearWeights } from './ops/bilinear-resize';

// Totals of the cost model (the generators' cost functions).
export { sumCosts } from './cost';

// The key report of a strict state-dict load (loadTorchStateDict; the trainer's VGG loader).
export { keyMismatch } from './porting';

// Spectral norm's power iteration (the SpectralConv2D layer runs it).
export { powerIteration, spectralSigma, spectralWeightMatrix } from './ops/spectral-norm';

// Byte-level IO helpers behind the .npy/.npz/.pth readers and the model-folder handlers.
export {
  assertFiniteWeights,
  countNonFinite,
  crc32,
  float16ToFloat32,
  int64ToFloat64,
  int64ToInt32,
  isNdArray,
  readTorchObject,
  type TorchValue,
} from './io';

// Plain-text tables of the CLI and the benchmarks.
export { formatTable } from './format';
