import { IOError } from '@clade/core';
import { Admission, MovingAverage } from './admission';
import { buildApp, type AppLogOptions } from './app';
import type { ServeContext } from './context';
import { createMetrics } from './metrics';
import { readModelInfos } from './models';
import type { ServeOptions } from './options';
import { SynthesisPool } from './pool';

export interface StartServerOptions {
  /** The worker entry (see `resolveWorkerFile`). */
  workerFile: string;
  log?: AppLogOptions;
}

/** A listening server. */
export interface RunningServer {
  /** The bound address, e.g. http://127.0.0.1:8080 (the real port when 0 was asked for). */
  url: string;
  context: ServeContext;
  /**
   * Drains: /readyz answers 503, the listener closes (new connections are refused), requests in
   * flight finish, then the workers end. Idempotent.
   */
  close(): Promise<void>;
  /** Settles when the server has closed: after `close()`, or on its own when a worker cannot load the models (rejects then). */
  closed: Promise<void>;
}

/** A port in use or not allowed is the user's to fix: one line naming the flags. */
function listenError(e: unknown, o: ServeOptions): unknown {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'EADDRINUSE') return new IOError(`--port ${o.port} on --host ${o.host} is in use; choose another port (0: a free one).`, { cause: e });
  if (code === 'EACCES') return new IOError(`--port ${o.port} on --host ${o.host} is not allowed for this user; choose a port above 1023.`, { cause: e });
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return new IOError(`--host ${o.host} is not an address of this machine.`, { cause: e });
  return e;
}

/**
 * Starts `clade serve`: reads every model's clade.json (a bad --model fails here, before any
 * worker), starts the pool (each worker loads the models) and listens at once; /readyz turns 200
 * when every worker has loaded.
 */
export async function startServer(options: ServeOptions, start: StartServerOptions): Promise<RunningServer> {
  const models = await readModelInfos(options.models);
  const pool = new SynthesisPool({ workerFile: start.workerFile, workers: options.workers, models: options.models, threads: options.threads });
  const admission = new Admission(options.workers + options.maxQueue);
  const ctx: ServeContext = {
    options,
    models,
    pool,
    admission,
    taskMs: new MovingAverage(),
    metrics: createMetrics({
      queueDepth: () => pool.queueSize,
      inFlight: () => admission.inFlight,
      utilization: () => pool.utilization,
      readyWorkers: () => pool.readyWorkers,
    }),
    draining: false,
  };
  const app = buildApp(ctx, start.log);
  let closing: Promise<void> | null = null;
  let settle!: { resolve: () => void; reject: (e: Error) => void };
  const closed = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      ctx.draining = true;
      app.log.info({ inFlight: admission.inFlight }, 'draining');
      await app.close();
      await pool.close();
      app.log.info('closed');
    })());
  pool.onFailure((m) => {
    app.log.error({ threadId: m.threadId, error: m.error }, 'a worker could not load the models');
    void close().then(() => settle.reject(new Error(`a worker could not load the models: ${m.error}`)), settle.reject);
  });
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (e) {
    await pool.close();
    throw listenError(e, options);
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const closeAndSettle = () =>
    close().then(settle.resolve, (e: Error) => {
      settle.reject(e);
      throw e;
    });
  return { url: `http://${host}:${port}`, context: ctx, close: closeAndSettle, closed };
}
