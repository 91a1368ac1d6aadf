import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Piscina } from 'piscina';
import { HttpError } from './errors';
import { CANCELLED, STARTED, isWorkerMessage, taskFlags, type SynthesisResult, type SynthesisTask, type WorkerConfig, type WorkerMessage } from './task';

export interface PoolOptions extends WorkerConfig {
  /** The worker entry: src/worker.ts (run through tsx) or dist/worker.{js,cjs}; see `resolveWorkerFile`. */
  workerFile: string;
  workers: number;
}

/**
 * The worker entry as Node resolves `@clade/serve/worker` from `fromFile`'s folder: src/worker.ts
 * under `--conditions=@clade/source` (the repository), else the built file. A path, because
 * `import.meta` does not compile in the CommonJS test build.
 */
export function resolveWorkerFile(fromFile: string): string {
  return createRequire(realpathSync(fromFile)).resolve('@clade/serve/worker');
}

/**
 * Worker threads inherit the parent's execArgv; a TypeScript worker started from a process
 * without tsx (jest) gets the repository's source flags added.
 */
export function workerExecArgv(workerFile: string, parent: readonly string[] = process.execArgv): string[] | undefined {
  if (!workerFile.endsWith('.ts')) return undefined;
  const flags = [...parent];
  if (!flags.some((a) => a === '--conditions=@clade/source')) flags.push('--conditions=@clade/source');
  if (!flags.some((a, i) => a === '--import=tsx' || (a === '--import' && parent[i + 1] === 'tsx'))) flags.push('--import', 'tsx');
  return flags;
}

/** The worker threads: every model loaded once per worker; tasks time out into 503 (queued) or 504 (running). */
export class SynthesisPool {
  private readonly piscina: Piscina;
  private readonly ready = new Set<number>();
  private allReadyOnce = false;
  private failure: ((m: Extract<WorkerMessage, { type: 'failed' }>) => void) | null = null;
  /** The engine the workers run, once one is ready. */
  engine: string | null = null;

  constructor(readonly options: PoolOptions) {
    const execArgv = workerExecArgv(options.workerFile);
    this.piscina = new Piscina({
      filename: options.workerFile,
      minThreads: options.workers,
      maxThreads: options.workers,
      idleTimeout: Infinity,
      concurrentTasksPerWorker: 1,
      workerData: { models: options.models, threads: options.threads } satisfies WorkerConfig,
      ...(execArgv && { execArgv }),
    });
    this.piscina.on('message', (m: unknown) => {
      if (!isWorkerMessage(m)) return;
      if (m.type === 'failed') return this.failure?.(m);
      this.ready.add(m.threadId);
      this.engine = m.engine;
      if (this.ready.size >= options.workers) this.allReadyOnce = true;
    });
    // A worker that dies outside a task (e.g. while loading) must not crash the process as an unhandled 'error'.
    this.piscina.on('error', (e: unknown) => this.failure?.({ type: 'failed', threadId: -1, error: e instanceof Error ? e.message : String(e) }));
  }

  /** Called when a worker cannot load its models (the server cannot serve: it shuts down). */
  onFailure(cb: (m: Extract<WorkerMessage, { type: 'failed' }>) => void): void {
    this.failure = cb;
  }

  /** Every worker has loaded every model (latched: a worker replaced after a crash does not flip it back). */
  get isReady(): boolean {
    return this.allReadyOnce;
  }

  /** Live workers with every model loaded: a worker replaced after a crash counts again once it has loaded. */
  get readyWorkers(): number {
    return this.piscina.threads.filter((t) => this.ready.has(t.threadId)).length;
  }

  get queueSize(): number {
    return this.piscina.queueSize;
  }

  get utilization(): number {
    return this.piscina.utilization;
  }

  /**
   * Runs one task; past `timeoutMs` the answer is an HttpError at once: 503 (with Retry-After) when
   * the task was still queued, 504 when it was running. The task itself is cancelled, not killed:
   * a queued one returns as soon as a worker takes it, a running one at its next step, since
   * terminating a thread inside onnxruntime crashes the process. `onDone` runs when the worker is
   * really done with it (the caller's admission slot is held until then).
   */
  async run(task: Omit<SynthesisTask, 'flags'>, timeoutMs: number, retryAfter: () => number, onDone: () => void = () => {}): Promise<SynthesisResult> {
    const flags = taskFlags();
    const work = this.piscina.run({ ...task, flags } satisfies SynthesisTask) as Promise<SynthesisResult>;
    work.then(onDone, onDone);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        Atomics.store(flags, CANCELLED, 1);
        reject(
          Atomics.load(flags, STARTED) === 1
            ? new HttpError(504, `synthesis did not finish within --timeout-ms ${timeoutMs}; it was cancelled.`)
            : new HttpError(503, `the request waited --timeout-ms ${timeoutMs} for a worker without getting one; retry later.`, {
                'Retry-After': String(retryAfter()),
              }),
        );
      }, timeoutMs);
    });
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Waits for running tasks, then ends the workers. */
  async close(): Promise<void> {
    await this.piscina.close();
  }
}
