import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { ADE20K_PALETTE, decodeLabelPng, encodeColorLabel } from '@clade/data';
import { encode } from 'fast-png';
import { ROOT, expectUserError, runAll, runCli } from './run-cli';

// `clade serve` as users run it: a real process on a free port with the bundled model, real HTTP.
const MODEL = path.join(ROOT, 'models/default-clade');
const LABEL = path.join(ROOT, 'examples/masks/scene-1.png');
const dir = mkdtempSync(path.join(tmpdir(), 'clade-serve-'));

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One HTTP request on a fresh connection (no keep-alive, so a draining server is seen as it is). */
function http(url: string, body?: Uint8Array | string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: body === undefined ? 'GET' : 'POST', agent: false, headers: { 'content-type': 'image/png' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const json = (r: Reply) => JSON.parse(r.body.toString('utf8')) as Record<string, unknown>;

/** The one-line JSON error every refusal carries. */
function expectError(r: Reply, status: number, pattern: RegExp): void {
  const text = r.body.toString('utf8');
  expect({ status: r.status, lines: text.trim().split('\n').length }).toEqual({ status, lines: 1 });
  expect(json(r).error).toMatch(pattern);
}

interface Server {
  child: ChildProcessByStdio<null, Readable, Readable>;
  url: string;
  exit: Promise<number | null>;
  stderr: () => string;
}

/** Starts `clade serve … --port 0` and resolves with the URL it prints once listening. */
function startServe(args: string[]): Promise<Server> {
  const child = spawn(process.execPath, ['--conditions=@clade/source', '--import', 'tsx', 'apps/cli/src/main.ts', 'serve', '--port', '0', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url) resolve({ child, url, exit, stderr: () => err });
    });
    void exit.then((code) => reject(new Error(`clade serve exited (${code}) before listening: ${err}`)));
  });
}

/** Polls until `check` holds (a server loading its models, a request reaching a worker). */
async function until(check: () => Promise<boolean>, what: string, tries = 600): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const metricValue = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

describe('clade serve: arguments', () => {
  it('refuses bad flags with one line, exit 2, before loading anything', async () => {
    const [workers, model] = await runAll([
      ['serve', '--workers', '0'],
      ['serve', '--model', path.join(dir, 'missing')],
    ]);
    expectUserError(workers!, /--workers must be an integer in 1\.\.256, got 0/);
    expectUserError(model!, /--model '.*missing' is not a folder/);
  });
});

// The bundled model and example label are tracked files: their absence is a failure, not a skip.
describe('clade serve: the bundled model', () => {
  let server: Server;
  let cliImage: Promise<Buffer>;
  const label = readFileSync(LABEL);

  beforeAll(async () => {
    // The CLI's image of the same label and seed, made while the server loads.
    const out = path.join(dir, 'cli-seed3.png');
    cliImage = runCli(['synthesize', '--engine', 'onnx', '--checkpoint', MODEL, '--label', LABEL, '--seed', '3', '--out', out]).then((r) => {
      if (r.code !== 0) throw new Error(`clade synthesize failed: ${r.err}`);
      return readFileSync(out);
    });
    server = await startServe(['--model', MODEL, '--workers', '1', '--max-queue', '1', '--body-limit', '65536']);
    const [health, ready] = [await http(`${server.url}/healthz`), await http(`${server.url}/readyz`)];
    expect(health.status).toBe(200);
    // Listening comes before the worker has loaded the model: /readyz says so until it has.
    const loaded = ready.status === 200;
    expect(loaded ? json(ready).workers : [ready.status, json(ready).status]).toEqual(loaded ? { ready: 1, total: 1 } : [503, 'loading']);
    await until(async () => (await http(`${server.url}/readyz`)).status === 200, '/readyz');
  }, 120_000);

  afterAll(async () => {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGKILL');
      await server.exit;
    }
  });

  it('lists the model', async () => {
    const r = await http(`${server.url}/v1/models`);
    expect(r.status).toBe(200);
    expect(json(r).models).toEqual([
      { name: 'default-clade', family: 'CLADE', preset: 'ade20k', size: { width: 256, height: 256 }, labelNc: 150, useVae: true, colorLabels: true },
    ]);
  });

  it('makes the same bytes as `clade synthesize --engine onnx`, from ids and from palette colours', async () => {
    const ids = await http(`${server.url}/v1/synthesize?model=default-clade&seed=3`, label);
    expect(ids.status).toBe(200);
    expect(ids.headers['content-type']).toBe('image/png');
    expect(ids.body.equals(await cliImage)).toBe(true);
    const rgb = encodeColorLabel(decodeLabelPng(label), ADE20K_PALETTE);
    const colors = await http(`${server.url}/v1/synthesize?seed=3&labels=colors`, encode({ ...rgb, channels: 3, depth: 8 }));
    expect(colors.status).toBe(200);
    expect(colors.body.equals(ids.body)).toBe(true);
    const other = await http(`${server.url}/v1/synthesize?seed=4`, label);
    expect(other.body.equals(ids.body)).toBe(false); // the seed reaches z
  }, 60_000);

  it('answers bad input with 400 (or 413) and a one-line JSON error', async () => {
    const u = `${server.url}/v1/synthesize`;
    const outOfRange = encode({ width: 8, height: 8, data: new Uint8Array(64).fill(200), channels: 1, depth: 8 });
    const [notPng, ids, model, seed, coding, big, empty] = await Promise.all([
      http(u, 'this is not a png'),
      http(u, outOfRange),
      http(`${u}?model=nope`, label),
      http(`${u}?seed=1.5`, label),
      http(`${u}?labels=rgb`, label),
      http(u, Buffer.alloc(100_000)),
      http(u, ''),
    ]);
    expectError(notPng!, 400, /'request body' is not a PNG or JPEG image/);
    expectError(ids!, 400, /label ids must be in \[0, 150\].*raw values 200 \(64 px\)/);
    expectError(model!, 400, /unknown model 'nope'; served models: default-clade/);
    expectError(seed!, 400, /seed must be an integer, got '1\.5'/);
    expectError(coding!, 400, /labels must be one of ids, colors, got 'rgb'/);
    expectError(big!, 413, /--body-limit of 65536 bytes/);
    expectError(empty!, 400, /request body is empty/);
  }, 60_000);

  it('answers a burst beyond capacity with 429 and Retry-After at once, the rest with 200', async () => {
    const replies = await Promise.all(Array.from({ length: 8 }, (_, i) => http(`${server.url}/v1/synthesize?seed=${i}`, label)));
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    expect(statuses).toContain(200);
    expect(statuses).toContain(429);
    for (const r of replies.filter((x) => x.status === 429)) {
      expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expectError(r, 429, /at capacity \(2 requests: 1 running \+ --max-queue 1 waiting\)/);
    }
    const metrics = (await http(`${server.url}/metrics`)).body.toString('utf8');
    const names = ['http_requests_total', 'http_request_duration_seconds_bucket', 'queue_depth', 'in_flight', 'worker_utilization', 'workers_ready'];
    for (const name of [...names, 'synthesis_seconds_count']) expect(metrics).toContain(`clade_serve_${name}`);
    expect(metrics).toMatch(/clade_serve_http_requests_total\{route="\/v1\/synthesize",method="POST",status="429"\} [1-9]/);
    expect(metricValue(metrics, 'clade_serve_workers_ready')).toBe(1);
  }, 60_000);

  it('drains on SIGTERM: requests in flight still get 200, then it exits 0', async () => {
    const pending = Promise.allSettled([1, 2].map((s) => http(`${server.url}/v1/synthesize?seed=${s}`, label)));
    let inFlight = 0;
    const read = async () => metricValue((await http(`${server.url}/metrics`)).body.toString('utf8'), 'clade_serve_in_flight');
    await until(async () => (inFlight = await read()) >= 1, 'a request in flight');
    server.child.kill('SIGTERM');
    const settled = await pending;
    // Every request admitted before the signal is answered 200; one not yet connected may be refused, none is cut off.
    const ok = settled.filter((r) => r.status === 'fulfilled' && r.value.status === 200).length;
    const other = settled.filter((r) => (r.status === 'fulfilled' ? r.value.status !== 200 : !/ECONNREFUSED/.test(String(r.reason))));
    expect({ other, enough: ok >= inFlight }).toEqual({ other: [], enough: true });
    expect(await server.exit).toBe(0);
    expect(server.stderr()).toMatch(/"msg":"draining"/);
    await expect(http(`${server.url}/healthz`)).rejects.toThrow(/ECONNREFUSED/);
  }, 60_000);
});
