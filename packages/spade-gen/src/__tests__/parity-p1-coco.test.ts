// Golden parity: ../shared/fixtures/p1_coco_generator, produced by the official PyTorch code
// (NVlabs/SPADE@fecacc92 for SPADE, tzt101/CLADE@1ffd19da for CLADE / CLADE-ICPE; torch 2.13 CPU;
// COCO-Stuff config, ngf 4, crop 64, instances on; see that folder's manifest.json).
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { describeWithShared, maxAbsDiff, sharedPath } from '@clade/test-utils';
import { readNpy, readTorchCheckpoint } from '@clade/core';
import { SpadeGenerator, type NormMode } from '../index';

const DIR = 'fixtures/p1_coco_generator';
const bytes = (f: string) => new Uint8Array(readFileSync(sharedPath(DIR, f)));
function nhwc(f: string): tf.Tensor4D {
  const a = readNpy(bytes(f), f);
  const t = tf.tensor4d(Float32Array.from(a.data as ArrayLike<number>), a.shape as [number, number, number, number]);
  return tf.transpose(t, [0, 2, 3, 1]);
}

const COCO = { labelNc: 182, containDontcare: true, useInstance: true, ngf: 4, cropSize: 64 };
const CASES: Array<{ tag: string; normMode: NormMode; files: string[] }> = [
  { tag: 'spade', normMode: 'spade', files: ['spade_G.pth'] },
  { tag: 'clade', normMode: 'clade', files: ['clade_G.pth', 'clade_G.legacy.pth'] },
  { tag: 'clade_icpe', normMode: 'cladeIcpe', files: ['clade_icpe_G.pth'] },
];

describeWithShared('generator parity with the official PyTorch generators (p1_coco_generator)', [`${DIR}/manifest.json`], () => {
  // Forward-only: the wasm backend runs SPADE's 184→128 convs ~40× faster than cpu.
  beforeAll(() => tf.setBackend('wasm'));
  afterAll(() => tf.setBackend('cpu'));
  for (const c of CASES) {
    for (const file of c.files) {
      it(`${c.tag} from ${file}: output and every block within 1e-4`, () => {
        const g = new SpadeGenerator({ ...COCO, normMode: c.normMode });
        g.loadTorchStateDict(readTorchCheckpoint(bytes(file), file), file);
        const seg = nhwc('input_semantics.npy');
        const dist = c.normMode === 'cladeIcpe' ? nhwc('input_dist.npy') : undefined;
        const out = g.apply({ seg, dist });
        const diffs: Record<string, number> = { output: maxAbsDiff(out, nhwc(`${c.tag}_output.npy`)) };
        for (const [name, act] of g.activations({ seg, dist })) {
          diffs[name] = maxAbsDiff(act, nhwc(`${c.tag}_act_${name}.npy`));
        }
        for (const [name, d] of Object.entries(diffs)) expect({ name, ok: d <= 1e-4, d }).toEqual({ name, ok: true, d });
      });
    }
  }
});
