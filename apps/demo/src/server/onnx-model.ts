import { exportGeneratorToOnnx } from '@clade/onnx';
import { initBackend } from '@clade/backend';
import { onnxExportable } from '@clade/runtime';
import { loadGeneratorDir } from '@clade/runtime/node';

/**
 * The ONNX form of a model folder, for the page's onnxruntime-web engine: exported by our own
 * writer (`clade export-onnx`'s code path) on first request and kept in memory, so the folder
 * needs no second copy of its weights.
 */
export function onnxModelCache(): (modelDir: string) => Promise<Uint8Array> {
  const cache = new Map<string, Promise<Uint8Array>>();
  // One export at a time: the page asks for every model at once, and the backend must start once.
  let queue: Promise<unknown> = initBackend({ backend: 'auto' });
  const exportDir = async (modelDir: string): Promise<Uint8Array> => {
    const g = await loadGeneratorDir(modelDir);
    try {
      return exportGeneratorToOnnx(onnxExportable(g), { doc: `clade demo: ${modelDir}` });
    } finally {
      g.model.dispose();
    }
  };
  return (modelDir) => {
    let bytes = cache.get(modelDir);
    if (!bytes) {
      bytes = queue.then(() => exportDir(modelDir));
      queue = bytes.catch(() => undefined);
      cache.set(modelDir, bytes);
    }
    return bytes;
  };
}
