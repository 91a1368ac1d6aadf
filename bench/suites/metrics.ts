import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { measureConvGflops } from '@clade/backend';
import type { NdArray } from '@clade/core';
import {
  DEEPLABV3_MNV2_ADE20K,
  FID_INCEPTION_CONVS,
  FidInceptionV3,
  OnnxSegmenter,
  fidInceptionStateShapes,
  frechetDistance,
  type GaussianStats,
} from '@clade/metrics';
import { median, printTable } from '../lib';

export interface MetricsBenchOptions {
  /** tfjs backends for the Inception rows; the first is the reference of the ratio column. */
  backends: string[];
  /** Images per Inception forward (299², so no resize). */
  batch: number;
  /** Timed Inception batches (median) after one warm-up batch. */
  reps: number;
  /** The ONNX segmenter (MODELS.md's DeepLabV3 ADE20K); rows are skipped when it is missing. */
  segmenter: string;
  /** ORT intra-op thread counts to compare; the first is the reference. */
  threads: number[];
  /** Timed segmenter images (median) after one warm-up image. */
  segReps: number;
  /** Fréchet distance dims; the largest is the reference. */
  fdDims: number[];
  /** A Fréchet distance size whose n³ extrapolation from the previous measured size exceeds this is skipped. */
  fdMaxSeconds: number;
  /**
   * A measurement estimated to take longer than this (Inception: conv MACs ÷ the backend's conv
   * GFLOP/s, per batch) is skipped and its estimate shown; so are timed runs after a warm-up slower than this.
   */
  maxSeconds: number;
}

/** Input side of every conv of pytorch-fid's Inception at 299² (the stem shrinks, the mixed blocks keep 35/17/8). */
function inputSide(name: string): number {
  const stem: Record<string, number> = { Conv2d_1a_3x3: 299, Conv2d_2a_3x3: 149, Conv2d_2b_3x3: 147, Conv2d_3b_1x1: 73, Conv2d_4a_3x3: 73 };
  if (name in stem) return stem[name]!;
  const block = name.split('.')[0]!;
  if (/^Mixed_5|^Mixed_6a/.test(block)) return 35;
  if (/^Mixed_6|^Mixed_7a/.test(block)) return 17;
  return 8;
}

/** Multiply-accumulates of one 299² image through the FID Inception (pool3), from the architecture data. */
export function inceptionMacs(): number {
  let macs = 0;
  // Inside a block, convs after the first of a branch see that branch's side, which equals the block's
  // input side except after a stride-2 conv (the last conv of a Mixed_6a/7a branch: nothing follows it).
  for (const c of FID_INCEPTION_CONVS) {
    const side = inputSide(c.name);
    const out = c.pad === 'same' ? side : Math.floor((side - c.kh) / c.stride) + 1;
    macs += out * out * c.kh * c.kw * c.cin * c.cout;
  }
  return macs;
}

/** A dense, full-rank SPD matrix in O(d²): Kac–Murdock–Szegő ρ^|i−j| scaled by s_i s_j. */
function kmsStats(d: number, rho: number, shift: number): GaussianStats {
  const sigma = new Float64Array(d * d);
  const s = Float64Array.from({ length: d }, (_, i) => 0.5 + ((i * 37) % 101) / 101);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) sigma[i * d + j] = s[i]! * s[j]! * rho ** Math.abs(i - j);
  const mu = Float64Array.from({ length: d }, (_, i) => shift * Math.sin(i));
  return { dims: d, mu, sigma };
}


/**
 * Throughput of what `clade eval` spends its time on: Inception pool3 features (images/s per tfjs
 * backend), the ONNX segmenter (images/s per ORT thread count, PIL resize to 513² and nearest
 * resize back included), and the float64 Fréchet distance at several dims.
 */
export async function benchMetrics(o: MetricsBenchOptions): Promise<void> {
  // Inception: stand-in weights in pytorch-fid's layout (the speed does not depend on the values).
  const state = new Map<string, NdArray>(
    fidInceptionStateShapes().map(([k, shape]) => {
      const data = new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(k.endsWith('running_var') || k.endsWith('bn.weight') ? 1 : 0.001);
      return [k, { dtype: 'float32', shape, data } as NdArray];
    }),
  );
  const gmacs = inceptionMacs() / 1e9;
  const incRows: Array<Array<string | number>> = [];
  const incRates: number[] = [];
  for (const backend of o.backends) {
    await tf.setBackend(backend);
    const gflops = await measureConvGflops({ backend });
    const estimate = (2 * gmacs * o.batch) / gflops;
    if (estimate > o.maxSeconds) {
      incRates.push(NaN);
      incRows.push([backend, gflops.toFixed(1), estimate.toFixed(1), `skipped (est. ${estimate.toFixed(0)} s/batch > --max-seconds)`, '-', '-']);
      continue;
    }
    const model = FidInceptionV3.fromStateDict(state);
    const x = tf.randomUniform([o.batch, 299, 299, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const once = async () => {
      const t0 = performance.now();
      const f = model.features(x);
      await f.data();
      f.dispose();
      return (performance.now() - t0) / 1000;
    };
    const warm = await once();
    process.stderr.write(`metrics: inception ${backend} warm-up ${warm.toFixed(1)} s (estimated ${estimate.toFixed(1)} s)\n`);
    const times: number[] = [];
    if (warm <= o.maxSeconds) for (let i = 0; i < o.reps; i++) times.push(await once());
    const s = median(times);
    incRates.push(o.batch / s);
    incRows.push([
      backend,
      gflops.toFixed(1),
      estimate.toFixed(1),
      Number.isNaN(s) ? `skipped (warm-up ${warm.toFixed(0)} s)` : s.toFixed(2),
      Number.isNaN(s) ? '-' : (o.batch / s).toFixed(2),
      Number.isNaN(s) || Number.isNaN(incRates[0]!) ? '-' : `${(o.batch / s / incRates[0]!).toFixed(2)}x`,
    ]);
    tf.dispose(x);
    model.dispose();
  }
  process.stdout.write(
    `\nInception pool3 features (pytorch-fid network, ${gmacs.toFixed(2)} GMAC/image), ${o.batch} × 299² per forward ` +
      `(median of ${o.reps} after 1 warm-up)\n`,
  );
  printTable(['backend', 'conv GFLOP/s', 'est. s/batch', 's/batch', 'images/s', `vs ${o.backends[0]}`], incRows);

  // Segmenter: MODELS.md's DeepLabV3 (ADE20K, 513²) on a 256² image, as generated SIS images are.
  const segRows: Array<Array<string | number>> = [];
  if (!existsSync(o.segmenter)) {
    segRows.push(['-', `skipped: '${o.segmenter}' does not exist (--segmenter <onnx>)`, '-', '-']);
  } else {
    const img = { width: 256, height: 256, data: Uint8Array.from({ length: 256 * 256 * 3 }, (_, i) => (i * 31 + (i >> 9)) & 255) };
    const rates: number[] = [];
    for (const threads of o.threads) {
      const seg = await OnnxSegmenter.load(DEEPLABV3_MNV2_ADE20K, o.segmenter, { threads });
      try {
        const once = async () => {
          const t0 = performance.now();
          await seg.predict(img);
          return (performance.now() - t0) / 1000;
        };
        const warm = await once();
        process.stderr.write(`metrics: segmenter ${threads} thread(s) warm-up ${warm.toFixed(1)} s\n`);
        const times: number[] = [];
        if (warm <= o.maxSeconds) for (let i = 0; i < o.segReps; i++) times.push(await once());
        const s = median(times);
        rates.push(1 / s);
        segRows.push([
          threads,
          Number.isNaN(s) ? `skipped (warm-up ${warm.toFixed(0)} s)` : s.toFixed(2),
          Number.isNaN(s) ? '-' : (1 / s).toFixed(2),
          Number.isNaN(s) || Number.isNaN(rates[0]!) ? '-' : `${(1 / s / rates[0]!).toFixed(2)}x`,
        ]);
      } finally {
        await seg.dispose();
      }
    }
  }
  process.stdout.write(
    `\nSegmenter ${DEEPLABV3_MNV2_ADE20K.name} on onnxruntime-node (CPU), 256² image → 513² → labels → 256² ` +
      `(median of ${o.segReps} after 1 warm-up)\n`,
  );
  printTable(['ORT threads', 's/image', 'images/s', `vs ${o.threads[0]} thread(s)`], segRows);

  // Fréchet distance (float64, pivoted Cholesky + symmetric eigenvalues), one run per size, smallest
  // first; a size whose n³ extrapolation from the last measured one exceeds fdMaxSeconds is skipped.
  const fdRows: Array<Array<string | number>> = [];
  const dims = [...o.fdDims].sort((a, b) => a - b);
  let last: { d: number; s: number } | null = null;
  const secs: number[] = [];
  for (const d of dims) {
    const estimate = last ? last.s * (d / last.d) ** 3 : NaN;
    if (estimate > o.fdMaxSeconds) {
      secs.push(estimate);
      fdRows.push([d, `skipped (est. ${estimate.toFixed(0)} s > --fd-max-seconds)`, '-']);
      continue;
    }
    const a = kmsStats(d, 0.5, 0);
    const b = kmsStats(d, 0.8, 0.1);
    const t0 = performance.now();
    const { distance } = frechetDistance(a, b);
    const s = (performance.now() - t0) / 1000;
    last = { d, s };
    secs.push(s);
    fdRows.push([d, s < 1 ? s.toFixed(4) : s.toFixed(1), distance.toPrecision(6)]);
  }
  const top = secs[secs.length - 1]!;
  const topEstimated = fdRows[fdRows.length - 1]![2] === '-';
  fdRows.forEach((r, i) =>
    r.push(`${(top / secs[i]!).toFixed(0)}x${topEstimated || r[2] === '-' ? ' (est.)' : ''}`, `${((dims[dims.length - 1]! / dims[i]!) ** 3).toFixed(0)}x`),
  );
  process.stdout.write('\nFréchet distance (float64, default cholesky method), dense full-rank Σ₁, Σ₂ (one run each)\n');
  printTable(['d', 's', 'FD', `faster than d=${dims[dims.length - 1]}`, 'n³ ratio'], fdRows);
}
