import * as ort from 'onnxruntime-web/wasm';
import { seededNormal } from '@clade/core';
import type { GeneratorConfig } from '@clade/spade-gen';
import { resizeMaskNearest, type LabelMask } from '../lib/label-mask';
import { planarImageToRgba } from '../lib/mask-codec';
import { GeneratorSynthesizer, type Synthesized } from './synthesizer';

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

/**
 * A generator's ONNX form (`<model url>model.onnx`, exported by the demo server with our own
 * writer) run by onnxruntime-web's wasm engine: the label map goes in as ids, the graph does the
 * one-hot and the class lookups.
 */
export class OrtRunner extends GeneratorSynthesizer {
  private constructor(
    label: string,
    config: GeneratorConfig,
    private readonly session: ort.InferenceSession,
  ) {
    super(label, config);
  }

  static async load(label: string, url: string, config: GeneratorConfig): Promise<OrtRunner> {
    const res = await fetch(`${url}model.onnx`);
    if (!res.ok) throw new Error(`${label}: ${url}model.onnx could not be fetched (HTTP ${res.status}: ${(await res.text()).trim()}).`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    return new OrtRunner(label, config, session);
  }

  get hasStyle(): boolean {
    return this.session.inputNames.includes('z');
  }

  async synthesize(mask: LabelMask, styleSeed = 0): Promise<Synthesized> {
    const t0 = performance.now();
    const { width, height } = this.size;
    const hw = width * height;
    const m = resizeMaskNearest(mask, width, height);
    const feeds: Record<string, ort.Tensor> = { label: new ort.Tensor('int32', Int32Array.from(m.ids), [1, height, width]) };
    if (this.session.inputNames.includes('edge')) feeds.edge = new ort.Tensor('float32', new Float32Array(hw), [1, 1, height, width]); // no instance edges when painting
    if (this.hasStyle) feeds.z = new ort.Tensor('float32', seededNormal(this.config.zDim, styleSeed), [1, this.config.zDim]);
    const out = (await this.session.run(feeds)).image!;
    // [-1, 1] NCHW → RGBA bytes, truncating like the tfjs path.
    const rgba = planarImageToRgba(out.data as Float32Array);
    out.dispose();
    return { rgba, width, height, ms: performance.now() - t0 };
  }
}
