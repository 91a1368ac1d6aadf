import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { CHROMIUM_PATH, hasChromium, launchChromium, type BenchRow } from '@clade/browser';
import { printTable } from '../lib';

export interface DemoBenchOptions {
  /** Browser backends, in order (whatever headless Chromium offers; webgl is software GL without a GPU). */
  backends: string[];
  reps: number;
  warmup: number;
  /** A row stops after one run longer than this (software GL SPADE takes minutes). */
  maxSecondsPerRun: number;
  /** ngf of the random-init pair when models/default-clade is absent. */
  ngf: number;
  /** wasm thread counts, one page load each (the module's pool is fixed when it starts); 0 = the page's default (every core, ≤ 8). */
  threads: number[];
}

/** The demo served with its test fixture by a child process: the benchmarks import no app code. */
interface ServedDemo {
  url: string;
  /** false: random-init CLADE, because models/default-clade is absent. */
  bundled: boolean;
  stop(): Promise<void>;
}

/** Runs apps/demo's serve-fixture entry with this process's node flags (the @clade/source condition, tsx). */
async function serveDemo(args: string[]): Promise<ServedDemo> {
  const entry = path.resolve(import.meta.dirname, '..', '..', 'apps', 'demo', 'src', 'e2e', 'serve-fixture.ts');
  const child = spawn(process.execPath, [...process.execArgv, entry, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    child.once('error', reject);
    void exited.then(() => reject(new Error(`demo bench: the demo fixture (${entry}) exited before serving.`)));
  });
  const { url, bundled } = JSON.parse(line) as { url: string; bundled: boolean };
  return {
    url,
    bundled,
    stop: async () => {
      child.stdin.end(); // the fixture closes its server and removes its models
      await exited;
    },
  };
}

/**
 * The painter's own synthesis latency in headless Chromium: the page's `?bench=1` mode times the
 * CLADE model (models/default-clade, else random-init) and a random-init SPADE of the same ngf and
 * size (256²), mask → pixels read back, on each backend; ratios from the same run.
 */
export async function benchDemo(o: DemoBenchOptions): Promise<void> {
  if (!hasChromium()) {
    process.stdout.write(`\ndemo: SKIPPED, no Chromium at ${CHROMIUM_PATH} (set CLADE_CHROMIUM).\n`);
    return;
  }
  const fx = await serveDemo(['--ngf', String(o.ngf), '--spade']);
  const browser = await launchChromium();
  try {
    const rows: BenchRow[] = [];
    // The first page times every backend; later pages only the wasm engines at their thread count.
    for (const [i, threads] of o.threads.entries()) {
      const backends = i === 0 ? o.backends : o.backends.filter((b) => b === 'wasm' || b === 'ort-wasm');
      if (backends.length === 0) continue;
      const page = await browser.newPage();
      page.on('console', (m) => {
        if (m.text().startsWith('bench:')) process.stderr.write(`  ${m.text()}\n`);
      });
      const q = new URLSearchParams({
        bench: '1', backends: backends.join(','), reps: String(o.reps), warmup: String(o.warmup),
        'max-seconds': String(o.maxSecondsPerRun),
      });
      if (threads > 0) q.set('threads', String(threads));
      await page.goto(`${fx.url}?${q}`);
      const perRow = (o.warmup + o.reps) * o.maxSecondsPerRun * 1000;
      // String expressions: they run in the page, and this package is type-checked without DOM types.
      const limitMs = 60_000 + 2 * backends.length * perRow;
      // A single software-GL SPADE run can take many minutes: past the limit, print the rows that finished.
      const finished = await page
        .waitForFunction(`['bench-done', 'error'].includes(document.body.dataset.state)`, undefined, { timeout: limitMs })
        .then(() => true, () => false);
      const error = await page.locator('#error').textContent();
      if (error) throw new Error(`demo bench: the page failed: ${error}`);
      rows.push(...((await page.evaluate('window.__cladeBench')) as BenchRow[]));
      await page.close();
      if (!finished) {
        process.stdout.write(`\ndemo: gave up after ${(limitMs / 1000).toFixed(0)} s; the rows below finished, the next one did not complete a run.\n`);
        break;
      }
    }
    // Ratios compare rows of the same page load (same backend and detail) or against its first wasm row.
    const ms = (b: string, m: string, detail?: string) =>
      rows.find((r) => r.backend === b && r.model === m && (detail === undefined || r.detail === detail))?.medianMs ?? null;
    const ratio = (a: number | null, b: number | null) => (a !== null && b !== null ? `${(a / b).toFixed(2)}x` : '-');
    const clade = fx.bundled ? 'models/default-clade' : `random-init CLADE ngf ${o.ngf}`;
    process.stdout.write(
      `\ndemo: painter synthesis in headless Chromium (${clade} vs random-init SPADE, same ngf), ` +
        `mask -> pixels, median of ${o.reps} after ${o.warmup} warm-up; >= marks a row stopped after one run over ${o.maxSecondsPerRun} s\n`,
    );
    printTable(
      ['backend', 'runs on', 'model', 'ms', 'SPADE/CLADE', 'vs first wasm row'],
      rows.map((r) => [
        r.backend,
        r.detail,
        r.description,
        r.medianMs === null ? '-' : `${r.capped ? '>= ' : ''}${r.medianMs.toFixed(0)}`,
        r.model === 'SPADE' ? ratio(r.medianMs, ms(r.backend, 'CLADE', r.detail)) : '',
        r.backend === 'wasm' && r.detail === rows.find((w) => w.backend === 'wasm')?.detail ? '' : ratio(r.medianMs, ms('wasm', r.model)),
      ]),
    );
  } finally {
    await browser.close();
    await fx.stop();
  }
}
