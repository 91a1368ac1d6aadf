import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { labelsToSegmap } from '@clade/core';
import { CLADE_MODULATE } from '@clade/core/internal';
import { initBackend, measureConvGflops, type BackendName } from '@clade/backend';
import { MultiscaleDiscriminator, SpadeGenerator, discriminatorCost, generatorCost } from '@clade/spade-gen';
import { createAdam, learningRates, resolveRunConfig, trainStep, type StepBatch } from '@clade/trainer';
import { median, peakMemoryMb, printTable, withComposedRuns, withoutFusedClade } from '../lib';
import { PHASES, SYNC_BACKENDS, isConvKernel, phaseMethod, profileKernels, type KernelProfile, type Phase } from '../profile';
import { usesDist, variantConfig, variantTorchArgs, type Variant } from '../variants';

export interface TrainStepBenchOptions {
  /** Our backend names (`initBackend`'s: native, wasm, cpu, tensorflow, …), each set up in turn. */
  backends: string[];
  /** Norms to compare; the first is the reference of the ratio column. */
  norms: Variant[];
  ngf: number;
  ndf: number;
  cropSizes: number[];
  batchSizes: number[];
  /** Timed steps (median) after one warm-up step (and one untimed step that measures memory). */
  reps: number;
  /**
   * Steps estimated (cost model ÷ the backend's conv fwd+bwd GFLOP/s) to take longer than this are
   * skipped; so are the timed steps after a warm-up slower than this.
   */
  maxSecondsPerStep: number;
  /**
   * Compute threads, passed to `initBackend` for each backend (wasm: XNNPACK threads, fixed when
   * the wasm module starts; native: onnxruntime's threads). Rows carry the count that runs.
   */
  threads: number;
  /** One more step per row, after the timed ones, with every kernel timed (bench/profile.ts). */
  profile: boolean;
  /** Progress lines (stderr). */
  log?: (line: string) => void;
}

/**
 * How a row's norm layers ran: `fused` (the backend's fused CLADE kernel), `composed` (the same
 * backend without it: gathers, Muls, Add), `plain` (nothing to fuse: SPADE, or no fused kernel on
 * this backend), `eager` (PyTorch).
 */
export type TrainVariant = 'fused' | 'composed' | 'plain' | 'eager';

/** What identifies a measurement. */
export interface TrainRowKey {
  /** Our backend name (as `initBackend` takes it), or 'pytorch'. */
  backend: string;
  /** The tfjs backend underneath ('native' runs on 'wasm'); 'pytorch' for PyTorch rows. */
  tfBackend: string;
  norm: Variant;
  variant: TrainVariant;
  /** Compute threads that ran (`initBackend`'s choice.threads; pytorch: torch.set_num_threads). */
  threads: number;
  /** What --threads asked for. */
  threadsRequested: number;
  batch: number;
  cropSize: number;
  ngf: number;
  ndf: number;
}

export interface TrainRow extends TrainRowKey {
  kind: 'train';
  /** Median ms of `reps` iterations; null when skipped or failed (see `skipped`). */
  msPerIteration: number | null;
  itPerSecond: number | null;
  reps: number;
  gParamsM: number | null;
  /** Cost model ÷ measured conv GFLOP/s (tfjs only). */
  estSecondsPerIteration: number | null;
  /** Peak tensor memory of one step above the models and optimizer slots (tfjs only). */
  stepPeakMb: number | null;
  skipped?: string;
  /** PyTorch version (pytorch rows). */
  torch?: string;
  /** pytorch rows: which gradients the step computes (bench/torch/train_step.py --grads). */
  grads?: string;
}

/** One (kernel, phase) of a profiled step. */
export interface ProfileRow extends TrainRowKey {
  kind: 'profile';
  kernel: string;
  phase: Phase;
  calls: number;
  ms: number;
  /** Share of the profiled step's wall time, %. */
  pctOfStep: number;
  conv: boolean;
}

/** The totals of a profiled step. */
export interface ProfileSummaryRow extends TrainRowKey {
  kind: 'profileSummary';
  /** Wall time of the profiled step (slower than a timed one: every kernel call is timed). */
  stepMs: number;
  /** The timed median of the same configuration, for comparison. */
  msPerIteration: number | null;
  kernelMs: number;
  convMs: number;
  nonConvMs: number;
  /** Step wall time − Σ kernel time: JS, the tape, tidy bookkeeping, loss read-backs. */
  overheadMs: number;
  convShare: number;
  nonConvShare: number;
  overheadShare: number;
  phaseMs: Record<Phase, number>;
  /** Kernels finish before they return on this tfjs backend (wasm, cpu, tensorflow): wall time is their cost. */
  synchronous: boolean;
}

export type TrainBenchRow = TrainRow | ProfileRow | ProfileSummaryRow;

/** Whether the variant's generator has CLADE layers (the fused kernel applies). */
const hasClade = (v: Variant) => v !== 'spade' && v !== 'spadeLight';

/**
 * Training iterations/s (one official G step + D step, TTUR Adam, hinge + feature matching, no
 * VGG) for each norm at the same size, per backend, batch and crop size, on a random ADE20K-sized
 * batch; with `profile`, one more step per row timed per kernel and phase. Returns rows
 * (`printTrainReport` prints them); prints only progress lines.
 */
export async function benchTrainStep(o: TrainStepBenchOptions): Promise<TrainBenchRow[]> {
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const labelNc = 150;
  const out: TrainBenchRow[] = [];
  for (const backend of o.backends) {
    // The one place a backend and its threads are set up; a wasm module that already runs keeps
    // its thread count (choice.threads says what runs).
    const choice = await initBackend({ backend: backend as BackendName, threads: o.threads });
    const tfBackend = choice.tfBackend;
    const threads = choice.threads;
    if (threads !== o.threads) log(`train-step: ${backend} runs ${threads} thread(s), asked ${o.threads}: ${choice.reason}`);
    const gflops = await measureConvGflops({ backend, mode: 'forwardBackward' });
    const fusedHere = tf.getKernel(CLADE_MODULATE, tfBackend) !== undefined;
    for (const batchSize of o.batchSizes) {
      const run = resolveRunConfig({
        generator: { labelNc, containDontcare: true },
        data: { dataset: 'ade20k', root: '.', batchSize },
        loss: { lambdaVgg: 0 },
      });
      const lr = learningRates(run.optim, 1);
      for (const cropSize of o.cropSizes) {
        const batch: StepBatch = tf.tidy(() => ({
          seg: labelsToSegmap(tf.randomUniform([batchSize, cropSize, cropSize], 0, labelNc + 1, 'int32', 1), labelNc + 1),
          image: tf.randomUniform([batchSize, cropSize, cropSize, 3], -1, 1, 'float32', 2) as tf.Tensor4D,
        }));
        const dist = tf.randomUniform([batchSize, cropSize, cropSize, 2], -1, 1, 'float32', 3) as tf.Tensor4D; // CLADE-ICPE only
        for (const { variant: norm, label, composed } of withComposedRuns(o.norms, tfBackend)) {
          const key: TrainRowKey = {
            backend,
            tfBackend,
            norm,
            variant: composed ? 'composed' : fusedHere && hasClade(norm) ? 'fused' : 'plain',
            threads,
            threadsRequested: o.threads,
            batch: batchSize,
            cropSize,
            ngf: o.ngf,
            ndf: o.ndf,
          };
          const config = { labelNc, containDontcare: true, ...variantConfig(norm), ngf: o.ngf, cropSize };
          // FLOPs of an iteration, counted as the fwd+bwd measurement counts them (backward = 2× forward):
          // G step = G fwd+bwd + D fwd+bwd on fake‖real; D step = G fwd + D fwd+bwd on fake‖real.
          const gMacs = generatorCost(config).macs.total * batchSize;
          const dMacs = discriminatorCost({ labelNc, containDontcare: true, ndf: o.ndf }, cropSize, cropSize).macs * 2 * batchSize;
          const estimate = (2 * (4 * gMacs + 6 * dMacs)) / 1e9 / gflops;
          const row: TrainRow = {
            kind: 'train',
            ...key,
            msPerIteration: null,
            itPerSecond: null,
            reps: o.reps,
            gParamsM: null,
            estSecondsPerIteration: estimate,
            stepPeakMb: null,
          };
          if (estimate > o.maxSecondsPerStep) {
            out.push({ ...row, skipped: `est. ${estimate.toFixed(0)} s > --max-seconds` });
            continue;
          }
          const G = new SpadeGenerator({ ...config, initSeed: 1 });
          const D = new MultiscaleDiscriminator({ labelNc, containDontcare: true, ndf: o.ndf, initSeed: 2 });
          const optG = createAdam(run.optim, lr.g);
          const optD = createAdam(run.optim, lr.d);
          const input = usesDist(norm) ? { ...batch, dist } : batch;
          // trainStep reads every loss back, so each step has finished when it returns.
          const step = () => {
            const t0 = performance.now();
            trainStep({ G, D, optG, optD }, input, run.loss);
            return (performance.now() - t0) / 1000;
          };
          const measure = async () => {
            const warm = step(); // builds the optimizer slots, compiles kernels
            // Peak above the nets, batch and optimizer slots: the step's activations and gradients.
            const peak = await peakMemoryMb(() => void step());
            log(
              `train-step: ${backend} ${label} ${threads}t batch ${batchSize} ${cropSize}² ` +
                `warm-up ${warm.toFixed(1)} s (estimated ${estimate.toFixed(1)} s)`,
            );
            const times: number[] = [];
            if (warm <= o.maxSecondsPerStep) for (let i = 0; i < o.reps; i++) times.push(step());
            // Profiled apart from the timed steps: timing every kernel call adds overhead.
            let profile: KernelProfile<void> | undefined;
            if (o.profile && times.length > 0) {
              const restore = [phaseMethod(optG, 'applyGradients', 'optimizer'), phaseMethod(optD, 'applyGradients', 'optimizer')];
              try {
                profile = await profileKernels(tfBackend, () => void step());
              } finally {
                restore.forEach((r) => r());
              }
            }
            return { warm, peak, times, profile };
          };
          const { warm, peak, times, profile } = composed ? await withoutFusedClade(tfBackend, measure) : await measure();
          const s = median(times);
          out.push({
            ...row,
            msPerIteration: Number.isNaN(s) ? null : s * 1000,
            itPerSecond: Number.isNaN(s) ? null : 1 / s,
            gParamsM: G.countParams() / 1e6,
            stepPeakMb: peak,
            ...(Number.isNaN(s) ? { skipped: `warm-up ${warm.toFixed(0)} s > --max-seconds` } : {}),
          });
          if (profile) out.push(...profileRows(key, profile, Number.isNaN(s) ? null : s * 1000));
          optG.dispose();
          optD.dispose();
          G.dispose();
          D.dispose();
        }
        tf.dispose([batch.seg, batch.image, dist]);
      }
    }
  }
  return out;
}

function profileRows(key: TrainRowKey, p: KernelProfile<void>, timedMs: number | null): TrainBenchRow[] {
  const pct = (ms: number) => (100 * ms) / p.wallMs;
  const rows: ProfileRow[] = p.stats.map((s) => ({ kind: 'profile', ...key, ...s, pctOfStep: pct(s.ms), conv: isConvKernel(s.kernel) }));
  const convMs = rows.filter((r) => r.conv).reduce((a, r) => a + r.ms, 0);
  const phaseMs = Object.fromEntries(PHASES.map((ph) => [ph, rows.filter((r) => r.phase === ph).reduce((a, r) => a + r.ms, 0)])) as Record<Phase, number>;
  const overheadMs = p.wallMs - p.kernelMs;
  const summary: ProfileSummaryRow = {
    kind: 'profileSummary',
    ...key,
    stepMs: p.wallMs,
    msPerIteration: timedMs,
    kernelMs: p.kernelMs,
    convMs,
    nonConvMs: p.kernelMs - convMs,
    overheadMs,
    convShare: convMs / p.wallMs,
    nonConvShare: (p.kernelMs - convMs) / p.wallMs,
    overheadShare: overheadMs / p.wallMs,
    phaseMs,
    synchronous: SYNC_BACKENDS.includes(key.tfBackend),
  };
  return [summary, ...rows];
}

/** The sizes and repetitions of our rows, at each of `threads`. */
export interface TorchTrainOptions extends Pick<TrainStepBenchOptions, 'norms' | 'ngf' | 'ndf' | 'cropSizes' | 'batchSizes' | 'reps' | 'log'> {
  python: string;
  threads: number[];
  /** bench/torch/train_step.py --grads: 'official' (the official trainer's gradients) or 'minimal' (ours). */
  grads: 'official' | 'minimal';
  /** Per run (all its iterations), s. */
  timeoutSeconds: number;
}

/**
 * The same iteration in PyTorch (bench/torch/train_step.py, eager, CPU): one process per norm,
 * batch, crop size and thread count, 2 untimed iterations (as ours: warm-up + memory step), then
 * the median of `reps`.
 */
export function torchTrainRows(o: TorchTrainOptions): TrainRow[] {
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const script = path.resolve(import.meta.dirname, '..', 'torch', 'train_step.py');
  const rows: TrainRow[] = [];
  for (const batch of o.batchSizes)
    for (const cropSize of o.cropSizes)
      for (const norm of o.norms)
        for (const threads of o.threads) {
          const args = [script, ...variantTorchArgs(norm), '--ngf', String(o.ngf), '--ndf', String(o.ndf), '--size', String(cropSize)];
          args.push('--batch', String(batch), '--threads', String(threads), '--reps', String(o.reps), '--grads', o.grads);
          const r = spawnSync(o.python, args, { encoding: 'utf8', timeout: o.timeoutSeconds * 1000, cwd: path.dirname(script) });
          const key = {
            kind: 'train' as const, backend: 'pytorch', tfBackend: 'pytorch', norm, variant: 'eager' as const, threads,
            threadsRequested: threads, batch, cropSize, ngf: o.ngf, ndf: o.ndf,
          };
          const none = { msPerIteration: null, itPerSecond: null, reps: o.reps, gParamsM: null, estSecondsPerIteration: null, stepPeakMb: null };
          if (r.status !== 0) {
            const why = r.error?.message ?? (r.stderr || '').trim().split('\n').pop() ?? `exit ${r.status}`;
            log(`train-step: pytorch ${norm} ${threads}t failed: ${why}`);
            rows.push({ ...key, ...none, skipped: `failed (${why})` });
            continue;
          }
          const res = JSON.parse(r.stdout.trim().split('\n').pop()!) as { ms: number; gParams: number; torch: string; grads: string };
          log(`train-step: pytorch ${norm} ${threads}t batch ${batch} ${cropSize}² ${res.ms.toFixed(0)} ms/it`);
          rows.push({ ...key, ...none, msPerIteration: res.ms, itPerSecond: 1000 / res.ms, gParamsM: res.gParams / 1e6, torch: res.torch, grads: res.grads });
        }
  return rows;
}

const fmt = (v: number | null | undefined, digits = 0) => (v == null || !Number.isFinite(v) ? '-' : v.toFixed(digits));
const times = (a: number | null | undefined, b: number | null | undefined) => (a != null && b != null && a > 0 && b > 0 ? `${(a / b).toFixed(2)}x` : '-');

export interface TrainReportOptions {
  norms: Variant[];
  reps: number;
  /** Profile rows shown per profiled step (the rest are summed into one line). */
  profileTop: number;
}

/**
 * Prints the rows as tables: per batch and crop size, every backend × norm × thread count with
 * its ratio to the first norm (same backend, variant kind and threads) and to PyTorch (same
 * norm and threads); then each profiled step's kernels.
 */
export function printTrainReport(rows: TrainBenchRow[], o: TrainReportOptions): void {
  const out = process.stdout; // (under --json, run.ts prints the rows as JSON lines instead)
  const train = rows.filter((r): r is TrainRow => r.kind === 'train');
  const torch = train.filter((r) => r.backend === 'pytorch');
  const ref = o.norms[0]!;
  const combos = [...new Map(train.map((r) => [`${r.batch}/${r.cropSize}`, r])).values()];
  for (const c of combos) {
    // Grouped by backend (in order of appearance, PyTorch last), then threads; norms keep their order.
    const order = [...new Set(train.map((r) => r.backend))].sort((a, b) => Number(a === 'pytorch') - Number(b === 'pytorch'));
    const here = train
      .filter((r) => r.batch === c.batch && r.cropSize === c.cropSize)
      .sort((a, b) => order.indexOf(a.backend) - order.indexOf(b.backend) || a.threads - b.threads);
    const torchMs = (norm: Variant, threads: number) => here.find((r) => r.backend === 'pytorch' && r.norm === norm && r.threads === threads)?.msPerIteration;
    // The first norm's default row (not 'composed') of the same backend and threads.
    const refMs = (r: TrainRow) =>
      here.find((x) => x.backend === r.backend && x.threads === r.threads && x.norm === ref && x.variant !== 'composed')?.msPerIteration;
    const table = here.map((r) => [
      r.backend,
      r.variant === 'composed' ? `${r.norm}, composed` : r.norm,
      r.variant,
      r.threads === r.threadsRequested ? String(r.threads) : `${r.threads} (asked ${r.threadsRequested})`,
      fmt(r.gParamsM, 2),
      fmt(r.estSecondsPerIteration, 1),
      r.skipped ? `skipped (${r.skipped})` : fmt(r.msPerIteration),
      fmt(r.itPerSecond, 2),
      times(refMs(r), r.msPerIteration),
      fmt(r.stepPeakMb),
      r.backend === 'pytorch' ? '-' : torch.length ? fmt(torchMs(r.norm, r.threads)) : 'no python',
      r.backend === 'pytorch' ? '-' : times(r.msPerIteration, torchMs(r.norm, r.threads)),
    ]);
    const ngf = c.ngf;
    out.write(
      `\nTraining step (G step + D step, TTUR Adam, hinge + feature matching), ADE20K ${c.cropSize}², ngf ${ngf}, ndf ${c.ndf}, ` +
        `batch ${c.batch} (median of ${o.reps} after 2 untimed steps)\n`,
    );
    printTable(
      ['backend', 'norm', 'variant', 'threads', 'G Mparams', 'est. s/it', 'ms/it', 'it/s', `it/s vs ${ref}`, 'step peak MB', 'torch ms/it', 'ours/torch (ms)'],
      table,
      out,
    );
  }
  if (torch.length === 0) out.write('PyTorch column skipped: set CLADE_BENCH_PYTHON to a python with torch (bench/torch/train_step.py).\n');
  else {
    const t = torch.find((r) => r.torch);
    out.write(`PyTorch ${t?.torch ?? '?'} eager on CPU, gradients '${t?.grads ?? '?'}' (bench/torch/train_step.py); ours/torch > 1: ours is slower.\n`);
  }

  const summaries = rows.filter((r): r is ProfileSummaryRow => r.kind === 'profileSummary');
  const profiles = rows.filter((r): r is ProfileRow => r.kind === 'profile');
  for (const s of summaries) {
    const same = (r: TrainRowKey) =>
      r.backend === s.backend && r.norm === s.norm && r.variant === s.variant && r.threads === s.threads && r.batch === s.batch && r.cropSize === s.cropSize;
    const mine = profiles.filter(same).sort((a, b) => b.ms - a.ms);
    const shown = mine.slice(0, o.profileTop);
    const rest = mine.slice(o.profileTop);
    const pct = (ms: number) => `${((100 * ms) / s.stepMs).toFixed(1)} %`;
    const table: Array<Array<string | number>> = shown.map((r) => [r.kernel + (r.conv ? ' *' : ''), r.phase, r.calls, r.ms.toFixed(1), pct(r.ms)]);
    if (rest.length) {
      const ms = rest.reduce((a, r) => a + r.ms, 0);
      table.push([`(${rest.length} more kernel × phase rows)`, '', rest.reduce((a, r) => a + r.calls, 0), ms.toFixed(1), pct(ms)]);
    }
    table.push(['(outside kernels: JS, tape, tidy, read-backs)', '', '', s.overheadMs.toFixed(1), pct(s.overheadMs)]);
    out.write(
      `\nProfile: ${s.backend} ${s.norm} (${s.variant}), ${s.threads} thread(s), batch ${s.batch}, ${s.cropSize}², ngf ${s.ngf}, ndf ${s.ndf}: ` +
        `one profiled step ${s.stepMs.toFixed(0)} ms (timed median ${fmt(s.msPerIteration)} ms)\n`,
    );
    printTable(['kernel (* conv)', 'phase', 'calls', 'ms', '% of step'], table, out);
    out.write(
      `conv ${pct(s.convMs)} · non-conv kernels ${pct(s.nonConvMs)} · outside kernels ${pct(s.overheadMs)}` +
        ` | forward ${pct(s.phaseMs.forward)} · backward ${pct(s.phaseMs.backward)} · optimizer ${pct(s.phaseMs.optimizer)}` +
        `${s.synchronous ? '' : ` (${s.backend} kernels are asynchronous: times are dispatch times)`}\n`,
    );
  }
}
