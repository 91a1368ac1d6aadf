// Composing CLADE into your own tfjs generator: build it, train one step, save it to a folder,
// load it back with tf.loadLayersModel and get the same output. src/__tests__/readme-example.test.ts
// runs this file, and checks that the excerpts in ../README.md are copied from it verbatim.
//
// Run it on its own (from packages/core):
//   pnpm exec tsx --conditions=@clade/source examples/compose-clade.ts
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { CLADE, labelsToSegmap } from '@clade/core';

/** A label map → RGB generator: conv → CLADE → ReLU → conv to 3 channels → tanh, NHWC. */
export function buildGenerator(numClasses: number, size: number): tf.LayersModel {
  // The one-hot label map feeds the first conv and every CLADE layer (which resizes it to x).
  const seg = tf.input({ shape: [size, size, numClasses], name: 'seg' });
  const x = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', name: 'head' }).apply(seg) as tf.SymbolicTensor;
  // The default param-free norm is 'syncBatch': running statistics start at mean 0, variance 1.
  // See "Eval mode" in the README before calling predict() on a model that has not trained.
  const norm = new CLADE({ numClasses, name: 'norm', initSeed: 1 });
  const y = tf.layers.reLU().apply(norm.apply([x, seg])) as tf.SymbolicTensor;
  const rgb = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'tanh', name: 'to_rgb' }).apply(y);
  return tf.model({ inputs: seg, outputs: rgb as tf.SymbolicTensor, name: 'tiny_clade_generator' });
}

/** One optimizer step on an L1 loss; returns the loss. */
export function trainStep(model: tf.LayersModel, optimizer: tf.Optimizer, seg: tf.Tensor, target: tf.Tensor): number {
  // training: true reaches CLADE through the model: it normalises with the batch's statistics
  // and moves its running mean/variance towards them (momentum 0.1, as PyTorch).
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const loss = optimizer.minimize(
    () => tf.losses.absoluteDifference(target, model.apply(seg, { training: true }) as tf.Tensor) as tf.Scalar,
    true,
    vars,
  )!;
  const value = loss.dataSync()[0]!;
  loss.dispose();
  return value;
}

/** A model.save() target: <dir>/model.json + <dir>/weights.bin, tfjs-node's file:// layout without tfjs-node. */
export function folderSaveHandler(dir: string): tf.io.IOHandler {
  return tf.io.withSaveHandler(async (artifacts) => {
    const weights = tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? []);
    await writeFile(path.join(dir, 'weights.bin'), new Uint8Array(weights));
    const modelJson: tf.io.ModelJSON = {
      modelTopology: artifacts.modelTopology as tf.io.ModelJSON['modelTopology'], // JSON for a LayersModel
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy,
      weightsManifest: [{ paths: ['./weights.bin'], weights: artifacts.weightSpecs ?? [] }],
    };
    await writeFile(path.join(dir, 'model.json'), JSON.stringify(modelJson));
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
  });
}

/** The matching tf.loadLayersModel() source. */
export function folderLoadHandler(dir: string): tf.io.IOHandler {
  return {
    async load() {
      const modelJson = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
      const bytes = await readFile(path.join(dir, 'weights.bin'));
      const weights = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => [manifest.flatMap((g) => g.weights), weights]);
    },
  };
}

/** Quadrant label maps [n,size,size] with ids 0..3: a stand-in for a dataset's masks. */
function quadrantLabels(n: number, size: number): tf.Tensor3D {
  const ids = new Int32Array(n * size * size);
  for (let i = 0; i < ids.length; i++) {
    const [r, c] = [Math.floor(i / size) % size, i % size];
    ids[i] = (r < size / 2 ? 0 : 2) + (c < size / 2 ? 0 : 1);
  }
  return tf.tensor3d(ids, [n, size, size], 'int32');
}

export interface ExampleResult {
  /** Training loss of the one step. */
  loss: number;
  /** predict() of the trained model and of the model loaded from its folder. */
  trained: Float32Array;
  loaded: Float32Array;
}

/** Build, train one step, save to `dir`, load, and predict with both models. Frees every tensor. */
export async function composeClade(dir: string): Promise<ExampleResult> {
  const numClasses = 4;
  const size = 8;
  const labels = quadrantLabels(2, size);
  const seg = labelsToSegmap(labels, numClasses); // one-hot [2,8,8,4]
  const target = tf.randomUniform([2, size, size, 3], -1, 1, 'float32', 7);
  const model = buildGenerator(numClasses, size);
  const optimizer = tf.train.adam(1e-3);
  try {
    const loss = trainStep(model, optimizer, seg, target);
    await model.save(folderSaveHandler(dir));
    const loaded = await tf.loadLayersModel(folderLoadHandler(dir)); // CLADE registered itself on import
    try {
      // predict() runs in eval mode: CLADE uses the running statistics, which were saved too.
      const outputOf = (m: tf.LayersModel) => tf.tidy(() => (m.predict(seg) as tf.Tensor).dataSync() as Float32Array);
      return { loss, trained: outputOf(model), loaded: outputOf(loaded) };
    } finally {
      loaded.dispose();
    }
  } finally {
    tf.dispose([labels, seg, target]);
    model.dispose();
    optimizer.dispose();
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'compose-clade-'));
  try {
    const { loss, trained, loaded } = await composeClade(dir);
    const same = trained.every((v, i) => v === loaded[i]);
    console.log(`loss ${loss.toFixed(4)}; saved to ${dir}; loaded model gives the same output: ${same}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// Run as a script (tsx), not when the test imports it (no import.meta: the tests compile to CommonJS).
if (process.argv[1]?.endsWith('compose-clade.ts')) void main();
