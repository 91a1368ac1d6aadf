import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { labelsToSegmap } from '@clade/core';
import { nativeKernelsActive } from '@clade/backend';
import { OrtGenerator, exportGeneratorToOnnx, nativeOrtAvailability, type OrtEngine } from '@clade/onnx';
import { SpadeGenerator, generatorCost, type GeneratorConfig } from '@clade/spade-gen';
import { median, printTable, timeMedian } from '../lib';
import { usesDist, variantConfig, variantTorchArgs, type Variant } from '../variants';

export interface OnnxBenchOptions {
  norms: Variant[];
  ngf: number;
  cropSize: number;
  reps: number;
  /** ORT / PyTorch intra-op thread counts. */
  threads: number[];
  /** Also time the tfjs generator on the current tfjs backend (wasm by default). */
  tfjs: boolean;
  /** Skip a tfjs run whose estimate (at `tfjsGflops`) exceeds this. */
  maxSecondsPerRun: number;
  tfjsGflops: number;
  /** A python with torch (CLADE_BENCH_PYTHON); PyTorch columns are skipped without it. */
  python?: string;
}

/** The tfjs column's engine: 'native' (wasm with @clade/ort-native's convolutions) or the tfjs backend. */
const tfjsEngine = () => (nativeKernelsActive() ? 'native' : tf.getBackend());

/**
 * Kernels of the norm layers ('up_0.norm_s/…') and the shared label-map resizes ('semantic.…').
 * ORT fuses a block conv with the eval BatchNormalization that follows it (CLADE-ICPE's norm_1)
 * and names the fused Conv after the BN node: that kernel is the block conv (the BN is free
 * there), so it counts as conv time.
 */
const isNormNode = (name: string, op: string) =>
  (/\.norm_[01s][./]/.test(name) || name.startsWith('semantic.')) && !(op === 'Conv' && name.includes('param_free_norm/BatchNormalization'));

/**
 * Share of the norm layers in the generator's ORT time, from ORT's own per-node profile: the
 * summed kernel time of the norm nodes over the summed kernel time of all nodes, over
 * `reps` profiled runs (1 warm-up excluded). Profiling adds a little per-node overhead; the
 * share is the number that matters.
 */
async function normShare(model: Uint8Array, feeds: Parameters<OrtGenerator['run']>[0], threads: number, reps: number, engine: OrtEngine): Promise<Share> {
  const dir = mkdtempSync(path.join(tmpdir(), 'clade-ort-prof-'));
  const ort = await OrtGenerator.create(model, { threads, profileFilePrefix: path.join(dir, 'p'), engine });
  try {
    await ort.run(feeds);
    for (let i = 0; i < reps; i++) await ort.run(feeds);
    ort.endProfiling();
  } finally {
    await ort.dispose();
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.json'));
  if (!file) throw new Error(`bench onnx: ORT wrote no profile in ${dir}`);
  const events = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Array<{ cat: string; name: string; dur: number; args?: { op_name?: string } }>;
  rmSync(dir, { recursive: true, force: true });
  // Per node and run: '<node>_kernel_time'; skip the warm-up run's events (the first 1/(reps+1)).
  const kernels = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'));
  const perRun = kernels.length / (reps + 1);
  const timed = kernels.slice(Math.round(perRun));
  let norm = 0;
  let all = 0;
  for (const e of timed) {
    all += e.dur;
    if (isNormNode(e.name, e.args?.op_name ?? '')) norm += e.dur;
  }
  return { share: norm / all, normMs: norm / 1000 / reps };
}

function torchMs(python: string, norm: Variant, o: OnnxBenchOptions, threads: number): number | string {
  const script = path.resolve(import.meta.dirname, '..', 'torch', 'generator.py');
  const r = spawnSync(
    python,
    [
      script, ...variantTorchArgs(norm), '--ngf', String(o.ngf), '--size', String(o.cropSize), '--threads',
      String(threads), '--reps', String(o.reps),
    ],
    {
      encoding: 'utf8',
      timeout: 600_000,
    },
  );
  if (r.status !== 0) return `failed (${(r.stderr || r.error?.message || '').trim().split('\n').pop()})`;
  return (JSON.parse(r.stdout.trim().split('\n').pop()!) as { ms: number }).ms;
}

type Share = { share: number; normMs: number };

/** Median forward ms of an ORT session (after one warm-up run). */
async function ortMs(model: Uint8Array, feeds: Parameters<OrtGenerator['run']>[0], threads: number, reps: number, engine: OrtEngine): Promise<number> {
  const ort = await OrtGenerator.create(model, { threads, engine });
  try {
    await ort.run(feeds); // warm-up: first-run allocations
    const times: number[] = [];
    for (let i = 0; i < reps; i++) {
      const s = performance.now();
      await ort.run(feeds, 'nchw');
      times.push(performance.now() - s);
    }
    return median(times);
  } finally {
    await ort.dispose();
  }
}

const fmt = (v: number | string | undefined, digits = 0) =>
  typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : v === undefined ? '-' : String(v);
const ratio = (a: number | string | undefined, b: number | string | undefined) =>
  typeof a === 'number' && typeof b === 'number' && Number.isFinite(a) && Number.isFinite(b) ? `${(a / b).toFixed(2)}x` : '-';

/**
 * ADE20K generator forward (eval, batch 1, 'normal', no instances): tfjs (wasm) vs our ONNX
 * export on onnxruntime-node at each thread count vs an equivalent PyTorch generator, per norm;
 * CLADE/SPADE speedups per backend, and the norm layers' share of the ORT time.
 */
export async function benchOnnx(o: OnnxBenchOptions): Promise<void> {
  const base: Partial<GeneratorConfig> & { labelNc: number } = { labelNc: 150, containDontcare: true, ngf: o.ngf, cropSize: o.cropSize, initSeed: 1 };
  const k = 151;
  const labels = tf.randomUniform([1, o.cropSize, o.cropSize], 0, k, 'int32', 1) as tf.Tensor3D;
  const label = Int32Array.from(labels.dataSync());
  const dist = tf.randomUniform([1, o.cropSize, o.cropSize, 2], -1, 1, 'float32', 2) as tf.Tensor4D;
  const distData = Float32Array.from(dist.dataSync());
  const seg = labelsToSegmap(labels, k);
  // 'fused': the export with clade's CLADE op on @clade/ort-native (same onnxruntime), where built.
  type Row = {
    norm: Variant;
    gmac: number;
    tfjs?: number | string;
    ort: Record<number, number>;
    fused: Record<number, number>;
    torch: Record<number, number | string>;
    share: Record<number, Share>;
    fusedShare: Record<number, Share>;
  };
  const rows: Row[] = [];
  const python = o.python;
  const native = await nativeOrtAvailability();
  if (!native.available) process.stdout.write(`  fused CLADE columns skipped: ${native.reason}\n`);
  const profileReps = Math.max(2, Math.min(o.reps, 3));
  for (const norm of o.norms) {
    const config = { ...base, ...variantConfig(norm) };
    const row: Row = { norm, gmac: generatorCost(config).macs.total / 1e9, ort: {}, fused: {}, torch: {}, share: {}, fusedShare: {} };
    const t0 = performance.now();
    const g = new SpadeGenerator(config);
    const model = exportGeneratorToOnnx(g);
    // Only where the model has CLADE layers (SPADE and SPADE-light exports would be the same).
    const hasClade = native.available && g.model.layers.some((l) => l.getClassName().startsWith('CLADE'));
    const fusedModel = hasClade ? exportGeneratorToOnnx(g, { fusedClade: true }) : undefined;
    process.stdout.write(`  ${norm}: built + exported in ${((performance.now() - t0) / 1000).toFixed(1)} s (${(model.length / 2 ** 20).toFixed(0)} MiB)\n`);
    if (o.tfjs) {
      const estimate = (2 * row.gmac) / o.tfjsGflops;
      row.tfjs =
        estimate <= o.maxSecondsPerRun
          ? await timeMedian(() => g.apply({ seg, ...(usesDist(norm) ? { dist } : {}) }), o.reps)
          : `skipped (est. ${estimate.toFixed(0)} s)`;
    }
    g.dispose();
    const feeds = { label, dist: distData };
    for (const t of o.threads) {
      row.ort[t] = await ortMs(model, feeds, t, o.reps, 'onnxruntime-node');
      if (fusedModel) row.fused[t] = await ortMs(fusedModel, feeds, t, o.reps, 'native');
      if (python) row.torch[t] = torchMs(python, norm, o, t);
      if (norm !== 'spade') row.share[t] = await normShare(model, feeds, t, profileReps, 'onnxruntime-node');
      if (fusedModel) row.fusedShare[t] = await normShare(fusedModel, feeds, t, profileReps, 'native');
    }
    rows.push(row);
    process.stdout.write(`  ${norm}: done\n`);
  }
  tf.dispose([labels, dist, seg]);

  const th = o.threads;
  const fused = native.available && rows.some((r) => Object.keys(r.fused).length > 0);
  // The fastest ORT path per row and thread count: fused where there is one.
  const best = (r: Row, t: number) => r.fused[t] ?? r.ort[t];
  process.stdout.write(`\nGenerator forward via ONNX, ADE20K ${o.cropSize}², ngf ${o.ngf}, batch 1, eval, median of ${o.reps} (ms)\n`);
  printTable(
    [
      'norm',
      'GMAC',
      `tfjs-${tfjsEngine()}`,
      ...th.map((t) => `ORT ${t}t`),
      ...(fused ? th.map((t) => `ORT fused ${t}t`) : []),
      ...th.map((t) => `torch ${t}t`),
      ...th.map((t) => `best ORT/torch ${t}t`),
      `tfjs/ORT ${th[0]}t`,
    ],
    rows.map((r) => [
      r.norm,
      r.gmac.toFixed(1),
      fmt(r.tfjs),
      ...th.map((t) => fmt(r.ort[t])),
      ...(fused ? th.map((t) => fmt(r.fused[t])) : []),
      ...th.map((t) => (python ? fmt(r.torch[t]) : 'no python')),
      ...th.map((t) => ratio(best(r, t), r.torch[t])),
      ratio(r.tfjs, r.ort[th[0]!]),
    ]),
  );
  if (!python) process.stdout.write('PyTorch columns skipped: set CLADE_BENCH_PYTHON to a python with torch (see bench/torch/generator.py).\n');

  const spade = rows.find((r) => r.norm === 'spade');
  const speed: Array<Array<string>> = [];
  for (const r of rows.filter((x) => x.norm !== 'spade')) {
    if (!spade) break;
    speed.push([
      `${r.norm} vs spade`,
      ratio(spade.tfjs, r.tfjs),
      ...th.map((t) => ratio(spade.ort[t], r.ort[t])),
      ...(fused ? th.map((t) => ratio(spade.ort[t], r.fused[t])) : []),
      ...th.map((t) => ratio(spade.torch[t], r.torch[t])),
    ]);
  }
  if (speed.length) {
    process.stdout.write('\nSpeedup over SPADE (SPADE ms / this ms; goal: CLADE ≥ 3.5x on the fastest path)\n');
    printTable(
      [
        '', `tfjs-${tfjsEngine()}`, ...th.map((t) => `ORT ${t}t`), ...(fused ? th.map((t) => `ORT fused ${t}t`) : []),
        ...th.map((t) => `torch ${t}t`),
      ],
      speed,
    );
  }
  const shares: Array<Array<string>> = [];
  for (const r of rows.filter((x) => x.norm !== 'spade')) {
    const cells = (m: Record<number, Share>) => th.flatMap((t) => (m[t] ? [fmt(m[t].normMs, 1), `${(100 * m[t].share).toFixed(1)} %`] : ['-', '-']));
    shares.push([r.norm, 'standard (onnxruntime-node)', ...cells(r.share)]);
    if (Object.keys(r.fusedShare).length) shares.push([r.norm, 'fused CLADE (native)', ...cells(r.fusedShare)]);
  }
  if (shares.length) {
    process.stdout.write(`\nNorm layers' share of the ORT generator time (ORT node profile; goal: CLADE ≤ 5 %)\n`);
    printTable(['norm', 'export (engine)', ...th.flatMap((t) => [`norm ms ${t}t`, `share ${t}t`])], shares);
  }
}
