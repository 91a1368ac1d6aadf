import * as tf from '@tensorflow/tfjs-core';
import { measureConvGflops } from '@clade/backend';
import { labelsToSegmap } from '@clade/core';
import { SpadeGenerator, generatorCost, type GeneratorConfig } from '@clade/spade-gen';
import { peakMemoryMb, printTable, timeMedian, weightsMb } from '../lib';
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

/** ADE20K generator forward (eval, batch 1) per backend and norm; ratios against the first norm. */
export async function benchGenerator(o: GeneratorBenchOptions): Promise<void> {
  const base: Partial<GeneratorConfig> & { labelNc: number } = { labelNc: 150, containDontcare: true, ngf: o.ngf, cropSize: o.cropSize };
  const rows: Array<Array<string | number>> = [];
  for (const backend of o.backends) {
    await tf.setBackend(backend);
    o.gflops[backend] ??= await measureConvGflops({ backend, mode: 'forward' });
    const seg = tf.tidy(() => labelsToSegmap(tf.randomUniform([1, o.cropSize, o.cropSize], 0, 151, 'int32', 1), 151));
    const dist = tf.randomUniform([1, o.cropSize, o.cropSize, 2], -1, 1, 'float32', 2) as tf.Tensor4D;
    const times: number[] = [];
    for (const variant of o.norms) {
      const config = { ...base, ...variantConfig(variant) };
      const macs = generatorCost(config).macs.total;
      const estimate = (2 * macs) / 1e9 / o.gflops[backend]!;
      let ms = NaN;
      let memory = ['-', '-'];
      if (estimate <= o.maxSecondsPerRun) {
        const g = new SpadeGenerator(config);
        const forward = () => g.apply({ seg, dist: usesDist(variant) ? dist : undefined });
        ms = await timeMedian(forward, o.reps);
        memory = [weightsMb(g.countParams()).toFixed(0), (await peakMemoryMb(forward)).toFixed(0)];
        g.dispose();
      }
      times.push(ms);
      const ratio = Number.isNaN(ms) || Number.isNaN(times[0]!) ? '-' : `${(times[0]! / ms).toFixed(2)}x`;
      rows.push([
        backend,
        variant,
        (macs / 1e9).toFixed(1),
        Number.isNaN(ms) ? `skipped (est. ${estimate.toFixed(0)} s)` : ms.toFixed(0),
        Number.isNaN(ms) ? '-' : ((2 * macs) / 1e6 / ms).toFixed(1),
        ratio,
        ...memory,
      ]);
    }
    tf.dispose([seg, dist]);
  }
  process.stdout.write(`\nGenerator forward, ADE20K ${o.cropSize}², ngf ${o.ngf}, batch 1, eval (median of ${o.reps})\n`);
  printTable(['backend', 'norm', 'GMAC', 'ms', 'GFLOP/s', `${o.norms[0]}/this`, 'weights MB', 'peak activations MB'], rows);
}
