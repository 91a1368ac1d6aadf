import { OrtGenerator, exportGeneratorToOnnx, nativeOrtAvailability } from '@clade/onnx';
import { onnxExportable, type LoadedGenerator } from '../model-folder/clade-json';
import type { GeneratorEngine } from './engine';
import { generatorSpec } from './prepare';
import { Synthesizer } from './synthesizer';

/**
 * The generator through onnxruntime: exported in memory (our ONNX writer), run by onnxruntime-node.
 * With @clade/ort-native built, CLADE's modulation runs as our fused op (same onnxruntime, equal
 * within 1e-5). The label goes in as class indices; the graph does the one-hot and the lookups.
 */
export async function ortEngine(g: LoadedGenerator, options: { threads?: number } = {}): Promise<GeneratorEngine> {
  const native = (await nativeOrtAvailability()).available;
  const ort = await OrtGenerator.create(exportGeneratorToOnnx(onnxExportable(g), { fusedClade: native }), {
    engine: native ? 'native' : 'onnxruntime-node',
    ...(options.threads !== undefined && { threads: options.threads }),
  });
  return {
    name: native ? 'onnxruntime (@clade/ort-native, fused CLADE)' : 'onnxruntime-node',
    async run(p) {
      const out = await ort.run({
        label: p.classes,
        ...(p.edges && { edge: Float32Array.from(p.edges) }),
        ...(p.positional && { dist: p.positional }),
        ...(p.z && { z: p.z }),
      });
      const [, height, width] = out.shape;
      return { values: out.data, width, height };
    },
    async dispose() {
      await ort.dispose();
      g.model.dispose();
    },
  };
}

/** A loaded generator on onnxruntime (the fused CLADE op where @clade/ort-native is built). */
export async function ortSynthesizer(g: LoadedGenerator, options: { threads?: number } = {}): Promise<Synthesizer> {
  return new Synthesizer(generatorSpec(g), await ortEngine(g, options));
}
