export { expectTensorsClose, maxAbsDiff } from './close';
export { expectNoLeaks } from './leaks';
export { describeLayerContract, type LayerContractSpec } from './layer-contract';
export { sharedPath, describeWithShared } from './shared';
export { describeNative, hasCCompiler } from './native';
export { fileTreeSnapshot } from './file-tree';
