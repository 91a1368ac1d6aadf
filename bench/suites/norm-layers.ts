import * as tf from '@tensorflow/tfjs-core';
import { CLADE, SPADE, cladeCost, spadeCost } from '@clade/core';
import { measureConvGflops } from '@clade/backend';
import { printTable, timeMedian } from '../lib';

export interface NormBenchOptions {
  backends: string[];
  size: number;
  channels: number;
  classes: number;
  reps: number;
  /** Skip a case whose estimated time (cost model / measured throughput) exceeds this. */
  maxSecondsPerRun: number;
  /** GFLOP/s per backend, to estimate and skip hopeless cases (e.g. SPADE on cpu). */
  gflops: Record<string, number>;
}

/** CLADE vs SPADE layer forward time at [1,size,size,channels] with `classes` classes, per backend. */
export async function benchNormLayers(o: NormBenchOptions): Promise<void> {
  const { size, channels: c, classes: k } = o;
  const spadeMacs = spadeCost({ semanticNc: k, normNc: c, height: size, width: size }).macs;
  const cladeMacs = cladeCost({ numClasses: k, normNc: c, height: size, width: size }).macs;
  const rows: Array<Array<string | number>> = [];
  for (const backend of o.backends) {
    await tf.setBackend(backend);
    o.gflops[backend] ??= await measureConvGflops({ backend, mode: 'forward' });
    const x = tf.randomNormal([1, size, size, c]) as tf.Tensor4D;
    const ids = tf.randomUniform([1, size, size], 0, k, 'int32');
    const seg = tf.cast(tf.oneHot(ids, k), 'float32') as tf.Tensor4D;
    const clade = new CLADE({ numClasses: k, name: 'clade' });
    const spade = new SPADE({ semanticNc: k, name: 'spade' });
    const est = (macs: number) => (2 * macs) / 1e9 / (o.gflops[backend] ?? 1);
    const time = async (layer: CLADE | SPADE, macs: number) =>
      est(macs) > o.maxSecondsPerRun ? NaN : timeMedian(() => layer.apply([x, seg]) as tf.Tensor, o.reps);
    const tc = await time(clade, cladeMacs);
    const ts = await time(spade, spadeMacs);
    rows.push([backend, fmt(ts), fmt(tc), Number.isNaN(ts / tc) ? '-' : `${(ts / tc).toFixed(1)}x`]);
    tf.dispose([x, ids, seg]);
    for (const layer of [clade, spade]) if (layer.built) layer.dispose();
  }
  process.stdout.write(`\nNorm layer forward, x [1,${size},${size},${c}], ${k} classes (eval mode, median of ${o.reps})\n`);
  process.stdout.write(
    `cost model: SPADE ${(spadeMacs / 1e9).toFixed(2)} GMAC, CLADE ` +
      `${(cladeMacs / 1e6).toFixed(2)} MMAC (${(spadeMacs / cladeMacs).toFixed(0)}x)\n`,
  );
  printTable(['backend', 'SPADE ms', 'CLADE ms', 'SPADE/CLADE'], rows);
}

function fmt(ms: number): string {
  return Number.isNaN(ms) ? 'skipped (too slow)' : ms.toFixed(1);
}
