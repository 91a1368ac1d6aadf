// @clade/backend: picks the fastest TensorFlow.js backend available and makes
// tfjs-backend-wasm fast and complete enough to train on. Call initBackend() first.
export { BackendError } from './errors';
export {
  BACKEND_NAMES,
  initBackend,
  probeBackends,
  resolveBackendName,
  resolveThreads,
  tfBackendName,
  type BackendAttempt,
  type BackendChoice,
  type BackendName,
  type BackendProbe,
  type ConcreteBackendName,
  type InitBackendOptions,
} from './select';
export {
  WASM_KERNEL_NAMES,
  registerWasmKernels,
  unregisterWasmKernels,
  wasmKernelsRegistered,
} from './wasm/register';
export { terminateWasmThreads } from './wasm/threads';
export { loadNativeKernels, type NativeTensorKernels } from './native/binding';
export {
  NATIVE_KERNEL_NAMES,
  nativeKernelsActive,
  registerNativeKernels,
  unregisterNativeKernels,
} from './native/register';
export { registerWebglKernels } from './webgl/clade-modulate';
export { CLADE_MODULATE, CLADE_MODULATE_SCALED } from './wasm/clade-modulate';
export {
  RESIZE_NEAREST_GRAD,
  registerResizeNearestGradFix,
  unregisterResizeNearestGradFix,
} from './fixes/resize-nearest-grad';
export {
  measureConv,
  measureConvGflops,
  measureMatMulGflops,
  type ConvMode,
  type ConvThroughputOptions,
  type MatMulThroughputOptions,
  type Measurement,
} from './throughput';
