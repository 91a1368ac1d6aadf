/**
 * CLADE's fused modulation for the WebGL backend: one shader pass per layer that reads x, the
 * pixel's class id and that class's Γ/B row, instead of two gathers, a multiply and an add
 * (four passes and two dense [N,h,w,C] maps). The demo's WebGL engine, the one real GPUs pick,
 * runs it. Out-of-range ids are not checked here: that would read the ids back from the GPU;
 * the class map comes from an argmax over the model's own classes.
 */
import { getKernel, registerKernel, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { BackendError } from '../errors';
import { CLADE_MODULATE, CLADE_MODULATE_SCALED } from '../wasm/clade-modulate';

const WEBGL = 'webgl';

/** The part of tfjs-backend-webgl's MathBackendWebGL used here. */
interface WebglBackendLike {
  runWebGLProgram(program: object, inputs: TensorInfo[], outputDtype: 'float32'): TensorInfo;
}

/**
 * A GPGPUProgram (tfjs-backend-webgl's shape; its getters getX, getIndices, … come from
 * `variableNames`). x [N,h,w,C], indices [N,h,w], Γ/B [K,C], the scales [N,h,w,1]. The product
 * and the sum are separate statements, as the composed kernels round (a GPU may still fuse them).
 */
function program(shape: number[], scaled: boolean) {
  return {
    variableNames: ['x', 'indices', 'gamma', 'beta', ...(scaled ? ['gammaScale', 'betaScale'] : [])],
    outputShape: shape,
    userCode: `
      void main() {
        ivec4 p = getOutputCoords();
        int k = int(round(getIndices(p.x, p.y, p.z)));
        float g = getGamma(k, p.w);
        float b = getBeta(k, p.w);
        ${scaled ? 'g *= getGammaScale(p.x, p.y, p.z, 0); b *= getBetaScale(p.x, p.y, p.z, 0);' : ''}
        float t = getX(p.x, p.y, p.z, p.w) * g;
        setOutput(t + b);
      }`,
  };
}

const cladeModulateWebgl: KernelFunc = ({ inputs, backend }) => {
  const { x, indices, gamma, beta, gammaScale, betaScale } = inputs as Record<'x' | 'indices' | 'gamma' | 'beta', TensorInfo> &
    Partial<Record<'gammaScale' | 'betaScale', TensorInfo>>;
  const scaled = gammaScale !== undefined || betaScale !== undefined;
  const [n, h, w, c] = x.shape;
  const ok =
    x.shape.length === 4 &&
    indices.dtype === 'int32' &&
    indices.shape.join() === [n, h, w].join() &&
    gamma.shape.length === 2 &&
    gamma.shape[1] === c &&
    gamma.shape.join() === beta.shape.join() &&
    (!scaled || (gammaScale?.shape.join() === [n, h, w, 1].join() && betaScale?.shape.join() === [n, h, w, 1].join()));
  if (!ok)
    throw new BackendError(
      `${CLADE_MODULATE} (webgl): expected x [N,h,w,C], int32 indices [N,h,w], Γ and B ` +
        `[K,C] (and both or neither of gammaScale, betaScale [N,h,w,1]); got x [${x.shape}], ` +
        `indices [${indices.shape}] ${indices.dtype}, Γ [${gamma.shape}], B [${beta.shape}].`,
    );
  const ins = [x, indices, gamma, beta, ...(scaled ? [gammaScale!, betaScale!] : [])];
  return (backend as WebglBackendLike).runWebGLProgram(program(x.shape, scaled), ins, 'float32');
};

/** Registers the fused CLADE kernels for the 'webgl' backend (idempotent; harmless where WebGL never runs). */
export function registerWebglKernels(): void {
  for (const kernelName of [CLADE_MODULATE, CLADE_MODULATE_SCALED])
    if (!getKernel(kernelName, WEBGL)) registerKernel({ kernelName, backendName: WEBGL, kernelFunc: cladeModulateWebgl });
}
