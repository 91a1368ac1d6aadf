export { expectTensorsClose, maxAbsDiff } from './close';
export { expectNoLeaks } from './leaks';
export { sharedPath, describeWithShared } from './shared';
