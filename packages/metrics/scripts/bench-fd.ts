// Times the float64 pieces of FID at a given feature size:
//   pnpm --filter @clade/metrics exec tsx --conditions=@clade/source scripts/bench-fd.ts [dims=2048] [rows=2100] [methods=cholesky,eigh]
import { mulberry32 } from '@clade/core';
import { GaussianAccumulator, frechetDistance, type FrechetMethod } from '../src/index';

const dims = Number(process.argv[2] ?? 2048);
const rows = Number(process.argv[3] ?? 2100);
const methods = (process.argv[4] ?? 'cholesky,eigh').split(',') as FrechetMethod[];

function stats(seed: number) {
  const rnd = mulberry32(seed);
  const acc = new GaussianAccumulator(dims);
  const batch = new Float32Array(50 * dims);
  const t = performance.now();
  for (let done = 0; done < rows; done += 50) {
    const b = Math.min(50, rows - done);
    // non-negative, correlated, like pool3 features: a shared factor plus noise
    for (let r = 0; r < b; r++) {
      const z = rnd();
      for (let j = 0; j < dims; j++) batch[r * dims + j] = Math.max(0, z * ((j % 7) / 7) + rnd() - 0.3);
    }
    acc.add(batch.subarray(0, b * dims));
  }
  return { s: acc.stats(), secs: (performance.now() - t) / 1000 };
}

const a = stats(1);
const b = stats(2);
console.log(`accumulate ${rows}×${dims}: ${a.secs.toFixed(1)} s per set (${((rows / a.secs)).toFixed(0)} vectors/s)`);
for (const method of methods) {
  const t = performance.now();
  const r = frechetDistance(a.s, b.s, { method });
  const seconds = ((performance.now() - t) / 1000).toFixed(1);
  console.log(`frechetDistance ${method} d=${dims}: ${seconds} s, FD=${r.distance.toPrecision(12)}, rank ${r.rankSigma1}/${r.rankProduct}`);
}
