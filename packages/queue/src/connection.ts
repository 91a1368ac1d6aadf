import { ConfigError, IOError } from '@clade/core';
import type { ConnectionOptions } from 'bullmq';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/** The default BullMQ queue name; every submitter and worker of a deployment must use the same one. */
export const DEFAULT_QUEUE = 'clade-shards';

/** redis://[user:password@]host[:port][/db] or rediss:// (TLS) → ioredis options (BullMQ makes its own connections). */
export function redisConnection(url: string, what = '--redis'): ConnectionOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    u = new URL('invalid://');
  }
  const db = u.pathname && u.pathname !== '/' ? Number(u.pathname.slice(1)) : 0;
  if ((u.protocol !== 'redis:' && u.protocol !== 'rediss:') || !u.hostname || !Number.isInteger(db) || db < 0)
    throw new ConfigError(`${what}: '${url}' is not a Redis URL; expected redis://[user:password@]host[:port][/db] (or rediss:// for TLS).`);
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : 6379,
    db,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/** A URL for messages, without its password. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

/** A Redis command in RESP (safe for any bytes in a password). */
function resp(args: readonly string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

/**
 * Checks that a Redis server answers at `url` (AUTH, then PING) over a plain socket, before BullMQ connects:
 * ioredis retries a refused connection for ever, and closing one that never opened waits for it to open, so a
 * submitter or worker pointed at the wrong host would hang instead of saying so.
 */
export async function reachRedis(url: string, timeoutMs = 5000): Promise<void> {
  const conn = redisConnection(url) as { host: string; port: number; username?: string; password?: string; tls?: object };
  const where = `'${redactUrl(url)}'`;
  const commands = [...(conn.password ? [resp(conn.username ? ['AUTH', conn.username, conn.password] : ['AUTH', conn.password])] : []), resp(['PING'])];
  const replies = await new Promise<string[]>((resolve, reject) => {
    const { host, port } = conn;
    const socket: Socket = conn.tls ? tlsConnect({ host, port, servername: host }) : netConnect({ host, port });
    let buf = '';
    const fail = (why: string) => (socket.destroy(), reject(new IOError(`--redis: cannot reach Redis at ${where}: ${why}; is the server running there?`)));
    socket.setTimeout(timeoutMs, () => fail(`no answer within ${timeoutMs} ms`));
    socket.once('error', (e) => fail(e.message));
    socket.once(conn.tls ? 'secureConnect' : 'connect', () => socket.write(commands.join('')));
    socket.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      const lines = buf.split('\r\n').filter((l) => /^[+-]/.test(l));
      if (lines.length >= commands.length) {
        socket.destroy();
        resolve(lines);
      }
    });
  });
  const refused = replies.find((r) => r.startsWith('-'));
  if (refused) throw new ConfigError(`--redis: Redis at ${where} refused us: ${refused.slice(1)}.`);
}
