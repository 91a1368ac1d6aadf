// End-to-end check of FidInceptionV3 on weights files written by torch itself:
//   /tmp/v/bin/python scripts/goldens/fid_inception.py /tmp/fid_pth      (writes 3 × ~95 MB .pth, not committed)
//   pnpm exec tsx --conditions=@clade/source scripts/check-torch-pth.ts /tmp/fid_pth [backend=wasm]
// For each file (Inception3 state dict as torch zip and legacy format, num_batches_tracked included;
// pytorch-fid's InceptionV3 wrapper state dict `blocks.<b>.<j>.*`) and each golden case, prints the
// max |Δ| and max |Δ| / max |torch| per tap against src/inception/__tests__/fixtures/fid_inception.json.
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { initBackend, resolveBackendName } from '@clade/backend';
import { FidInceptionV3, INCEPTION_DIMS } from '../src/index';
import { hashedImagesNhwc } from '../src/__tests__/helpers/hashed';

interface GoldenCase {
  seed: number; n: number; height: number; width: number;
  resizeInput: boolean; normalizeInput: boolean; features: Record<string, number[][]>;
}

async function main(): Promise<void> {
  const dir = process.argv[2] ?? '/tmp/fid_pth';
  const choice = await initBackend({ backend: resolveBackendName(process.argv[3] ?? 'wasm'), threads: 2 });
  const golden = JSON.parse(readFileSync(path.join(import.meta.dirname, '../src/inception/__tests__/fixtures/fid_inception.json'), 'utf8')) as {
    torch: string; cases: GoldenCase[];
  };
  console.log(`backend ${choice.name}; golden from torch ${golden.torch}`);
  for (const file of ['hashed_zip.pth', 'hashed_legacy.pth', 'hashed_wrapper.pth']) {
    for (const c of golden.cases) {
      const opts = { resizeInput: c.resizeInput, normalizeInput: c.normalizeInput };
      const model = await FidInceptionV3.load(path.join(dir, file), opts);
      const x = tf.tensor4d(hashedImagesNhwc(c.seed, c.n, c.height, c.width), [c.n, c.height, c.width, 3]);
      const taps = model.taps(x);
      const parts = INCEPTION_DIMS.map((d) => {
        const got = taps[d].arraySync();
        const want = c.features[String(d)]!;
        let maxAbs = 0;
        let scale = 0;
        got.forEach((row, i) => row.forEach((v, j) => {
          maxAbs = Math.max(maxAbs, Math.abs(v - want[i]![j]!));
          scale = Math.max(scale, Math.abs(want[i]![j]!));
        }));
        return `${d}: ${maxAbs.toExponential(2)} (rel ${(maxAbs / scale).toExponential(2)})`;
      });
      console.log(`${file} ${c.n}×${c.height}×${c.width}${c.resizeInput ? '' : ' (no resize/normalize)'}: ${parts.join(', ')}`);
      tf.dispose([x, ...Object.values(taps)]);
      model.dispose();
    }
  }
}
void main();
