// `pnpm bench [backend|norm|generator|data|train|group-conv|metrics|demo|onnx|all] [--backends wasm,cpu] [--reps 3] [--size 256] [--ngf 64] [--crop-size 256] [--batch 2] [--threads 1,2] [--fd-dims 64,512,2048] [--fd-max-seconds 60] [--segmenter <onnx>]`
// Prints tables with ratios measured in the same run; nothing here is asserted.
import { initBackend, probeBackends } from '@clade/backend';
import { benchBackendConv } from './suites/backend-conv';
import { benchDataLoading } from './suites/data-loading';
import { benchDemo } from './suites/demo';
import { benchGenerator } from './suites/generator';
import { benchMetrics } from './suites/metrics';
import { benchGroupConv } from './suites/group-conv';
import { benchNormLayers } from './suites/norm-layers';
import { benchOnnx } from './suites/onnx';
import { benchTrainStep } from './suites/train-step';
import { parseArgs } from './lib';
import { parseVariants, VARIANTS } from './variants';

async function main(): Promise<void> {
  const { positional, flags } = parseArgs(process.argv.slice(2));
  const suite = positional[0] ?? 'all';
  const SUITES = ['backend', 'norm', 'generator', 'data', 'train', 'group-conv', 'metrics', 'demo', 'onnx', 'all'];
  if (!SUITES.includes(suite)) throw new Error(`bench: suite must be one of ${SUITES.join(', ')}, got '${suite}'.`);
  if (suite === 'demo') {
    // In the browser: Node's backend choice does not apply.
    await benchDemo({
      backends: (flags.backends ?? 'wasm,ort-wasm,webgl').split(','),
      reps: Number(flags.reps ?? 3),
      warmup: Number(flags.warmup ?? 1),
      maxSecondsPerRun: Number(flags['max-seconds'] ?? 60),
      ngf: Number(flags.ngf ?? 16),
      // 1 thread (tfjs' own choice on a 2-core machine) against the page's default, every core.
      threads: (flags.threads ?? '1,0').split(',').map(Number),
    });
    return;
  }
  const choice = await initBackend({ backend: (flags.backend as never) ?? 'auto' });
  const available = (await probeBackends()).filter((p) => p.ok).map((p) => p.name);
  const backends = flags.backends ? flags.backends.split(',') : available;
  process.stdout.write(`clade bench — backends: ${backends.join(', ')} (default choice: ${choice.name}); node ${process.version}\n`);
  let gflops: Record<string, number> = {};
  if (suite === 'backend' || suite === 'all') gflops = await benchBackendConv(backends);
  if (suite === 'norm' || suite === 'all') {
    await benchNormLayers({
      backends,
      size: Number(flags.size ?? 256),
      channels: Number(flags.channels ?? 64),
      classes: Number(flags.classes ?? 151),
      reps: Number(flags.reps ?? 3),
      maxSecondsPerRun: Number(flags['max-seconds'] ?? 20),
      gflops,
    });
  }
  if (suite === 'generator' || suite === 'all') {
    await benchGenerator({
      backends,
      norms: parseVariants(flags.norms, VARIANTS),
      ngf: Number(flags.ngf ?? 64),
      cropSize: Number(flags['crop-size'] ?? 256),
      reps: Number(flags.reps ?? 3),
      maxSecondsPerRun: Number(flags['max-seconds'] ?? 60),
      gflops,
    });
  }
  if (suite === 'data' || suite === 'all') {
    await benchDataLoading({
      backend: choice.name,
      ...(flags.root && { root: flags.root }),
      batchSize: Number(flags.batch ?? 4),
      epochs: Number(flags.epochs ?? 1),
      reps: Number(flags.reps ?? 3),
      prefetch: Number(flags.prefetch ?? 2),
      synthCount: Number(flags['synth-count'] ?? 16),
      synthSize: Number(flags['synth-size'] ?? 640),
    });
  }
  if (suite === 'group-conv' || suite === 'all') {
    await benchGroupConv({
      backends,
      reps: Number(flags.reps ?? 3),
      size: Number(flags.size ?? 16),
      backward: flags.backward === 'true',
    });
  }
  if (suite === 'train' || suite === 'all') {
    await benchTrainStep({
      backends,
      norms: parseVariants(flags.norms, ['spade', 'clade']),
      ngf: Number(flags.ngf ?? 16),
      ndf: Number(flags.ndf ?? 16),
      cropSize: Number(flags['crop-size'] ?? 128),
      batchSize: Number(flags.batch ?? 1),
      reps: Number(flags.reps ?? 3),
      maxSecondsPerStep: Number(flags['max-seconds'] ?? 60),
    });
  }
  if (suite === 'metrics' || suite === 'all') {
    await benchMetrics({
      backends,
      batch: Number(flags.batch ?? 2),
      reps: Number(flags.reps ?? 3),
      segmenter: flags.segmenter ?? '../shared/models/deeplabv3_mnv2_ade20k_513.onnx',
      threads: (flags.threads ?? '1,2').split(',').map(Number),
      segReps: Number(flags['seg-reps'] ?? 3),
      fdDims: (flags['fd-dims'] ?? '64,512,2048').split(',').map(Number),
      maxSeconds: Number(flags['max-seconds'] ?? 30),
      fdMaxSeconds: Number(flags['fd-max-seconds'] ?? 60),
    });
  }
  if (suite === 'onnx') {
    // Not part of 'all': it builds ngf-64 generators for three norms (minutes on a loaded machine).
    // --tfjs false skips the tfjs column; CLADE_BENCH_PYTHON=<python with torch> adds PyTorch.
    await benchOnnx({
      norms: parseVariants(flags.norms, VARIANTS),
      ngf: Number(flags.ngf ?? 64),
      cropSize: Number(flags['crop-size'] ?? 256),
      reps: Number(flags.reps ?? 3),
      threads: (flags.threads ?? '1,2').split(',').map(Number),
      tfjs: flags.tfjs !== 'false',
      // tfjs SPADE at ngf 64 (~40 s a run here) is skipped by default with its estimate.
      maxSecondsPerRun: Number(flags['max-seconds'] ?? 15),
      tfjsGflops: Number(flags['tfjs-gflops'] ?? 20),
      ...(process.env.CLADE_BENCH_PYTHON ? { python: process.env.CLADE_BENCH_PYTHON } : {}),
    });
  }
}

main().catch((e) => {
  // A bad suite or flag is the user's: one line, exit 2 (as the clade CLI does); anything else is a bug.
  if (e instanceof Error && e.message.startsWith('bench:')) {
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`${e?.stack ?? e}\n`);
  process.exit(1);
});
