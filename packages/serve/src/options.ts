import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '@clade/core';

/** A model to serve: the name clients pass as `?model=` and its model folder. */
export interface ModelSource {
  name: string;
  dir: string;
}

/** Everything `startServer` needs, validated (see `resolveServeOptions`). */
export interface ServeOptions {
  /** Models to serve, in the order `/v1/models` lists them. At least one. */
  models: ModelSource[];
  /** Interface to bind. Default 127.0.0.1 (loopback: exposing it is a decision). */
  host: string;
  /** TCP port; 0 picks a free one. Default 8080. */
  port: number;
  /** Worker threads, each holding every model once. Default: the core count. */
  workers: number;
  /** onnxruntime intra-op threads per worker. Default 1: the workers already use every core. */
  threads: number;
  /** Requests that may wait beyond the busy workers; more get 429. Default 4 × workers. */
  maxQueue: number;
  /** Longest a request may wait and run, in ms; then 503 (still queued) or 504 (running; the task is cancelled at its next step). Default 30,000. */
  timeoutMs: number;
  /** Largest request body in bytes (413 beyond). Default 8 MiB. */
  bodyLimit: number;
  /** Largest label, width × height, read from the PNG header before decoding (400 beyond). Default 4096². */
  maxPixels: number;
}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_BODY_LIMIT = 8 * 2 ** 20;
export const DEFAULT_MAX_PIXELS = 4096 * 4096;
/** The model served when none is named: the repository's bundled one, relative to the working folder (as `clade showcase` finds it). */
export const BUNDLED_MODEL_DIR = 'models/default-clade';

/** What a caller may leave out; `resolveServeOptions` fills the defaults. */
export type ServeOptionsInput = Partial<ServeOptions>;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** `--model <dir|name=dir>` → name and folder; the name defaults to the folder's basename. */
export function parseModelSource(value: string): ModelSource {
  const eq = value.indexOf('=');
  const named = eq > 0 && NAME.test(value.slice(0, eq));
  const dir = named ? value.slice(eq + 1) : value;
  const name = named ? value.slice(0, eq) : path.basename(path.resolve(dir));
  if (dir === '') throw new ConfigError(`--model '${value}' names no folder; use --model <dir> or --model <name>=<dir>.`);
  if (!NAME.test(name))
    throw new ConfigError(
      `--model '${value}': the model name '${name}' must be letters, digits, '.', '_' or '-' (starting with a letter or digit); give one as <name>=<dir>.`,
    );
  return { name, dir };
}

function check(ok: boolean, flag: string, value: unknown, rule: string): void {
  if (!ok) throw new ConfigError(`${flag} must be ${rule}, got ${JSON.stringify(value)}.`);
}

const isInt = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min;

/** Options with defaults applied, every value checked (a ConfigError naming the flag otherwise). */
export function resolveServeOptions(input: ServeOptionsInput = {}): ServeOptions {
  const workers = input.workers ?? availableParallelism();
  const o: ServeOptions = {
    models: input.models ?? [{ name: path.basename(BUNDLED_MODEL_DIR), dir: BUNDLED_MODEL_DIR }],
    host: input.host ?? DEFAULT_HOST,
    port: input.port ?? DEFAULT_PORT,
    workers,
    threads: input.threads ?? 1,
    maxQueue: input.maxQueue ?? 4 * workers,
    timeoutMs: input.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    bodyLimit: input.bodyLimit ?? DEFAULT_BODY_LIMIT,
    maxPixels: input.maxPixels ?? DEFAULT_MAX_PIXELS,
  };
  check(o.models.length > 0, '--model', o.models, 'given at least once');
  const seen = new Map<string, string>();
  for (const m of o.models) {
    const before = seen.get(m.name);
    if (before !== undefined) throw new ConfigError(`--model: the name '${m.name}' is used twice ('${before}' and '${m.dir}'); name them with <name>=<dir>.`);
    seen.set(m.name, m.dir);
  }
  check(typeof o.host === 'string' && o.host.length > 0, '--host', o.host, 'a host name or address');
  check(isInt(o.port, 0) && o.port <= 65535, '--port', o.port, 'an integer in 0..65535 (0: a free port)');
  check(isInt(o.workers, 1) && o.workers <= 256, '--workers', o.workers, 'an integer in 1..256');
  check(isInt(o.threads, 1) && o.threads <= 256, '--threads', o.threads, 'an integer in 1..256');
  check(isInt(o.maxQueue, 0), '--max-queue', o.maxQueue, 'an integer ≥ 0');
  check(isInt(o.timeoutMs, 1), '--timeout-ms', o.timeoutMs, 'a positive integer (milliseconds)');
  check(isInt(o.bodyLimit, 64), '--body-limit', o.bodyLimit, 'an integer ≥ 64 (bytes)');
  check(o.maxPixels === Infinity || isInt(o.maxPixels, 1), '--max-pixels', o.maxPixels, "a positive integer or 'none'");
  return o;
}

/** The command line's strings, as commander hands them over. */
export interface ServeFlags {
  model?: string[];
  host?: string;
  port?: string;
  workers?: string;
  threads?: string;
  maxQueue?: string;
  timeoutMs?: string;
  bodyLimit?: string;
  maxPixels?: string;
}

/** A flag's string as an integer (undefined when absent); anything but digits is refused, naming the flag. */
function intFlag(flag: string, v: string | undefined, rule: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.trim())) throw new ConfigError(`${flag} must be ${rule}, got '${v}'.`);
  return Number(v);
}

/** `clade serve`'s flags → checked options; nothing is read or loaded here. */
export function serveOptionsFromFlags(f: ServeFlags): ServeOptions {
  const maxPixels = f.maxPixels === 'none' ? Infinity : intFlag('--max-pixels', f.maxPixels, "a positive integer or 'none'");
  return resolveServeOptions({
    ...(f.model !== undefined && f.model.length > 0 && { models: f.model.map(parseModelSource) }),
    ...(f.host !== undefined && { host: f.host }),
    port: intFlag('--port', f.port, 'an integer in 0..65535 (0: a free port)'),
    workers: intFlag('--workers', f.workers, 'a positive integer'),
    threads: intFlag('--threads', f.threads, 'a positive integer'),
    maxQueue: intFlag('--max-queue', f.maxQueue, 'an integer ≥ 0'),
    timeoutMs: intFlag('--timeout-ms', f.timeoutMs, 'a positive integer (milliseconds)'),
    bodyLimit: intFlag('--body-limit', f.bodyLimit, 'an integer ≥ 64 (bytes)'),
    maxPixels,
  });
}
