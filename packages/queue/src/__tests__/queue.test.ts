import { spawn } from 'node:child_process';
import * as path from 'node:path';
import {
  InProcessQueue,
  PermanentShardError,
  RedisShardQueue,
  startWorker,
  type JobStatus,
  type ShardProcessor,
  type ShardWorker,
} from '../index';
import { describeWithRedis } from '../testing';

const ROOT = path.resolve(__dirname, '../../../..');
/** Fast lapse of a lost worker's lock, so the kill test retries within seconds. */
const FAST = { lockMs: 1000, stalledMs: 500 };

/**
 * A deterministic processor: shard i of argv [a, b, …] sums the character codes of its items; shard 1 of 'flaky'
 * fails its first attempt; 'bad' shard 2 fails for good.
 */
function processorFor(worker: string, seen: string[] = []): ShardProcessor {
  return async (task) => {
    seen.push(`${task.jobId}.${task.shard.index}`);
    if (task.kind === 'flaky' && task.shard.index === 1 && task.attempt === 1) throw new Error('flaky: first attempt fails');
    if (task.kind === 'bad' && task.shard.index === 2) throw new PermanentShardError('bad: shard 2 cannot work');
    const items = task.argv.filter((_, i) => i % task.shard.count === task.shard.index);
    return { worker, shard: task.shard.index, items, sum: items.join('').split('').reduce((a, c) => a + c.charCodeAt(0), 0), extras: task.extras };
  };
}

/** What must agree between the Redis path and the in-process runner (not who ran what). */
function comparable(s: JobStatus) {
  return {
    state: s.state,
    counts: s.counts,
    shards: s.shards,
    kind: s.kind,
    extras: s.extras,
    shardStatus: s.shardStatus.map((x) => ({
      index: x.index,
      state: x.state,
      failures: x.failures,
      failedReason: x.failedReason,
      result: x.result && { ...(x.result as object), worker: undefined },
    })),
  };
}

const ARGV = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta'];

describeWithRedis('@clade/queue on a real Redis', (redis) => {
  let queueName: string;
  let n = 0;
  const workers: ShardWorker[] = [];
  const queues: RedisShardQueue[] = [];
  beforeEach(() => {
    queueName = `t${++n}`;
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.close(true)));
    await Promise.all(queues.splice(0).map((q) => q.close()));
  });
  const open = async () => {
    const q = await RedisShardQueue.open({ url: redis().url, queueName, retry: { attempts: 2, backoffMs: 100 } });
    queues.push(q);
    return q;
  };
  const worker = async (name: string, seen?: string[]) => {
    const w = await startWorker({ url: redis().url, queueName, processor: processorFor(name, seen), ...FAST });
    workers.push(w);
    return w;
  };

  it('runs a job as n shards on two workers: deterministic ids, results in shard order', async () => {
    const q = await open();
    const seenA: string[] = [];
    const seenB: string[] = [];
    await Promise.all([worker('A', seenA), worker('B', seenB)]);
    const id = await q.submit({ kind: 'sum', argv: ARGV, shards: 4, jobId: 'sum-1', extras: { statsDir: '/tmp/x' } });
    expect(id).toBe('sum-1');
    const { status, timedOut } = await q.wait(id, { timeoutMs: 30_000, pollMs: 100 });
    expect(timedOut).toBe(false);
    expect(status.state).toBe('completed');
    expect(status.counts).toEqual({ completed: 4 });
    expect([...seenA, ...seenB].sort()).toEqual(['sum-1.0', 'sum-1.1', 'sum-1.2', 'sum-1.3']);
    const results = (await q.results(id)) as { shard: number; items: string[]; extras: object }[];
    expect(results.map((r) => r.shard)).toEqual([0, 1, 2, 3]);
    expect(results.flatMap((r) => r.items).sort()).toEqual([...ARGV].sort());
    expect(results[0]!.extras).toEqual({ statsDir: '/tmp/x' });
    await expect(q.submit({ kind: 'sum', argv: ARGV, shards: 2, jobId: 'sum-1' })).rejects.toThrow(/job id 'sum-1' already exists in queue 't1'/);
    await q.remove(id);
    await expect(q.status(id)).rejects.toThrow(/job 'sum-1' is not in queue/);
  });

  it('retries a failing shard, fails a permanent failure at once and reports it', async () => {
    const q = await open();
    await worker('A');
    const flaky = await q.submit({ kind: 'flaky', argv: ARGV, shards: 3 });
    const bad = await q.submit({ kind: 'bad', argv: ARGV, shards: 3 });
    const f = await q.wait(flaky, { timeoutMs: 30_000, pollMs: 100 });
    expect(f.status.state).toBe('completed');
    expect(f.status.shardStatus[1]).toMatchObject({ failures: 1, attemptsStarted: 2, failedReason: 'flaky: first attempt fails' });
    const b = await q.wait(bad, { timeoutMs: 30_000, pollMs: 100 });
    expect(b.status.state).toBe('failed');
    expect(b.status.shardStatus[2]).toMatchObject({ state: 'failed', failures: 1, failedReason: 'bad: shard 2 cannot work' });
    await expect(q.results(bad)).rejects.toThrow(/shards not completed: 2 \(failed: bad: shard 2 cannot work\)/);
  });

  it('wait gives up at its timeout while no worker runs (the job stays queued)', async () => {
    const q = await open();
    const id = await q.submit({ kind: 'sum', argv: ARGV, shards: 2 });
    const r = await q.wait(id, { timeoutMs: 300, pollMs: 100 });
    expect({ timedOut: r.timedOut, state: r.status.state, counts: r.status.counts }).toEqual({ timedOut: true, state: 'waiting', counts: { waiting: 2 } });
  });

  it('a worker SIGKILLed mid-shard: the other worker retries that shard and the job completes', async () => {
    const q = await open();
    const script = path.join(__dirname, 'fixtures-worker.ts');
    const child = spawn(process.execPath, ['--conditions=@clade/source', '--import', 'tsx', script, redis().url, queueName], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    const said = (re: RegExp) =>
      new Promise<void>((resolve, reject) => {
        const check = () => re.test(out) && resolve();
        child.stdout!.setEncoding('utf8').on('data', (d: string) => ((out += d), check()));
        child.once('exit', () => reject(new Error(`worker exited before saying ${re}: ${out}`)));
        check();
      });
    try {
      await said(/^ready$/m);
      const id = await q.submit({ kind: 'sum', argv: ARGV, shards: 3, jobId: 'kill-1' });
      await said(/^holding kill-1\.0$/m); // concurrency 1: it takes the first shard and holds it
      expect((await q.status(id)).shardStatus[0]!.state).toBe('active');
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      await worker('B');
      const { status } = await q.wait(id, { timeoutMs: 30_000, pollMs: 100 });
      expect(status.state).toBe('completed');
      expect(status.shardStatus[0]).toMatchObject({ stalled: 1, attemptsStarted: 2, failures: 0 });
      expect(((await q.results(id)) as { worker: string }[]).map((r) => r.worker)).toEqual(['B', 'B', 'B']);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('a worker closed while busy finishes its shard first (graceful shutdown)', async () => {
    const q = await open();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const w = await startWorker({ url: redis().url, queueName, ...FAST, processor: async () => (started(), await gate, 'done') });
    workers.push(w);
    const id = await q.submit({ kind: 'sum', argv: ARGV, shards: 2 });
    await running;
    const closing = w.close();
    setTimeout(release, 200);
    await closing;
    const s = await q.status(id);
    expect(s.shardStatus.map((x) => x.state)).toEqual(['completed', 'waiting']);
    expect(s.shardStatus[0]!.result).toBe('done');
  });

  it('the in-process runner gives what the Redis path gives', async () => {
    const q = await open();
    await Promise.all([worker('A'), worker('B')]);
    const local = new InProcessQueue(processorFor('local'), { retry: { attempts: 2 } });
    for (const spec of [
      { kind: 'sum', argv: ARGV, shards: 3, extras: { k: 'v' } },
      { kind: 'flaky', argv: ARGV, shards: 2 },
      { kind: 'bad', argv: ARGV, shards: 4 },
    ]) {
      const remote = (await q.wait(await q.submit(spec), { timeoutMs: 30_000, pollMs: 100 })).status;
      const here = (await local.wait(await local.submit(spec))).status;
      expect(comparable(here)).toEqual(comparable(remote));
    }
  });

  it('names an unreachable server and a malformed URL', async () => {
    const { freePort } = await import('../testing');
    const url = `redis://127.0.0.1:${await freePort()}`;
    await expect(RedisShardQueue.open({ url, connectTimeoutMs: 500 })).rejects.toThrow(`--redis: cannot reach Redis at '${url}': connect ECONNREFUSED`);
    await expect(RedisShardQueue.open({ url: 'localhost:6379' })).rejects.toThrow(/--redis: 'localhost:6379' is not a Redis URL; expected redis:\/\//);
  });
});
