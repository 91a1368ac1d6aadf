// Real-weights parity: the official SPADE / CLADE / CLADE-ICPE generators of
// ../shared/fixtures/p1_coco_generator (COCO-Stuff, ngf 4, crop 64, instances on; produced by the
// official PyTorch code, see its manifest.json), loaded into our tfjs generator, exported to ONNX
// and run by onnxruntime-node on the fixture's label / edge / dist maps (NCHW, as ONNX takes them).
import { readFileSync } from 'node:fs';
import { readNpy, readTorchCheckpoint } from '@clade/core';
import { describeWithShared, maxAbsDiff, sharedPath } from '@clade/test-utils';
import { SpadeGenerator, type NormMode } from '@clade/spade-gen';
import { OrtGenerator, exportGeneratorToOnnx } from '../index';

const DIR = 'fixtures/p1_coco_generator';
const bytes = (f: string) => new Uint8Array(readFileSync(sharedPath(DIR, f)));
const npy = (f: string) => readNpy(bytes(f), f);
const COCO = { labelNc: 182, containDontcare: true, useInstance: true, ngf: 4, cropSize: 64 };
const CASES: Array<{ tag: string; normMode: NormMode; file: string }> = [
  { tag: 'spade', normMode: 'spade', file: 'spade_G.pth' },
  { tag: 'clade', normMode: 'clade', file: 'clade_G.pth' },
  { tag: 'clade_icpe', normMode: 'cladeIcpe', file: 'clade_icpe_G.pth' },
];

describeWithShared('ONNX export of the official generators (p1_coco_generator)', [`${DIR}/manifest.json`], () => {
  // Building the tfjs generator (initializers, checkpoint load) is much faster on wasm than cpu.
  beforeAll(async () => {
    const { initBackend } = await import('@clade/backend');
    await initBackend({ backend: 'wasm' });
  });
  afterAll(async () => {
    const tf = await import('@tensorflow/tfjs-core');
    await tf.setBackend('cpu');
  });
  for (const c of CASES) {
    it(`${c.tag}: ORT output equals the official PyTorch output within 1e-4`, async () => {
      const t0 = performance.now();
      const g = new SpadeGenerator({ ...COCO, normMode: c.normMode });
      const t1 = performance.now();
      g.loadTorchStateDict(readTorchCheckpoint(bytes(c.file), c.file), c.file);
      const t2 = performance.now();
      const model = exportGeneratorToOnnx(g);
      const t3 = performance.now();
      const ort = await OrtGenerator.create(model, { threads: 1 });
      g.dispose();
      // eslint-disable-next-line no-console
      console.log(
        `${c.tag}: build ${(t1 - t0).toFixed(0)} ms, load ${(t2 - t1).toFixed(0)} ms, ` +
          `export ${(t3 - t2).toFixed(0)} ms, session ${(performance.now() - t3).toFixed(0)} ms`,
      );
      try {
        const img = await ort.run(
          {
            label: Int32Array.from(npy('input_label.npy').data as Int32Array),
            edge: Float32Array.from(npy('input_edge.npy').data as Float32Array),
            dist: Float32Array.from(npy('input_dist.npy').data as Float32Array),
          },
          'nchw',
        );
        const want = npy(`${c.tag}_output.npy`);
        expect(img.shape).toEqual(want.shape);
        const d = maxAbsDiff(img.data, want.data as Float32Array);
        // eslint-disable-next-line no-console
        console.log(`${c.tag}: max |Δ| vs official output ${d.toExponential(2)}`);
        expect(d).toBeLessThanOrEqual(1e-4);
      } finally {
        await ort.dispose();
      }
    });
  }
});
