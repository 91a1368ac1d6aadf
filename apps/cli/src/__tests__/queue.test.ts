// Issue 21, scale-out: `clade queue` + `clade worker` on a real Redis. Two worker processes, a sharded eval and a
// sharded synthesis submitted with --redis, one worker SIGKILLed mid-shard: the merged eval equals one `clade eval`
// run and the synthesized files equal one `clade synthesize --labels` run byte for byte.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describeWithRedis, freePort } from '@clade/queue/testing';
import { describeWithShared, sharedPath } from '@clade/test-utils';
import { decode as decodePng, encode as encodePng } from 'fast-png';
import { ROOT, expectUserError, runAll } from './run-cli';
import { writeStandInInception } from './stand-in-inception';

const P1 = 'fixtures/p1_coco_generator';
const ADE = 'data/ade20k_sceneparsing';
const SEGMENTER = 'models/deeplabv3_mnv2_ade20k_513.onnx';
const REAL = 'data/paper_figures/ADE/gt';

/** The 8 flips/transposes of the 64 px COCO label and instance maps: 8 different labels for the tiny generator. */
function dihedralLabels(dir: string): void {
  for (const sub of ['labels', 'instances']) mkdirSync(path.join(dir, sub));
  const [label, instance] = ['input_label.png', 'input_instance.png'].map((f) => decodePng(readFileSync(sharedPath(P1, f))));
  const w = label!.width;
  for (let k = 0; k < 8; k++) {
    for (const [sub, img] of [['labels', label!], ['instances', instance!]] as const) {
      const out = new Uint8Array(w * w);
      for (let y = 0; y < w; y++)
        for (let x = 0; x < w; x++) {
          let [sx, sy] = [k & 1 ? w - 1 - x : x, k & 2 ? w - 1 - y : y];
          if (k & 4) [sx, sy] = [sy, sx];
          out[y * w + x] = img.data[sy * w + sx]!;
        }
      writeFileSync(path.join(dir, sub, `v${k}.png`), encodePng({ width: w, height: w, data: out, channels: 1, depth: 8 }));
    }
  }
}

interface WorkerProcess {
  child: ChildProcess;
  err: () => string;
  /** Resolves with the first match of `re` on the worker's stderr. */
  said: (re: RegExp, timeoutMs?: number) => Promise<RegExpMatchArray>;
  exit: Promise<number | null>;
}

/**
 * `clade worker` as its own process (tsx on the sources, like runCli). The lock is short, so that a kill is noticed
 * in seconds, yet longer than the longest synchronous stretch of a shard (loading weights, one Inception batch) on a
 * loaded 2-core machine: a worker blocked past its lock loses its own shard.
 */
function startWorkerProcess(url: string): WorkerProcess {
  const child = spawn(
    process.execPath,
    ['--conditions=@clade/source', '--import', 'tsx', 'apps/cli/src/main.ts', 'worker', '--redis', url, ...WORKER_TIMING],
    { cwd: ROOT, env: { ...process.env, CLADE_BACKEND: '' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  const waiters: (() => void)[] = [];
  child.stderr!.setEncoding('utf8').on('data', (d: string) => ((err += d), waiters.forEach((w) => w())));
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const said = (re: RegExp, timeoutMs = 120_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker did not say ${re} in ${timeoutMs} ms:\n${err}`)), timeoutMs);
      const check = () => {
        const m = err.match(re);
        if (!m) return;
        clearTimeout(timer);
        resolve(m);
      };
      waiters.push(check);
      void exit.then(() => (clearTimeout(timer), check(), reject(new Error(`worker exited before saying ${re}:\n${err}`))));
      check();
    });
  return { child, err: () => err, said, exit };
}

const WORKER_TIMING = ['--lock-ms', '10000', '--stalled-ms', '1000', '--max-stalled', '5'];
const files = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(path.join(dir, f))]));

describe('clade queue: user errors (one line, exit 2, nothing queued)', () => {
  it('refuses a bad command line before queueing, and an unreachable Redis', async () => {
    const closed = `redis://127.0.0.1:${await freePort()}`;
    const [flag, kind, evalOut, worker] = await runAll([
      ['queue', 'submit', '--shards', '2', '--redis', closed, '--', 'synthesize', '--labels', 'l', '--out', 'o', '--bogus'],
      ['queue', 'submit', '--shards', '2', '--', 'train', '--steps', '1'],
      ['queue', 'submit', '--shards', '2', '--stats-dir', 's', '--', 'eval', 'fid', '--fake', 'f', '--real', 'r', '--out', 'x.json'],
      ['worker', '--redis', closed],
    ]);
    expectUserError(flag!, /^clade: queue submit: the synthesize command line is not valid: unknown option '--bogus'\.$/);
    expectUserError(kind!, /the command after -- must be synthesize or eval, got 'train'/);
    expectUserError(evalOut!, /eval --out is not allowed .*; pass --out to `clade queue merge`/);
    expectUserError(worker!, new RegExp(`--redis: cannot reach Redis at '${closed}': connect ECONNREFUSED`));
  });
});

describeWithShared('clade queue on Redis with two workers, one SIGKILLed mid-shard', [`${P1}/spade_G.pth`, `${ADE}/images`, SEGMENTER, REAL], () => {
  describeWithRedis('a real redis-server', (redis) => {
    let tmp: string;
    const workers: WorkerProcess[] = [];
    beforeAll(() => {
      tmp = mkdtempSync(path.join(tmpdir(), 'clade-queue-'));
      dihedralLabels(tmp);
      writeStandInInception(path.join(tmp, 'w.pth'));
    });
    afterAll(async () => {
      for (const w of workers) w.child.kill('SIGKILL');
      await Promise.all(workers.map((w) => w.exit));
      rmSync(tmp, { recursive: true, force: true });
    });

    it('merged eval and gathered synthesis equal the single-process runs', async () => {
      const url = redis().url;
      const at = (...p: string[]) => path.join(tmp, ...p);
      const synth = ['synthesize', '--checkpoint', sharedPath(P1, 'spade_G.pth'), '--preset', 'coco', '--ngf', '4', '--crop-size', '64',
        '--labels', at('labels'), '--instances', at('instances')];
      const evalArgs = ['eval', 'all', '--real', sharedPath(REAL), '--fake', sharedPath(ADE, 'images'), '--labels', sharedPath(ADE, 'annotations'),
        '--segmenter', sharedPath(SEGMENTER),
        '--dataset', 'ade20k', '--inception-weights', at('w.pth'), '--dims', '64', '--kid-subsets', '3', '--batch-size', '1'];

      const [a, b] = [startWorkerProcess(url), startWorkerProcess(url)];
      workers.push(a, b);
      await Promise.all([a.said(/ready: queue/), b.said(/ready: queue/)]);
      const submitted = runAll([
        ['queue', 'submit', '--redis', url, '--shards', '3', '--job-id', 'ev', '--stats-dir', at('stats'), '--', ...evalArgs],
        ['queue', 'submit', '--redis', url, '--shards', '3', '--job-id', 'syn', '--', ...synth, '--out', at('queued'), '--json'],
      ]);
      // Worker A dies as soon as it has taken a shard: the shard's models are still loading, so it is mid-shard.
      const [, killedJob, killedShard] = await a.said(/job (ev|syn) shard (\d)\/3: started/);
      a.child.kill('SIGKILL');
      expect((await submitted).map((r) => [r.code, r.out.trim()])).toEqual([[0, 'ev'], [0, 'syn']]);

      // The single-process results, and the same synthesis queued without Redis (every shard in one process), while
      // worker B does the queue's work.
      const [refEval, refSynth, noRedis] = await runAll([
        [...evalArgs, '--json'],
        [...synth, '--out', at('single')],
        ['queue', 'submit', '--shards', '2', '--', ...synth, '--out', at('no-redis')],
      ]);
      expect([refEval!.code, refSynth!.code, noRedis!.code]).toEqual([0, 0, 0]);
      expect(noRedis!.out).toMatch(/^shard 0\/2: synthesize done: .*: 4 written, 0 skipped \(existing\)/);

      const [waitEv, waitSyn] = await runAll([
        ['queue', 'wait', 'ev', '--redis', url, '--timeout', '200'],
        ['queue', 'wait', 'syn', '--redis', url, '--timeout', '200'],
      ], { timeoutMs: 240_000 });
      expect([waitEv!.code, waitSyn!.code, waitEv!.err, waitSyn!.err]).toEqual([0, 0, '', '']);
      const [status, mergedEval, mergedSynth] = await runAll([
        ['queue', 'status', killedJob!, '--redis', url, '--json'],
        ['queue', 'merge', 'ev', '--redis', url, '--json'],
        ['queue', 'merge', 'syn', '--redis', url, '--json'],
      ], { limit: 3 });

      // The shard A held was lost once (at least) and run again by B.
      const killed = JSON.parse(status!.out).shardStatus[Number(killedShard)];
      expect(killed).toMatchObject({ state: 'completed', failures: 0 });
      expect(killed.stalled).toBeGreaterThanOrEqual(1);
      expect(killed.attemptsStarted).toBeGreaterThanOrEqual(2);

      expect(mergedEval!.code).toBe(0);
      const m = JSON.parse(mergedEval!.out);
      const r = JSON.parse(refEval!.out);
      expect(Math.abs(m.fid - r.fid)).toBeLessThanOrEqual(1e-9 * r.fid);
      expect([m.miou, m.accuracy, m.per_class]).toEqual([r.miou, r.accuracy, r.per_class]);

      expect(mergedSynth!.code).toBe(0);
      const shards = JSON.parse(mergedSynth!.out) as { shard: number; json: { written: number; skipped: number } }[];
      expect(shards.map((s) => s.shard)).toEqual([0, 1, 2]);
      expect(shards.reduce((n, s) => n + s.json.written + s.json.skipped, 0)).toBe(8);
      const queued = files(at('queued'));
      expect(Object.keys(queued)).toHaveLength(8);
      expect(queued).toEqual(files(at('single')));
      expect(files(at('no-redis'))).toEqual(queued);

      // SIGTERM: B finishes (nothing is running now) and exits 0.
      b.child.kill('SIGTERM');
      expect(await b.exit).toBe(0);
      expect(b.err()).toMatch(/stopped/);
    }, 300_000);
  });
});
