// The WebGL kernels cannot run in Node (no WebGL); their output is checked in headless Chromium
// by apps/demo's painter e2e test (tfjs-webgl on SwiftShader vs tfjs-wasm, same image). Here:
// registration only.
import { getKernel } from '@tensorflow/tfjs-core';
import { CLADE_MODULATE, CLADE_MODULATE_SCALED, registerWebglKernels } from '../../index';

describe('registerWebglKernels', () => {
  it("registers CladeModulate and CladeModulateScaled for 'webgl', idempotently, and nothing for other backends", () => {
    registerWebglKernels();
    const first = getKernel(CLADE_MODULATE, 'webgl');
    registerWebglKernels();
    expect(first).toBeDefined();
    expect(getKernel(CLADE_MODULATE, 'webgl')).toBe(first);
    expect(getKernel(CLADE_MODULATE_SCALED, 'webgl')?.kernelFunc).toBe(first!.kernelFunc);
    expect(getKernel(CLADE_MODULATE, 'cpu')).toBeUndefined();
  });
});
