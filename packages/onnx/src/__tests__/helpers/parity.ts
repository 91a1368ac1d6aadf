// The parity check both parity-*.test.ts files run (two files so jest runs them in parallel).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { maxAbsDiff } from '@clade/test-utils';
import { SpadeGenerator, type GeneratorConfig } from '@clade/spade-gen';
import { OrtGenerator, exportGeneratorToOnnx, exportLayersModelToOnnx } from '../../index';
import { TINY, randomInputs, rerandomize } from './generators';

export const TOL = 1e-4;

export interface ParityCase {
  tag: string;
  config: Partial<GeneratorConfig>;
  /** Label map size when it differs from the output size. */
  inputSize?: [number, number];
  batch?: number;
  /** Export with the fused CLADE op and run it on the native engine (@clade/ort-native). */
  fused?: boolean;
}

/**
 * For small random generators (re-randomised to O(1) weights and running statistics),
 * onnxruntime-node's output equals the tfjs generator's (eval) within TOL. The tfjs reference
 * runs on wasm (forward only), ORT on 1 thread.
 */
export function describeOnnxParity(CASES: ParityCase[]): void {
  describe('exportGeneratorToOnnx + OrtGenerator: parity with the tfjs generator', () => {
    beforeAll(async () => {
      const { initBackend } = await import('@clade/backend');
      await initBackend({ backend: 'wasm' });
    });
    afterAll(() => tf.setBackend('cpu'));

    CASES.forEach((c, i) => {
      it(`${c.tag}: image (and pre-tanh conv_img) within ${TOL}`, async () => {
        const g = new SpadeGenerator({ ...TINY, ...c.config });
        rerandomize(g, 100 + i);
        const outH = g.model.outputs[0]!.shape[1]!;
        const outW = g.model.outputs[0]!.shape[2]!;
        const size = c.inputSize ?? [outH, outW];
        const n = c.batch ?? 1;
        const inp = randomInputs(g.config, size, 200 + i, n);
        const tfIn = { seg: inp.seg, ...(g.usesDist ? { dist: inp.distT } : {}), ...(g.config.useVae ? { z: inp.zT } : {}) };
        const want = g.apply(tfIn);
        // The pre-tanh map too: tanh saturates, which would hide differences.
        const pre = tfl.model({ inputs: g.model.inputs, outputs: g.model.getLayer('conv_img').output as tfl.SymbolicTensor });
        const wantPre = pre.apply(
          tfIn.dist || tfIn.z ? [tfIn.seg, ...(tfIn.dist ? [tfIn.dist] : []), ...(tfIn.z ? [tfIn.z] : [])] : tfIn.seg,
          { training: false },
        ) as tf.Tensor4D;

        const io = { height: size[0], width: size[1] };
        const engine = c.fused ? { engine: 'native' as const } : {};
        const ort = await OrtGenerator.create(exportGeneratorToOnnx(g, { inputSize: io, ...(c.fused ? { fusedClade: true } : {}) }), { threads: 1, ...engine });
        const preOrt = await OrtGenerator.create(
          exportLayersModelToOnnx(pre, {
            inputSize: io,
            inputs: { seg: { kind: 'semantic', numClasses: g.config.labelNc + 1, edge: g.config.useInstance } },
            outputNames: ['image'],
            ...(c.fused ? { fusedClade: true } : {}),
          }),
          { threads: 1, ...engine },
        );
        try {
          const feeds = { label: inp.label, edge: inp.edge, dist: inp.dist, z: inp.z };
          const got = await ort.run(feeds, 'nhwc');
          expect(got.shape).toEqual(want.shape);
          const gotPre = await preOrt.run(feeds, 'nhwc');
          const dImage = maxAbsDiff(got.data, want);
          const scale = Math.max(1, ...Array.from(wantPre.dataSync(), Math.abs));
          const dPre = maxAbsDiff(gotPre.data, wantPre) / scale;
          // The drop-in path (one-hot seg in, tensor out) gives the same image.
          const viaApply = await ort.apply(tfIn);
          const dApply = maxAbsDiff(viaApply, want);
          viaApply.dispose();
          // eslint-disable-next-line no-console
          console.log(`${c.tag}: max |Δ| image ${dImage.toExponential(2)}, conv_img (relative to max |x| ${scale.toFixed(1)}) ${dPre.toExponential(2)}`);
          // Finite: a NaN anywhere in the outputs would make every max-difference NaN.
          expect([dImage, dPre, dApply].every(Number.isFinite)).toBe(true);
          expect(dImage).toBeLessThanOrEqual(TOL);
          expect(dPre).toBeLessThanOrEqual(TOL);
          expect(dApply).toBeLessThanOrEqual(TOL);
        } finally {
          await ort.dispose();
          await preOrt.dispose();
          tf.dispose([want, wantPre, inp.seg, inp.distT, inp.zT]);
          g.dispose();
        }
      });
    });
  });
}
