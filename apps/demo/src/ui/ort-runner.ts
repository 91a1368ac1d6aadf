import * as ort from 'onnxruntime-web/wasm';
import { Synthesizer, type GeneratorEngine, type GeneratorSpec } from '@clade/runtime';
import { GeneratorSynthesizer } from './synthesizer';

/** onnxruntime-web's files are served under /ort/ (the .wasm it fetches at start). */
ort.env.wasm.wasmPaths = '/ort/';

/** The onnxruntime-web engine: thread count (must be set before the first session). */
export function configureOrt(threads: number): void {
  ort.env.wasm.numThreads = threads;
}

/** "onnxruntime-web 1.30.0, wasm SIMD, 2 threads". */
export function ortDetail(): string {
  const threads = ort.env.wasm.numThreads ?? 1;
  return `onnxruntime-web ${ort.env.versions.web ?? ''}, wasm SIMD, ${threads} thread${threads === 1 ? '' : 's'}`;
}

/** [N,C,H,W] → [H,W,C] of the first image. */
function planarToInterleaved(chw: Float32Array, c: number): Float32Array {
  const hw = chw.length / c;
  const out = new Float32Array(chw.length);
  for (let p = 0; p < hw; p++) for (let k = 0; k < c; k++) out[p * c + k] = chw[k * hw + p]!;
  return out;
}

/** A session of our ONNX export as a runtime engine: the label goes in as class indices, the graph does the one-hot and the class lookups. */
function webEngine(session: ort.InferenceSession): GeneratorEngine {
  return {
    name: 'onnxruntime-web',
    async run(p) {
      const hw = p.width * p.height;
      const feeds: Record<string, ort.Tensor> = { label: new ort.Tensor('int32', p.classes, [1, p.height, p.width]) };
      if (session.inputNames.includes('edge'))
        feeds.edge = new ort.Tensor('float32', p.edges ? Float32Array.from(p.edges) : new Float32Array(hw), [1, 1, p.height, p.width]);
      if (p.z) feeds.z = new ort.Tensor('float32', p.z, [1, p.z.length]);
      const out = (await session.run(feeds)).image!;
      const [, , height, width] = out.dims as number[];
      const values = planarToInterleaved(out.data as Float32Array, 3);
      out.dispose();
      return { values, width: width!, height: height! };
    },
    dispose: () => session.release(),
  };
}

/**
 * A generator's ONNX form (`<model url>model.onnx`, exported by the demo server with our own
 * writer) run by onnxruntime-web's wasm engine, through the same runtime steps as tfjs.
 */
export class OrtRunner extends GeneratorSynthesizer {
  static async load(label: string, url: string, spec: GeneratorSpec): Promise<OrtRunner> {
    const res = await fetch(`${url}model.onnx`);
    if (!res.ok) throw new Error(`${label}: ${url}model.onnx could not be fetched (HTTP ${res.status}: ${(await res.text()).trim()}).`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    return new OrtRunner(label, new Synthesizer(spec, webEngine(session)));
  }
}
