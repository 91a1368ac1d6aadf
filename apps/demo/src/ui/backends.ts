import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

/** Backends the page can run on; 'auto' measures webgl and wasm on the model and keeps the faster. */
export const BACKEND_CHOICES = ['auto', 'webgl', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
export const MEASURED_BACKENDS = ['wasm', 'webgl'] as const;

export function parseBackendChoice(v: string | null): BackendChoice {
  if (v === null || v === '') return 'auto';
  if ((BACKEND_CHOICES as readonly string[]).includes(v)) return v as BackendChoice;
  throw new Error(`demo: ?backend= must be one of ${BACKEND_CHOICES.join(', ')}, got '${v}'.`);
}

// The server serves tfjs-backend-wasm's dist/*.wasm under /wasm/.
setWasmPaths('/wasm/');
// tfjs asks for half the cores (at most 4); the page runs one synthesis at a time, so it asks for
// all of them, still at most 4. Must run before the backend starts. The bench row shows the count
// the wasm module really runs with (headless Chromium on the 2-core CI machine: 1).
if (typeof navigator !== 'undefined') setThreadsCount(Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1)));

/** Switches to `name`; false when this browser cannot run it (no WebGL, no wasm). */
export async function trySetBackend(name: string): Promise<boolean> {
  try {
    return (await tf.setBackend(name)) && tf.getBackend() === name;
  } catch {
    return false;
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
  if (name === 'webgl') {
    const gl = webglRenderer();
    return !gl ? 'no WebGL context' : gl.software ? `software GL: ${gl.renderer}` : gl.renderer;
  }
  if (name === 'wasm') {
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threaded = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    const threads = threaded && tf.getBackend() === 'wasm' ? getThreadsCount() : 1;
    return `${simd ? 'SIMD' : 'no SIMD'}, ${threads} thread${threads === 1 ? '' : 's'}${threaded ? '' : ' (page not cross-origin isolated)'}`;
  }
  return 'plain JavaScript';
}
