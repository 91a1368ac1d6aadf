import * as tf from '@tensorflow/tfjs-core';
import { labelsToSegmap } from '@clade/core';
import { measureConvGflops } from '@clade/backend';
import { MultiscaleDiscriminator, SpadeGenerator, discriminatorCost, generatorCost } from '@clade/spade-gen';
import { adamBetas, learningRates, resolveRunConfig, trainStep, type StepBatch } from '@clade/trainer';
import { median, peakMemoryMb, printTable, withComposedRuns, withoutFusedClade } from '../lib';
import { usesDist, variantConfig, type Variant } from '../variants';

export interface TrainStepBenchOptions {
  backends: string[];
  /** Norms to compare; the first is the reference of the ratio column. */
  norms: Variant[];
  ngf: number;
  ndf: number;
  cropSize: number;
  batchSize: number;
  /** Timed steps (median) after one warm-up step. */
  reps: number;
  /**
   * Steps estimated (cost model ÷ the backend's conv fwd+bwd GFLOP/s) to take longer than this are
   * skipped; so are the timed steps after a warm-up slower than this.
   */
  maxSecondsPerStep: number;
}

/**
 * Training iterations/s (one official G step + D step, TTUR Adam, hinge + feature matching, no
 * VGG) for each norm at the same size, per backend, on a random ADE20K-sized batch.
 */
export async function benchTrainStep(o: TrainStepBenchOptions): Promise<void> {
  const labelNc = 150;
  const run = resolveRunConfig({
    generator: { labelNc, containDontcare: true },
    data: { dataset: 'ade20k', root: '.', batchSize: o.batchSize },
    loss: { lambdaVgg: 0 },
  });
  const { beta1, beta2 } = adamBetas(run.optim);
  const lr = learningRates(run.optim, 1);
  const rows: Array<Array<string | number>> = [];
  for (const backend of o.backends) {
    await tf.setBackend(backend);
    const gflops = await measureConvGflops({ backend, mode: 'forwardBackward' });
    const batch: StepBatch = tf.tidy(() => ({
      seg: labelsToSegmap(tf.randomUniform([o.batchSize, o.cropSize, o.cropSize], 0, labelNc + 1, 'int32', 1), labelNc + 1),
      image: tf.randomUniform([o.batchSize, o.cropSize, o.cropSize, 3], -1, 1, 'float32', 2) as tf.Tensor4D,
    }));
    const dist = tf.randomUniform([o.batchSize, o.cropSize, o.cropSize, 2], -1, 1, 'float32', 3) as tf.Tensor4D; // CLADE-ICPE only
    const rates: number[] = [];
    for (const { variant, label, composed } of withComposedRuns(o.norms, backend)) {
      const config = { labelNc, containDontcare: true, ...variantConfig(variant), ngf: o.ngf, cropSize: o.cropSize };
      // FLOPs of an iteration, counted as the fwd+bwd measurement counts them (backward = 2× forward):
      // G step = G fwd+bwd + D fwd+bwd on fake‖real; D step = G fwd + D fwd+bwd on fake‖real.
      const gMacs = generatorCost(config).macs.total * o.batchSize;
      const dMacs = discriminatorCost({ labelNc, containDontcare: true, ndf: o.ndf }, o.cropSize, o.cropSize).macs * 2 * o.batchSize;
      const estimate = (2 * (4 * gMacs + 6 * dMacs)) / 1e9 / gflops;
      if (estimate > o.maxSecondsPerStep) {
        if (!composed) rates.push(NaN);
        rows.push([backend, label, '-', estimate.toFixed(1), `skipped (est. ${estimate.toFixed(0)} s > --max-seconds)`, '-', '-', '-']);
        continue;
      }
      const G = new SpadeGenerator({ ...config, initSeed: 1 });
      const D = new MultiscaleDiscriminator({ labelNc, containDontcare: true, ndf: o.ndf, initSeed: 2 });
      const optG = tf.train.adam(lr.g, beta1, beta2);
      const optD = tf.train.adam(lr.d, beta1, beta2);
      // trainStep reads every loss back, so each step has finished when it returns.
      const step = () => {
        const t0 = performance.now();
        trainStep({ G, D, optG, optD }, usesDist(variant) ? { ...batch, dist } : batch, run.loss);
        return (performance.now() - t0) / 1000;
      };
      const measure = async () => {
        const warm = step(); // builds the optimizer slots, compiles kernels
        // Peak above the nets, batch and optimizer slots: the step's activations and gradients.
        const peak = await peakMemoryMb(() => void step());
        process.stderr.write(`train-step: ${backend} ${label} warm-up ${warm.toFixed(1)} s (estimated ${estimate.toFixed(1)} s)\n`);
        const times: number[] = [];
        if (warm <= o.maxSecondsPerStep) for (let i = 0; i < o.reps; i++) times.push(step());
        return { warm, peak, times };
      };
      const { warm, peak, times } = composed ? await withoutFusedClade(backend, measure) : await measure();
      const s = median(times);
      if (!composed) rates.push(1 / s);
      const ratio = Number.isNaN(s) || Number.isNaN(rates[0]!) ? '-' : `${(1 / s / rates[0]!).toFixed(2)}x`;
      rows.push([
        backend,
        label,
        (G.countParams() / 1e6).toFixed(2),
        estimate.toFixed(1),
        Number.isNaN(s) ? `skipped (warm-up ${warm.toFixed(0)} s)` : (s * 1000).toFixed(0),
        Number.isNaN(s) ? '-' : (1 / s).toFixed(2),
        ratio,
        peak.toFixed(0),
      ]);
      optG.dispose();
      optD.dispose();
      G.dispose();
      D.dispose();
    }
    tf.dispose([batch.seg, batch.image, dist]);
  }
  process.stdout.write(
    `\nTraining step (G step + D step, TTUR Adam, hinge + feature matching), ADE20K ${o.cropSize}², ngf ${o.ngf}, ndf ${o.ndf}, ` +
      `batch ${o.batchSize} (median of ${o.reps} after 1 warm-up)\n`,
  );
  printTable(['backend', 'norm', 'G Mparams', 'est. s/it', 'ms/it', 'it/s', `it/s vs ${o.norms[0]}`, 'step peak MB'], rows);
}
