import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import {
  DATASETS,
  cachedPositionalMaps,
  disposeBatch,
  iterateBatches,
  listDatasetSplits,
  positionalMapPath,
  writePositionalMaps,
  writeSynthDataset,
  type DatasetName,
  type SamplePair,
} from '@clade/data';
import { median, printTable } from '../lib';

export interface DataBenchOptions {
  /** tfjs backend for collate (tensor creation). Default: the current one. */
  backend?: string;
  /** COCO-Stuff root; default `$CLADE_SHARED/data/coco_stuff` (`../shared` from the repo root), else a synthetic set. */
  root?: string;
  batchSize: number;
  /** Passes over the samples per timed run. */
  epochs: number;
  /** Timed runs per configuration (median reported), interleaved across configurations. */
  reps: number;
  prefetch: number;
  /** Synthetic fallback: number of scenes and their size. */
  synthCount: number;
  synthSize: number;
}

interface Source {
  name: string;
  dataset: DatasetName;
  root: string;
  pairs: SamplePair[];
  cleanup: () => Promise<void>;
}

async function dataSource(o: DataBenchOptions): Promise<Source> {
  const root = o.root ?? path.join(process.env.CLADE_SHARED ?? path.resolve('..', 'shared'), 'data', 'coco_stuff');
  if (existsSync(root)) {
    const splits = await listDatasetSplits('coco', root);
    return { name: `COCO-Stuff samples (${root})`, dataset: 'coco', root, pairs: splits.flatMap((s) => s.pairs), cleanup: async () => undefined };
  }
  // No shared data: the bundled synthetic scenes (ADE20K layout). They have no instance maps; the
  // label doubles as one so that the edge channel is still computed.
  const dir = await mkdtemp(path.join(tmpdir(), 'clade-bench-synth-'));
  await writeSynthDataset({ out: dir, count: o.synthCount, size: { width: o.synthSize, height: Math.round((o.synthSize * 3) / 4) }, seed: 0 });
  const splits = await listDatasetSplits('ade20k', dir, { phases: ['train'] });
  const pairs = splits.flatMap((s) => s.pairs).map((p) => ({ ...p, instance: p.label }));
  return {
    name: `synthetic scenes (${o.synthCount} × ${o.synthSize}x${Math.round((o.synthSize * 3) / 4)})`, dataset: 'ade20k',
    root: dir, pairs, cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * Batches/s of 256² COCO-Stuff-style training batches (resize 286, random crop 256, flip; photo,
 * one-hot + instance edges) without a positional map, with the map computed on the fly from each
 * label at its own resolution, and with the map read from the official-layout cache. All three run
 * interleaved in the same process, so their ratios are comparable; absolute numbers depend on the
 * machine's load.
 */
export async function benchDataLoading(o: DataBenchOptions): Promise<void> {
  if (o.backend) await tf.setBackend(o.backend);
  const src = await dataSource(o);
  const cacheRoot = await mkdtemp(path.join(tmpdir(), 'clade-bench-dist-'));
  try {
    const info = DATASETS[src.dataset];
    const t0 = performance.now();
    const pre = await writePositionalMaps(src.dataset, src.root, src.pairs, { cacheRoot });
    const precomputeS = (performance.now() - t0) / 1000;
    if (pre.failed.length > 0) throw new Error(`bench data: ${pre.failed.length} maps failed: ${pre.failed[0]!.message}`);
    let cacheBytes = 0;
    let labelBytes = 0;
    for (const p of src.pairs) {
      cacheBytes += (await stat(positionalMapPath(src.dataset, src.root, p.label, cacheRoot))).size;
      labelBytes += (await stat(p.label)).size;
    }
    const base = {
      label: info.label,
      preprocess: info.train, // resize_and_crop 286 → 256, flip
      batchSize: o.batchSize,
      shuffle: true,
      randomize: true,
      prefetch: o.prefetch,
      epochs: o.epochs,
      useInstances: true,
    };
    const configs = [
      { name: 'edges, no positional map', positional: false as const },
      { name: 'edges + map on the fly', positional: true as const },
      { name: 'edges + map from cache', positional: cachedPositionalMaps(src.root, src.dataset, { cacheRoot }) },
    ];
    const run = async (c: (typeof configs)[number], seed: number) => {
      const start = performance.now();
      let batches = 0;
      let samples = 0;
      for await (const b of iterateBatches(src.pairs, { ...base, positional: c.positional, seed })) {
        batches++;
        samples += b.semantics.shape[0];
        disposeBatch(b);
      }
      return { batches, samples, seconds: (performance.now() - start) / 1000 };
    };
    const before = tf.memory().numTensors;
    for (const c of configs) await run(c, 99); // warm-up: file cache, JIT
    const times = configs.map(() => [] as Array<{ batches: number; samples: number; seconds: number }>);
    for (let r = 0; r < o.reps; r++)
      for (let k = 0; k < configs.length; k++) {
        const i = (k + r) % configs.length; // rotate the order so drift hits every configuration
        times[i]!.push(await run(configs[i]!, r));
      }
    if (tf.memory().numTensors !== before) throw new Error('bench data: tensors leaked');
    const rates = times.map((ts) => median(ts.map((t) => t.batches / t.seconds)));
    const sampleRates = times.map((ts) => median(ts.map((t) => t.samples / t.seconds)));
    process.stdout.write(
      `\nData loading: ${src.name}, ${src.pairs.length} samples, batch ${o.batchSize}, 286 → crop 256 + flip, photo + one-hot + edges` +
        `\n(${o.epochs} epoch(s) per run, median of ${o.reps} interleaved runs; prefetch ${o.prefetch}; tfjs backend ${tf.getBackend()})\n`,
    );
    process.stdout.write(
      `cache: ${src.pairs.length} maps precomputed in ${precomputeS.toFixed(2)} s,` +
        ` ${(cacheBytes / 2 ** 20).toFixed(1)} MiB of .npy for ${(labelBytes / 2 ** 10).toFixed(0)} KiB of label PNGs\n`,
    );
    printTable(
      ['configuration', 'batches/s', 'samples/s', 'ms/batch', 'vs no map'],
      configs.map((c, i) => [
        c.name,
        rates[i]!.toFixed(2),
        sampleRates[i]!.toFixed(1),
        (1000 / rates[i]!).toFixed(0),
        `${(rates[i]! / rates[0]!).toFixed(2)}x`,
      ]),
    );
    process.stdout.write(`cache vs on the fly: ${(rates[2]! / rates[1]!).toFixed(2)}x batches/s\n`);
  } finally {
    await rm(cacheRoot, { recursive: true, force: true });
    await src.cleanup();
  }
}
