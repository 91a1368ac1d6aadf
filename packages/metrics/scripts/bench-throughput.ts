// Throughput of the two networks behind the metrics, on this machine:
//   pnpm --filter @clade/metrics exec tsx --conditions=@clade/source scripts/bench-throughput.ts [backend=wasm] [images=8] [segmenter.onnx] [threads]
// Inception: stand-in weights in pytorch-fid's layout (speed does not depend on the values),
// 256×256 inputs (resized to 299² inside, as generated SIS images are), batches of 4.
// Segmenter: the MODELS.md ADE20K model on 256×256 images (stretched to 513²), batch 1.
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@clade/backend';
import { DEEPLABV3_MNV2_ADE20K, FidInceptionV3, OnnxSegmenter, fidInceptionStateShapes } from '../src/index';
import type { NdArray } from '@clade/core';

const backend = process.argv[2] ?? 'wasm';
const images = Number(process.argv[3] ?? 8);
const segPath = process.argv[4] ?? '../../../shared/models/deeplabv3_mnv2_ade20k_513.onnx';
const threads = process.argv[5] ? Number(process.argv[5]) : undefined;

async function main(): Promise<void> {
  const choice = await initBackend({ backend: backend as never, threads });
  const state = new Map<string, NdArray>(
    fidInceptionStateShapes().map(([k, shape]) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(n).fill(k.endsWith('running_var') || k.endsWith('bn.weight') ? 1 : 0.001);
      return [k, { dtype: 'float32', shape, data }];
    }),
  );
  const model = FidInceptionV3.fromStateDict(state);
  const x = tf.randomUniform([4, 256, 256, 3]) as tf.Tensor4D;
  await model.features(x).data(); // warm-up
  let t = performance.now();
  for (let done = 0; done < images; done += 4) {
    const f = model.features(x);
    await f.data();
    f.dispose();
  }
  const inc = images / ((performance.now() - t) / 1000);
  console.log(`inception (pool3, 256² → 299²) on ${choice.name}${choice.threads ? ` ×${choice.threads} threads` : ''}: ${inc.toFixed(2)} images/s`);
  model.dispose();
  x.dispose();
  const seg = await OnnxSegmenter.load(DEEPLABV3_MNV2_ADE20K, segPath, { threads: 2 });
  const img = { width: 256, height: 256, data: Uint8Array.from({ length: 256 * 256 * 3 }, (_, i) => (i * 31) & 255) };
  await seg.predict(img);
  t = performance.now();
  for (let i = 0; i < Math.max(2, images / 2); i++) await seg.predict(img);
  const s = Math.max(2, images / 2) / ((performance.now() - t) / 1000);
  console.log(`segmenter ${DEEPLABV3_MNV2_ADE20K.name} (513², 2 threads, incl. resize): ${s.toFixed(2)} images/s`);
  await seg.dispose();
}
void main();
