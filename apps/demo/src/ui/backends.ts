import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { CLADE_MODULATE, registerWasmKernels, registerWebglKernels } from '@clade/backend';
import { configureOrt, ortDetail } from './ort-runner';

/**
 * Engines the page can run on: 'ort-wasm' is onnxruntime-web (wasm) on the model's ONNX form, the
 * others are tfjs backends; 'auto' measures ort-wasm, wasm and webgl on the model and keeps the fastest.
 */
export const BACKEND_CHOICES = ['auto', 'ort-wasm', 'webgl', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
export const MEASURED_BACKENDS = ['ort-wasm', 'wasm', 'webgl'] as const;
/** The engine that is not a tfjs backend. */
export const ORT_BACKEND = 'ort-wasm';

export function parseBackendChoice(v: string | null): BackendChoice {
  if (v === null || v === '') return 'auto';
  if ((BACKEND_CHOICES as readonly string[]).includes(v)) return v as BackendChoice;
  throw new Error(`demo: ?backend= must be one of ${BACKEND_CHOICES.join(', ')}, got '${v}'.`);
}

// The server serves tfjs-backend-wasm's dist/*.wasm under /wasm/.
setWasmPaths('/wasm/');
// Our wasm kernels: CLADE's guided sampling (GatherV2 along axis 0) as row copies on the wasm
// heap; the stock kernel spent ~85 % of a 256² synthesis there (1.43 of 1.7 s in Chromium).
registerWasmKernels();
// CLADE's modulation as one shader pass on WebGL (the engine real GPUs pick).
registerWebglKernels();
/**
 * Asks tfjs-backend-wasm (and onnxruntime-web) for `n` threads; must run before the wasm backend starts. Its C side caps
 * the pool at navigator.hardwareConcurrency / 2 (it assumes two hyper-threads per core), which on
 * a 2-core machine means one thread whatever setThreadsCount says. The module reads the core count
 * once, while it starts, so the page reports 2n cores to it for that moment.
 */
export function requestWasmThreads(n: number): void {
  setThreadsCount(n);
  configureOrt(n);
  if (n * 2 <= (navigator.hardwareConcurrency || 1)) return;
  Object.defineProperty(navigator, 'hardwareConcurrency', { value: n * 2, configurable: true });
  coresReportedTwice = true;
}
let coresReportedTwice = false;

/** Switches to `name`; false when this browser cannot run it (no WebGL, no wasm). */
export async function trySetBackend(name: string): Promise<boolean> {
  if (name === ORT_BACKEND) return true; // onnxruntime-web runs beside tfjs; its session load is the check
  try {
    return (await tf.setBackend(name)) && tf.getBackend() === name;
  } catch {
    return false;
  } finally {
    // The wasm module has read the core count by now: the page's navigator is the real one again.
    if (name === 'wasm' && coresReportedTwice) {
      delete (navigator as { hardwareConcurrency?: number }).hardwareConcurrency;
      coresReportedTwice = false;
    }
  }
}

/** The WebGL renderer string; software renderers (SwiftShader, llvmpipe) are far slower than wasm. */
export function webglRenderer(): { renderer: string; software: boolean } | null {
  const c = document.createElement('canvas');
  const gl = c.getContext('webgl2') ?? c.getContext('webgl');
  if (!gl) return null;
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  return { renderer, software: /swiftshader|llvmpipe|software/i.test(renderer) };
}

/**
 * What actually runs a backend: the GL renderer for webgl (SwiftShader = software); for wasm what
 * tfjs detected (SIMD, threads) and the thread count it runs with.
 */
export async function backendDetail(name: string): Promise<string> {
  if (name === ORT_BACKEND) return ortDetail();
  // Whether CLADE's modulation runs as our one-pass kernel on this backend (else gathers, Mul, Add).
  const fused = tf.getKernel(CLADE_MODULATE, name) ? ', fused CLADE' : '';
  if (name === 'webgl') {
    const gl = webglRenderer();
    return !gl ? 'no WebGL context' : `${gl.software ? `software GL: ${gl.renderer}` : gl.renderer}${fused}`;
  }
  if (name === 'wasm') {
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threaded = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    const threads = threaded && tf.getBackend() === 'wasm' ? getThreadsCount() : 1;
    return `${simd ? 'SIMD' : 'no SIMD'}, ${threads} thread${threads === 1 ? '' : 's'}${threaded ? '' : ' (page not cross-origin isolated)'}${fused}`;
  }
  return 'plain JavaScript';
}
