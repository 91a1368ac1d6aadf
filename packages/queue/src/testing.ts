// Test helpers (the `@clade/queue/testing` entry): a real, throw-away redis-server per test file.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** $CLADE_REDIS_SERVER (a path or a name on PATH, as .ci/run reads it), else redis-server on PATH; null when there is none. */
export function redisServerBinary(): string | null {
  const name = process.env.CLADE_REDIS_SERVER || 'redis-server';
  if (path.isAbsolute(name)) return existsSync(name) ? name : null;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).concat('/usr/bin', '/usr/local/bin')) {
    const file = path.join(dir, name);
    if (dir && existsSync(file)) return file;
  }
  return null;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ port, host: '127.0.0.1' });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

/** Starts redis-server on a free local port with nothing persisted, in a temporary folder removed by `stop`. */
export async function startRedisServer(binary = redisServerBinary()): Promise<RedisServer> {
  if (!binary) throw new Error('redis-server not found (install it, e.g. apt-get install redis-server, or set $CLADE_REDIS_SERVER)');
  const dir = mkdtempSync(path.join(tmpdir(), 'clade-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  const child = spawn(binary, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (log = (log + d).slice(-4000)));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (log = (log + d).slice(-4000)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited(child);
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) break;
    if (await accepts(port)) return { url: `redis://127.0.0.1:${port}`, port, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`redis-server did not start on port ${port}:\n${log}`);
}

/**
 * A describe block with a fresh Redis (started before, stopped after). Without redis-server the block is one
 * visible skipped test, or a failing one under CI=true (CI installs it; a silent skip would hide the queue tests).
 */
export function describeWithRedis(name: string, fn: (redis: () => RedisServer) => void): void {
  const binary = redisServerBinary();
  if (!binary) {
    if (process.env.CI === 'true') {
      describe(name, () => it('has redis-server', () => {
        throw new Error('redis-server not found; CI must install it (.ci/run does: apt-get install redis-server)');
      }));
      return;
    }
    // eslint-disable-next-line no-console
    console.warn(`SKIPPED "${name}": redis-server not found (install it or set $CLADE_REDIS_SERVER).`);
    describe(name, () => it.skip('needs redis-server', () => {}));
    return;
  }
  describe(name, () => {
    let server: RedisServer | undefined;
    beforeAll(async () => {
      server = await startRedisServer(binary);
    }, 30_000);
    afterAll(async () => {
      await server?.stop();
    });
    fn(() => {
      if (!server) throw new Error('redis-server is not running (beforeAll failed)');
      return server;
    });
  });
}
