import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { measureConvGflops } from '@clade/backend';
import { labelsToSegmap } from '@clade/core';
import { SpadeGenerator, generatorCost, type GeneratorConfig } from '@clade/spade-gen';
import { median, peakMemoryMb, printTable, weightsMb, withComposedRuns, withoutFusedClade } from '../lib';
import { usesDist, variantConfig, type Variant } from '../variants';

export interface GeneratorBenchOptions {
  backends: string[];
  /** Variants to compare; the first is the reference of the ratio column. */
  norms: Variant[];
  ngf: number;
  cropSize: number;
  reps: number;
  maxSecondsPerRun: number;
  gflops: Record<string, number>;
}

const NORM_LAYERS = new Set(['SPADE', 'CLADE', 'CLADEICPE']);

/**
 * Median forward time and the median time spent inside the norm layers' `call`s (paper Table
 * III's split). Exact on the synchronous backends (wasm, cpu, tensorflow): an op's kernel has
 * finished when it returns.
 */
async function timeWithNormShare(model: tfl.LayersModel, forward: () => tf.Tensor, reps: number): Promise<{ ms: number; normMs: number }> {
  let normMs = 0;
  const wrapped = model.layers.filter((l) => NORM_LAYERS.has(l.getClassName()));
  const calls = wrapped.map((l) => l.call);
  wrapped.forEach((l, i) => {
    l.call = (...args) => {
      const t0 = performance.now();
      try {
        return calls[i]!.apply(l, args);
      } finally {
        normMs += performance.now() - t0;
      }
    };
  });
  try {
    const runs: Array<{ ms: number; normMs: number }> = [];
    for (let i = 0; i <= reps; i++) {
      normMs = 0;
      const t0 = performance.now();
      const out = forward();
      await out.data();
      out.dispose();
      if (i > 0) runs.push({ ms: performance.now() - t0, normMs }); // run 0 warms up
    }
    return { ms: median(runs.map((r) => r.ms)), normMs: median(runs.map((r) => r.normMs)) };
  } finally {
    wrapped.forEach((l, i) => (l.call = calls[i]!));
  }
}

/**
 * ADE20K generator forward (eval, batch 1) per backend and norm, with the norm layers' share of
 * it; ratios against the first norm. Where the backend has CLADE's fused kernels, CLADE and
 * CLADE-ICPE also run once without them ('clade, composed'), to show what the fusion saves.
 */
export async function benchGenerator(o: GeneratorBenchOptions): Promise<void> {
  const base: Partial<GeneratorConfig> & { labelNc: number } = { labelNc: 150, containDontcare: true, ngf: o.ngf, cropSize: o.cropSize };
  const rows: Array<Array<string | number>> = [];
  for (const backend of o.backends) {
    await tf.setBackend(backend);
    o.gflops[backend] ??= await measureConvGflops({ backend, mode: 'forward' });
    const seg = tf.tidy(() => labelsToSegmap(tf.randomUniform([1, o.cropSize, o.cropSize], 0, 151, 'int32', 1), 151));
    const dist = tf.randomUniform([1, o.cropSize, o.cropSize, 2], -1, 1, 'float32', 2) as tf.Tensor4D;
    const times: number[] = [];
    for (const { variant, label, composed } of withComposedRuns(o.norms, backend)) {
      const config = { ...base, ...variantConfig(variant) };
      const macs = generatorCost(config).macs.total;
      const estimate = (2 * macs) / 1e9 / o.gflops[backend]!;
      let ms = NaN;
      let norm = '-';
      let memory = ['-', '-'];
      if (estimate <= o.maxSecondsPerRun) {
        const g = new SpadeGenerator(config);
        const forward = () => g.apply({ seg, dist: usesDist(variant) ? dist : undefined });
        const measure = async () => {
          const t = await timeWithNormShare(g.model, forward, o.reps);
          memory = [weightsMb(g.countParams()).toFixed(0), (await peakMemoryMb(forward)).toFixed(0)];
          return t;
        };
        const t = composed ? await withoutFusedClade(backend, measure) : await measure();
        ms = t.ms;
        norm = `${t.normMs.toFixed(0)} (${((100 * t.normMs) / t.ms).toFixed(1)} %)`;
        g.dispose();
      }
      if (!composed) times.push(ms);
      const ratio = Number.isNaN(ms) || Number.isNaN(times[0]!) ? '-' : `${(times[0]! / ms).toFixed(2)}x`;
      rows.push([
        backend,
        label,
        (macs / 1e9).toFixed(1),
        Number.isNaN(ms) ? `skipped (est. ${estimate.toFixed(0)} s)` : ms.toFixed(0),
        norm,
        Number.isNaN(ms) ? '-' : ((2 * macs) / 1e6 / ms).toFixed(1),
        ratio,
        ...memory,
      ]);
    }
    tf.dispose([seg, dist]);
  }
  process.stdout.write(`\nGenerator forward, ADE20K ${o.cropSize}², ngf ${o.ngf}, batch 1, eval (median of ${o.reps})\n`);
  printTable(['backend', 'norm', 'GMAC', 'ms', 'norm layers ms (share)', 'GFLOP/s', `${o.norms[0]}/this`, 'weights MB', 'peak activations MB'], rows);
}
