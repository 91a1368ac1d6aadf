// `pnpm bench [backend|norm|generator|data|train|group-conv|metrics|demo|onnx|all] [--backends wasm,cpu] [--reps 3]
//   [--size 256] [--ngf 64] [--crop-size 256] [--batch 2] [--threads 1,2] [--fd-dims 64,512,2048] [--fd-max-seconds 60]
//   [--segmenter <onnx>]`
// train: [--batch 1,4] [--crop-size 128,256] [--threads 1,2] [--profile] [--profile-top 25] [--json] [--torch false] [--torch-grads official|minimal]
// Prints tables with ratios measured in the same run; nothing here is asserted. See bench/README.md.
import { spawnSync } from 'node:child_process';
import { BackendError, initBackend, probeBackends, resolveBackendName, resolveThreads } from '@clade/backend';
import { benchBackendConv } from './suites/backend-conv';
import { benchDataLoading } from './suites/data-loading';
import { benchDemo } from './suites/demo';
import { benchGenerator } from './suites/generator';
import { benchMetrics } from './suites/metrics';
import { benchGroupConv } from './suites/group-conv';
import { benchNormLayers } from './suites/norm-layers';
import { benchOnnx } from './suites/onnx';
import { benchServe } from './suites/serve';
import { benchTrainStep, printTrainReport, torchTrainRows, type TrainBenchRow } from './suites/train-step';
import { parseArgs } from './lib';
import { parseVariants, VARIANTS } from './variants';

/** `--name 1,4`: positive integers, validated (one line naming the flag and value). */
function intList(name: string, value: string | undefined, fallback: number[]): number[] {
  if (value === undefined) return fallback;
  const list = value.split(',').filter(Boolean).map(Number);
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error(`bench: --${name} takes positive integers separated by commas, got '${value}'.`);
  return list;
}

/** Backends whose compute threads follow --threads (the others run once, with the first count). */
const THREADED_BACKENDS = ['wasm', 'native'];

/**
 * Whether the train suite needs a process per (thread count, backend): the wasm module's thread
 * count is fixed when it starts (and 'native' starts it with 1), so one process can only honour
 * one count above 1 for one backend.
 */
const trainNeedsProcesses = (threads: number[], backends: string[]) => threads.length > 1 || (threads[0]! > 1 && backends.length > 1);

/**
 * The train suite in one process per thread count and backend, each with --json; returns their
 * rows (their progress lines pass through on stderr).
 */
function trainInProcesses(threads: number[], backends: string[], flags: Record<string, string>): TrainBenchRow[] {
  const rows: TrainBenchRow[] = [];
  threads.forEach((t, i) => {
    for (const backend of backends) {
      if (i > 0 && !THREADED_BACKENDS.includes(backend)) continue;
      const pass = { ...flags, threads: String(t), backends: backend, json: 'true', torch: 'false' };
      const args = [...process.execArgv, process.argv[1]!, 'train', ...Object.entries(pass).flatMap(([k, v]) => [`--${k}`, v])];
      const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
      if (r.status !== 0)
        throw new Error(
          `bench: the train run of ${backend} with --threads ${t} failed (exit ${r.status ?? r.signal}); its errors are above.`,
        );
      rows.push(...r.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as TrainBenchRow));
    }
  });
  return rows;
}

async function main(): Promise<void> {
  const { positional, flags } = parseArgs(process.argv.slice(2));
  const suite = positional[0] ?? 'all';
  const SUITES = ['backend', 'norm', 'generator', 'data', 'train', 'group-conv', 'metrics', 'demo', 'onnx', 'serve', 'all'];
  if (!SUITES.includes(suite)) throw new Error(`bench: suite must be one of ${SUITES.join(', ')}, got '${suite}'.`);
  // --json: stdout is JSON lines only (the train suite's rows); everything for humans goes to stderr.
  const json = flags.json === 'true';
  if (json && suite !== 'train') throw new Error(`bench: --json is supported by the train suite only, got suite '${suite}'.`);
  const human = json ? process.stderr : process.stdout;
  // The train suite's thread counts (default CLADE_THREADS, else 1), for every engine alike. They
  // reach initBackend, where each backend's compute threads are chosen (trainInProcesses when one
  // process cannot honour them all).
  const trainThreads = intList('threads', suite === 'train' ? flags.threads : undefined, [resolveThreads()]);
  // With one backend named, the train suite starts that one (so a wasm thread count above 1 holds).
  const trainOnly = suite === 'train' && flags.backends && !flags.backends.includes(',') ? flags.backends : undefined;
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
  const choice = await initBackend({
    backend: resolveBackendName(trainOnly ?? flags.backend ?? 'auto'),
    ...(suite === 'train' && trainThreads.length === 1 ? { threads: trainThreads[0]! } : {}),
  });
  const available = (await probeBackends()).filter((p) => p.ok).map((p) => p.name);
  const backends = flags.backends ? flags.backends.split(',') : available;
  human.write(`clade bench — backends: ${backends.join(', ')} (default choice: ${choice.name}, ${choice.threads} thread(s)); node ${process.version}\n`);
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
    const common = {
      norms: parseVariants(flags.norms, ['spade', 'clade']),
      ngf: Number(flags.ngf ?? 16),
      ndf: Number(flags.ndf ?? 16),
      cropSizes: intList('crop-size', flags['crop-size'], [128]),
      batchSizes: intList('batch', flags.batch, [1]),
      reps: Number(flags.reps ?? 3),
    };
    const maxSecondsPerStep = Number(flags['max-seconds'] ?? 60);
    const grads = flags['torch-grads'] ?? 'official';
    if (grads !== 'official' && grads !== 'minimal') throw new Error(`bench: --torch-grads takes official or minimal, got '${grads}'.`);
    const rows =
      suite === 'train' && trainNeedsProcesses(trainThreads, backends)
        ? trainInProcesses(trainThreads, backends, flags)
        : await benchTrainStep({ ...common, backends, maxSecondsPerStep, threads: trainThreads[0]!, profile: flags.profile === 'true' });
    // CLADE_BENCH_PYTHON=<python with torch> adds the PyTorch rows and columns (--torch false: not).
    const python = flags.torch === 'false' ? undefined : process.env.CLADE_BENCH_PYTHON;
    if (python) {
      const timeoutSeconds = Math.max(300, (common.reps + 2) * maxSecondsPerStep * 2);
      rows.push(...torchTrainRows({ ...common, python, threads: trainThreads, grads, timeoutSeconds }));
    }
    if (json) for (const r of rows) process.stdout.write(`${JSON.stringify(r)}\n`);
    else printTrainReport(rows, { norms: common.norms, reps: common.reps, profileTop: Number(flags['profile-top'] ?? 25) });
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
  if (suite === 'serve') {
    // Not part of 'all': it runs `clade serve` processes under load. --memory-requests lowers the memory row's 5,000.
    await benchServe({
      workers: intList('workers', flags.workers, [1, 2]),
      concurrency: intList('concurrency', flags.concurrency, [1, 2, 4]),
      requests: intList('requests', flags.requests, [40])[0]!,
      memoryRequests: intList('memory-requests', flags['memory-requests'], [5000])[0]!,
      overloadRequests: intList('overload-requests', flags['overload-requests'], [200])[0]!,
      maxSeconds: intList('max-seconds', flags['max-seconds'], [120])[0]!,
      label: flags.label ?? 'examples/masks/scene-1.png',
      model: flags.model ?? 'models/default-clade',
    });
  }
}

main().catch((e) => {
  // A bad suite or flag is the user's: one line, exit 2 (as the clade CLI does); anything else is a bug.
  if ((e instanceof Error && e.message.startsWith('bench:')) || BackendError.isInstance(e)) {
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`${e?.stack ?? e}\n`);
  process.exit(1);
});
