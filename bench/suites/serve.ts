import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import autocannon from 'autocannon';
import { printTable } from '../lib';

export interface ServeBenchOptions {
  /** Worker counts to compare (ratios are against the first). */
  workers: number[];
  /** Client connections (concurrent requests) per row. */
  concurrency: number[];
  /** Requests per throughput row. */
  requests: number;
  /** Requests of the memory row (RSS of the server before and after). */
  memoryRequests: number;
  /** Requests of the overload row (2× capacity). */
  overloadRequests: number;
  /** Stop any row after this long. */
  maxSeconds: number;
  /** The label PNG every request sends. */
  label: string;
  /** The model folder served. */
  model: string;
}

const ROOT = path.resolve(import.meta.dirname, '..', '..');

interface Server {
  child: ChildProcessByStdio<null, Readable, null>;
  url: string;
}

/** `clade serve` in its own process (the RSS measured is the server's alone), on a free loopback port. */
async function startServe(args: string[]): Promise<Server> {
  const cli = path.join(ROOT, 'apps', 'cli', 'src', 'main.ts');
  const child = spawn(process.execPath, [...process.execArgv, cli, 'serve', '--host', '127.0.0.1', '--port', '0', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('close', (code) => reject(new Error(`bench serve: clade serve exited (${code}) before listening.`)));
  });
  for (let i = 0; i < 1200; i++) {
    if ((await fetch(`${url}/readyz`)).status === 200) return { child, url };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('bench serve: the server did not become ready in 120 s.');
}

async function stopServe(s: Server): Promise<number | null> {
  const exit = new Promise<number | null>((resolve) => s.child.on('close', resolve));
  s.child.kill('SIGTERM');
  return exit;
}

/** The server's RSS (main thread + workers: one process) from its own /metrics. */
async function rssMb(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^clade_serve_process_resident_memory_bytes (\S+)$/m.exec(text)?.[1] ?? NaN) / 2 ** 20;
}

interface Load {
  ok: number;
  tooMany: number;
  other: number;
  errors: number;
  /** From the first request to the last response. */
  seconds: number;
  p50: number;
  p99: number;
}

/**
 * `amount` POSTs of the label over `connections` connections (bounded by `maxSeconds`); closed
 * loop, or at most `overallRate` requests/s in all (autocannon splits `amount` over the connections).
 */
async function load(url: string, body: Buffer, connections: number, amount: number, maxSeconds: number, overallRate?: number): Promise<Load> {
  const t0 = performance.now();
  const run = autocannon({
    url: `${url}/v1/synthesize?seed=3`,
    method: 'POST',
    body,
    headers: { 'content-type': 'image/png' },
    connections,
    amount,
    timeout: maxSeconds,
    ...(overallRate !== undefined && { overallRate }),
  }) as Promise<autocannon.Result> & autocannon.Instance; // without a callback: a thenable tracker
  // Time to the last response: autocannon ends a run (and rounds its `duration`) on whole-second ticks.
  let last = t0;
  run.on('response', () => (last = performance.now()));
  const stop = setTimeout(() => run.stop(), maxSeconds * 1000);
  const r = await run;
  clearTimeout(stop);
  const count = (code: string) => r.statusCodeStats?.[code as `${number}`]?.count ?? 0;
  const all = Object.keys(r.statusCodeStats ?? {}).reduce((s, c) => s + count(c), 0);
  const [ok, tooMany] = [count('200'), count('429')];
  return { ok, tooMany, other: all - ok - tooMany, errors: r.errors, seconds: (last - t0) / 1000, p50: r.latency.p50, p99: r.latency.p99 };
}

const fixed = (v: number, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : '-');

/**
 * `clade serve` on loopback: throughput and latency per worker count and concurrency (ratios
 * against the first worker count), the server's RSS over many requests, and overload at 2×
 * capacity (share of 429s; any status but 200/429 is a failure and is counted).
 */
export async function benchServe(o: ServeBenchOptions): Promise<void> {
  const body = readFileSync(o.label);
  const rows: Array<Array<string | number>> = [];
  const base = new Map<number, number>();
  const memory: Array<Array<string | number>> = [];
  const overload: Array<Array<string | number>> = [];
  for (const w of o.workers) {
    let best = 0; // the highest req/s of this worker count: what overload doubles
    const maxQueue = Math.max(...o.concurrency);
    const s = await startServe(['--model', path.resolve(o.model), '--workers', String(w), '--max-queue', String(maxQueue)]);
    try {
      await load(s.url, body, w, 2 * w, o.maxSeconds); // warm-up: first runs allocate
      for (const c of o.concurrency) {
        const r = await load(s.url, body, c, o.requests, o.maxSeconds);
        const rps = r.ok / r.seconds;
        best = Math.max(best, rps);
        if (w === o.workers[0]) base.set(c, rps);
        const ratio = base.get(c) ? rps / base.get(c)! : NaN;
        rows.push([w, c, r.ok, fixed(rps, 2), fixed(ratio, 2), r.p50, r.p99, r.other + r.errors]);
        process.stderr.write(`serve: workers ${w}, concurrency ${c}: ${fixed(rps, 2)} req/s\n`);
      }
      const before = await rssMb(s.url);
      const m = await load(s.url, body, w, o.memoryRequests, o.maxSeconds);
      const after = await rssMb(s.url);
      memory.push([w, m.ok, fixed(before, 0), fixed(after, 0), fixed(after - before, 0), fixed(m.ok / m.seconds, 2)]);
    } finally {
      await stopServe(s);
    }
    // Overload: twice the best throughput measured above is offered (open loop, autocannon's overallRate)
    // over 2× capacity connections; capacity = workers + --max-queue (= workers). About half should be 429s.
    const capacity = 2 * w;
    const offered = Math.max(1, Math.round(2 * best));
    const s2 = await startServe(['--model', path.resolve(o.model), '--workers', String(w), '--max-queue', String(w)]);
    try {
      const r = await load(s2.url, body, 2 * capacity, o.overloadRequests, o.maxSeconds, offered);
      const total = r.ok + r.tooMany + r.other;
      const share = fixed((100 * r.tooMany) / Math.max(1, total), 1);
      overload.push([w, capacity, offered, r.ok, r.tooMany, share, r.other + r.errors, fixed(r.ok / r.seconds, 2), r.p99]);
    } finally {
      await stopServe(s2);
    }
  }
  const what = `${o.model}, label ${path.basename(o.label)}`;
  process.stdout.write(`\nclade serve on loopback (${what}); ratio: req/s over ${o.workers[0]} worker(s) at the same concurrency\n`);
  printTable(['workers', 'concurrency', 'requests', 'req/s', 'ratio', 'p50 ms', 'p99 ms', 'failed'], rows);
  process.stdout.write(`\nserver RSS over ${o.memoryRequests} requests (concurrency = workers)\n`);
  printTable(['workers', 'requests', 'RSS before MB', 'RSS after MB', 'growth MB', 'req/s'], memory);
  process.stdout.write(`\noverload: 2× the measured req/s offered, capacity = workers + --max-queue workers; failed = not 200/429, must be 0\n`);
  printTable(['workers', 'capacity', 'offered req/s', '200', '429', '429 %', 'failed', '200/s', 'p99 ms'], overload);
}
