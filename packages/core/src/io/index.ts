export type { DType, DTypeArrays, NdArray, TypedArray } from './ndarray';
export {
  DTYPES, assertNdArray, formatShape, int64ToFloat64, int64ToInt32, isNdArray, itemSize, numel,
} from './ndarray';
export { readNpy, writeNpy, readNpz, writeNpz } from './npy';
export type { ReadNpzOptions, WriteNpzOptions } from './npy';
export { assertFiniteWeights, countNonFinite } from './finite';
export { float16ToFloat32 } from './half';
export { atomicTempName, parseAtomicTempName, writeFileAtomic } from './atomic';
export { crc32 } from './zip';
export {
  loadNpyFile, saveNpyFile, loadNpzFile, saveNpzFile, loadTorchCheckpointFile, saveTorchCheckpointFile,
} from './files';
export {
  ALLOWED_TORCH_GLOBALS, TorchGlobal, TorchStorage, findTensorDicts, readTorchCheckpoint, readTorchObject,
} from './torch/load';
export type { ReadTorchCheckpointOptions, TorchDType, TorchPath, TorchValue } from './torch/load';
export { writeTorchCheckpoint } from './torch/save';
export type { WriteTorchCheckpointOptions } from './torch/save';
