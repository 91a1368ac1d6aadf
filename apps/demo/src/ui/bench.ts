import type { BenchRow } from '../lib/bench-row';
import { median } from '../lib/stats';
import type { LabelMask } from '../lib/label-mask';
import { backendDetail, MEASURED_BACKENDS, trySetBackend } from './backends';
import type { Synthesizer } from './synthesizer';

export type { BenchRow };

export interface BenchOptions {
  backends: string[];
  warmup: number;
  reps: number;
  /** After a run longer than this (software GL can take minutes), the row stops. Default 30. */
  maxSeconds: number;
}

export function parseBenchOptions(params: URLSearchParams): BenchOptions {
  const num = (k: string, d: number, min: number) => {
    const v = params.get(k);
    const n = v === null ? d : Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`demo: ?${k}= must be an integer ≥ ${min}, got '${v}'.`);
    return n;
  };
  return {
    backends: (params.get('backends') ?? MEASURED_BACKENDS.join(',')).split(',').filter(Boolean),
    warmup: num('warmup', 1, 0),
    reps: num('reps', 5, 1),
    maxSeconds: num('max-seconds', 30, 1),
  };
}

/** Median synthesis time of every model on every backend, on the same mask; runs one after another. */
export async function runBench(
  runnersFor: (backend: string) => Promise<Synthesizer[]>,
  mask: LabelMask,
  o: BenchOptions,
  progress: (s: string) => void,
  rows: BenchRow[] = [],
): Promise<BenchRow[]> {
  // `rows` fills as rows finish, so a caller that gives up on a very slow backend still has the rest.
  for (const backend of o.backends) {
    let why = 'unavailable';
    const runners = (await trySetBackend(backend))
      ? await runnersFor(backend).catch((e: unknown) => {
          why = `unavailable: ${e instanceof Error ? e.message : String(e)}`;
          return null;
        })
      : null;
    const ok = runners !== null;
    for (const r of runners ?? (await runnersFor('wasm'))) {
      const row: BenchRow = {
        backend, detail: ok ? await backendDetail(backend) : why, model: r.label, description: r.description,
        medianMs: null, runsMs: [], capped: false,
      };
      if (ok) {
        for (let i = 0; i < o.warmup + o.reps; i++) {
          const { ms } = await r.synthesize(mask);
          progress(
            `bench: ${r.label} on ${backend}, run ${i + 1}/${o.warmup + o.reps}: ${ms.toFixed(0)} ms${i < o.warmup ? ' (warm-up)' : ''}`,
          );
          if (i >= o.warmup) row.runsMs.push(ms);
          if (ms > o.maxSeconds * 1000) {
            if (row.runsMs.length === 0) row.runsMs.push(ms); // a too-slow warm-up is still the best figure there is
            row.capped = true;
            break;
          }
        }
        row.medianMs = median(row.runsMs);
      }
      rows.push(row);
    }
  }
  return rows;
}
