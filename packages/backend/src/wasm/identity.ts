/**
 * Identity (what `tf.clone` and tfjs' gradients run) for the wasm backend as an alias: the output
 * shares the input's heap data and bumps its reference count, as the stock Reshape does and as
 * the cpu backend's Identity does. Tensor data is immutable in tfjs (variables are rebound, not
 * written), so a copy buys nothing. The stock kernel copies: a training step clones ~1,200
 * tensors (saved activations of custom gradients, broadcasts that broadcast nothing).
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

interface RefCountingBackend {
  incRef(dataId: object): void;
}

export function aliasIdentity(stock: KernelConfig): KernelFunc {
  return (args) => {
    const x = args.inputs['x'] as TensorInfo;
    if (x.dtype === 'string' || x.dtype === 'complex64') return stock.kernelFunc(args);
    (args.backend as unknown as RefCountingBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}
