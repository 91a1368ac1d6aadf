export { expectTensorsClose, maxAbsDiff } from './close';
export { expectNoLeaks } from './leaks';
export { useBackend } from './backend';
export { describeLayerContract, type LayerContractSpec } from './layer-contract';
export { reloadLayersModel } from './reload';
export { sharedPath, describeWithShared } from './shared';
export { describeNative, hasCCompiler } from './native';
export { fileTreeSnapshot } from './file-tree';
