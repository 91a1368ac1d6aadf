import { loadOrt } from '@clade/onnx';
import type * as OrtNode from 'onnxruntime-node';

/**
 * onnxruntime-node comes through @clade/onnx, the one package that loads it (lazily, so FID/KID
 * users never load the native binding). Only the tensor helper the segmenter needs lives here.
 */
export { createSession, MODEL_LOAD_TIMEOUT_MS, type OrtSession } from '@clade/onnx';

/** A float32 tensor for `feeds`. */
export async function floatTensor(data: Float32Array, dims: number[]): Promise<OrtNode.Tensor> {
  const { Tensor } = await loadOrt();
  return new Tensor('float32', data, dims);
}
