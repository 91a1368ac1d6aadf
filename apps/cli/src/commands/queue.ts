import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '@clade/core';
import { formatShard, type Shard } from '@clade/data';
import {
  DEFAULT_QUEUE,
  InProcessQueue,
  PermanentShardError,
  RedisShardQueue,
  checkJobId,
  checkShardCount,
  newJobId,
  type JobStatus,
  type ShardEvent,
  type ShardQueue,
  type ShardTask,
} from '@clade/queue';
import { Command, CommanderError } from 'commander';
import { runCommand, type GlobalOptions } from '../run';

/** Builds a fresh `clade` program (main.ts's buildProgram, passed in to keep main → queue one-way). */
export type ProgramFactory = () => Command;

/** The commands a job can shard: both take `--shard i/n`. */
export const SHARDABLE = ['synthesize', 'eval'] as const;
export type ShardableKind = (typeof SHARDABLE)[number];

// ---------------------------------------------------------------------------------------------------------------
// Running a clade command line inside this process (workers and the no-Redis runner): a SIGKILLed worker then
// leaves no orphan child behind, and the model code is loaded once.

interface Capture {
  stdout: string;
  stderr: string;
  /** Also write stdout to the real stream (a worker's log), or keep it for a result printed later. stderr (progress, errors) is always echoed. */
  readonly echo: boolean;
}

const captureStore = new AsyncLocalStorage<Capture>();
const MAX_CAPTURE = 64 * 1024;
let streamsPatched = false;

/** Routes what a command writes to stdout/stderr into its own Capture, found through its async context. */
function patchStreams(): void {
  if (streamsPatched) return;
  streamsPatched = true;
  for (const name of ['stdout', 'stderr'] as const) {
    const stream = process[name];
    const write = stream.write.bind(stream) as (...a: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      const c = captureStore.getStore();
      if (!c) return write(chunk, ...rest);
      c[name] = (c[name] + (typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'))).slice(-MAX_CAPTURE);
      if (c.echo || name === 'stderr') return write(chunk, ...rest);
      const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      cb?.();
      return true;
    }) as typeof stream.write;
  }
}

/** Makes every command of the program throw its usage errors instead of exiting the process. */
function throwingProgram(make: ProgramFactory, writeErr: (s: string) => void): Command {
  const program = make();
  const visit = (c: Command) => {
    c.exitOverride().configureOutput({ writeErr, outputError: writeErr });
    c.commands.forEach(visit);
  };
  visit(program);
  return program;
}

export interface CommandOutcome {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

let inFlight = 0;
let runs = 0;

/**
 * Runs `clade <argv…>` here and reports how it ended. Commands report failure through process.exitCode, which is
 * process-wide: it is read and restored around each run. With several commands in flight (a worker's
 * --concurrency > 1) a failure is attributed by the command's own `clade: …` error line instead.
 */
export async function runInProcess(make: ProgramFactory, argv: readonly string[], echo: boolean): Promise<CommandOutcome> {
  patchStreams();
  const capture: Capture = { stdout: '', stderr: '', echo };
  const before = process.exitCode;
  process.exitCode = undefined;
  // Alone: no other command ran at any time during this one, so process.exitCode is this command's.
  let alone = ++inFlight === 1;
  const run = ++runs;
  let usage: string | null = null;
  try {
    await captureStore.run(capture, async () => {
      const program = throwingProgram(make, (s) => process.stderr.write(s));
      try {
        await program.parseAsync(['node', 'clade', ...argv]);
      } catch (e) {
        if (!(e instanceof CommanderError)) throw e;
        usage = e.message;
      }
    });
  } finally {
    alone &&= runs === run;
    inFlight--;
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = before;
  const ownError = /^clade: /m.test(capture.stderr);
  const exitCode = usage !== null ? 2 : alone ? code : ownError ? code || 1 : 0;
  return { exitCode, stdout: capture.stdout, stderr: capture.stderr };
}

/** The line that says why a command failed: its `clade: …` error line, else its last line on stderr. */
export function failureLine(o: CommandOutcome): string {
  const lines = o.stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const line = [...lines].reverse().find((l) => l.startsWith('clade: ')) ?? lines[lines.length - 1];
  return line ? line.replace(/^clade: /, '') : `exit code ${o.exitCode}`;
}

// ---------------------------------------------------------------------------------------------------------------
// One shard's command line, the same for the worker and the no-Redis runner.

/** Where shard i of an eval job writes its statistics (a folder every machine sees at the same path). */
export function statsFile(statsDir: string, jobId: string, shard: Shard): string {
  return path.join(statsDir, `${jobId}-${shard.index}-of-${shard.count}.npz`);
}

/**
 * `<kind> <argv…> --shard i/n`, plus for eval the shard's statistics file. `--force` replaces a statistics file a
 * lost attempt of this very shard may have written (the name is the job's own; submit refused existing ones).
 */
export function shardCommandLine(task: Pick<ShardTask, 'jobId' | 'kind' | 'argv' | 'shard' | 'extras'>): string[] {
  const argv = [task.kind, ...task.argv, '--shard', formatShard(task.shard)];
  if (task.kind === 'eval') argv.push('--save-stats', statsFile(task.extras.statsDir ?? '.', task.jobId, task.shard), '--force');
  return argv;
}

/** What a completed shard keeps for status and merge. */
export interface ShardResult {
  readonly argv: readonly string[];
  /** The command's stdout (its last 64 KiB), parsed when it is one JSON value. */
  readonly stdout: string;
  readonly json?: unknown;
  readonly statsFile?: string;
}

function parseJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

/**
 * The processor of workers and the no-Redis runner: runs the shard's command line in this process. A failed
 * command fails the shard with its error line; a user error (exit 2: a bad argument, a missing file) fails it for
 * good, since another attempt would fail the same way.
 */
export function shardProcessor(make: ProgramFactory, globals: readonly string[], echo: boolean) {
  return async (task: ShardTask): Promise<ShardResult> => {
    const argv = shardCommandLine(task);
    const o = await runInProcess(make, [...globals, ...argv], echo);
    if (o.exitCode === 2) throw new PermanentShardError(failureLine(o));
    if (o.exitCode !== 0) throw new Error(failureLine(o));
    const json = parseJson(o.stdout);
    return {
      argv,
      stdout: o.stdout,
      ...(json === undefined ? {} : { json }),
      ...(task.kind === 'eval' ? { statsFile: argv[argv.indexOf('--save-stats') + 1]! } : {}),
    };
  };
}

/** The program-wide options a caller gave (`clade --backend cpu worker …`), passed on to every shard's command. */
export function globalArgs(opts: GlobalOptions): string[] {
  return [
    ...(opts.backend ? ['--backend', opts.backend] : []),
    ...(opts.threads ? ['--threads', opts.threads] : []),
    ...(opts.maxPixels ? ['--max-pixels', opts.maxPixels] : []),
  ];
}

/** One line per shard event, for a worker's or runner's log on stderr. */
export function describeEvent(e: ShardEvent): string {
  if (e.type === 'error') return `queue: ${e.message}`;
  const where = `job ${e.task.jobId} shard ${formatShard(e.task.shard)}`;
  if (e.type === 'started') return `${where}: started (attempt ${e.task.attempt})`;
  if (e.type === 'completed') return `${where}: completed`;
  return `${where}: failed${e.final ? ' for good' : ', will retry'}: ${e.reason}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Validating a job before anything is queued.

/**
 * Parses the shard command line with the real program, its actions replaced by no-ops: an unknown flag or a
 * missing required one fails here, before a single shard is queued. Returns the command's parsed options.
 */
export async function checkCommandLine(make: ProgramFactory, argv: readonly string[]): Promise<Record<string, unknown>> {
  let err = '';
  const program = throwingProgram(make, (s) => (err += s));
  let parsed: Record<string, unknown> = {};
  const stub = (c: Command) => {
    c.action((...args: unknown[]) => {
      parsed = (args[args.length - 1] as Command).opts();
    });
    c.commands.forEach(stub);
  };
  program.commands.forEach(stub);
  try {
    await program.parseAsync(['node', 'clade', ...argv]);
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    const why = (err.split('\n').find((l) => l.startsWith('error: ')) ?? e.message).replace(/^error: /, '');
    throw new ConfigError(`queue submit: the ${argv[0]} command line is not valid: ${why}.`);
  }
  return parsed;
}

/** Flags the queue sets on every shard: the user must leave them out. */
const QUEUE_FLAGS: Record<ShardableKind, readonly string[]> = {
  synthesize: ['--shard'],
  eval: ['--shard', '--save-stats', '--out', '--force'],
};

export function checkKind(kind: string | undefined): ShardableKind {
  if (!SHARDABLE.includes(kind as ShardableKind))
    throw new ConfigError(
      `queue submit: the command after -- must be ${SHARDABLE.join(' or ')}, got '${kind ?? ''}' (e.g. clade queue submit --shards 4 -- synthesize …).`,
    );
  return kind as ShardableKind;
}

export function checkQueueFlags(kind: ShardableKind, argv: readonly string[]): void {
  for (const flag of QUEUE_FLAGS[kind]) {
    const given = argv.find((a) => a === flag || a.startsWith(`${flag}=`));
    if (given) {
      const why = flag === '--out' ? 'pass --out to `clade queue merge` (shards write only statistics)' : 'the queue sets it for each shard';
      throw new ConfigError(`queue submit: ${kind} ${given} is not allowed in a queued command line; ${why}.`);
    }
  }
}

/** Every statistics file of the job, in shard order. */
export function statsFiles(statsDir: string, jobId: string, shards: number): string[] {
  return Array.from({ length: shards }, (_, index) => statsFile(statsDir, jobId, { index, count: shards }));
}

/** An eval job's statistics folder: made if missing, and none of the job's files may exist yet (unless --force). */
export function prepareStatsDir(dir: string | undefined, jobId: string, shards: number, force: boolean): string {
  if (!dir) throw new ConfigError('queue submit: eval needs --stats-dir <dir>, a folder every worker can write (each shard saves its statistics there).');
  const abs = path.resolve(dir);
  if (existsSync(abs) && !statSync(abs).isDirectory()) throw new ConfigError(`--stats-dir '${dir}' is not a folder.`);
  mkdirSync(abs, { recursive: true });
  const clash = statsFiles(abs, jobId, shards).find((f) => existsSync(f));
  if (clash && !force)
    throw new ConfigError(`--stats-dir: '${clash}' exists (job '${jobId}' ran before?); pass --force to replace it, or choose another --job-id.`);
  return abs;
}

// ---------------------------------------------------------------------------------------------------------------
// Reports.

export function statusLines(s: JobStatus): string[] {
  const counts = Object.entries(s.counts).map(([k, v]) => `${v} ${k}`).join(', ');
  const lines = [`job ${s.jobId} (${s.kind}, ${s.shards} shards): ${s.state}; ${counts}`];
  for (const x of s.shardStatus) {
    const notes = [x.failures ? `${x.failures} failed attempt(s)` : '', x.stalled ? `lost ${x.stalled} time(s)` : ''].filter(Boolean);
    const why = x.failedReason && x.state !== 'completed' ? `: ${x.failedReason}` : '';
    lines.push(`  shard ${x.index}/${s.shards}: ${x.state}${notes.length ? ` (${notes.join(', ')})` : ''}${why}`);
  }
  return lines;
}

/** Status as JSON: the shard results (stdout) stay out; `queue merge` reports them. */
function statusJson(s: JobStatus): unknown {
  return { ...s, shardStatus: s.shardStatus.map(({ result: _result, ...rest }) => rest) };
}

/** A synthesis job's per-shard report: what each shard's command said (its JSON summary, or its last line). */
function synthesisLines(status: JobStatus): string[] {
  return status.shardStatus.map((x) => {
    const r = x.result as ShardResult | undefined;
    const summary = r?.json === undefined ? (r?.stdout.trim().split('\n').pop() ?? '') : JSON.stringify(r.json);
    return `shard ${x.index}/${status.shards}: ${summary}`;
  });
}

interface MergeOptions {
  json?: boolean;
  out?: string;
  force?: boolean;
}

/** merge: eval → `clade eval merge <stats files in shard order>` here; synthesize → each shard's report. */
async function merge(make: ProgramFactory, globals: string[], q: ShardQueue, jobId: string, opts: MergeOptions): Promise<void> {
  const status = await q.status(jobId);
  await q.results(jobId); // refuses, naming the shards, unless every one completed
  if (status.kind === 'eval') {
    const files = statsFiles(status.extras.statsDir ?? '.', jobId, status.shards);
    const argv = ['eval', 'merge', ...files, ...(opts.json ? ['--json'] : []), ...(opts.out ? ['--out', opts.out] : []), ...(opts.force ? ['--force'] : [])];
    const o = await runInProcess(make, [...globals, ...argv], true);
    if (o.exitCode !== 0) process.exitCode = o.exitCode;
    return;
  }
  if (opts.json) process.stdout.write(`${JSON.stringify(status.shardStatus.map((x) => ({ shard: x.index, ...(x.result as ShardResult) })))}\n`);
  else process.stdout.write(`${synthesisLines(status).join('\n')}\n`);
}

// ---------------------------------------------------------------------------------------------------------------
// The commands.

interface QueueOptions extends GlobalOptions {
  redis?: string;
  queue: string;
  json?: boolean;
}

interface SubmitOptions extends QueueOptions {
  shards: string;
  jobId?: string;
  statsDir?: string;
  attempts: string;
  out?: string;
  force?: boolean;
}

function positiveInt(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${flag} must be a positive integer, got '${v}'.`);
  return n;
}

async function openQueue(opts: QueueOptions, attempts?: number): Promise<RedisShardQueue> {
  if (!opts.redis) throw new ConfigError('--redis <url> is required (e.g. redis://localhost:6379).');
  return RedisShardQueue.open({ url: opts.redis, queueName: opts.queue, ...(attempts ? { retry: { attempts } } : {}) });
}

async function withQueue(opts: QueueOptions, body: (q: RedisShardQueue) => Promise<void>): Promise<void> {
  const q = await openQueue(opts);
  try {
    await body(q);
  } finally {
    await q.close();
  }
}

function failLine(s: JobStatus): string {
  const bad = s.shardStatus.find((x) => x.state === 'failed' || x.state === 'missing');
  return `job ${s.jobId} failed: shard ${bad?.index}/${s.shards}: ${bad?.failedReason ?? bad?.state}`;
}

async function submit(make: ProgramFactory, argv: string[], opts: SubmitOptions): Promise<void> {
  const kind = checkKind(argv[0]);
  const rest = argv.slice(1);
  if (kind === 'eval' && rest[0] === 'merge')
    throw new ConfigError('queue submit: eval merge is not sharded; queue the eval run (e.g. -- eval fid …) and merge with `clade queue merge`.');
  const shards = checkShardCount(positiveInt(opts.shards, '--shards'), '--shards');
  const attempts = positiveInt(opts.attempts, '--attempts');
  const jobId = opts.jobId === undefined ? newJobId() : checkJobId(opts.jobId, '--job-id');
  if (opts.statsDir && kind !== 'eval') throw new ConfigError('--stats-dir goes with eval jobs (shards save their statistics there).');
  if (opts.out && (kind !== 'eval' || opts.redis))
    throw new ConfigError('--out goes with eval jobs run here (no --redis); with --redis pass it to `clade queue merge`.');
  checkQueueFlags(kind, rest);
  const parsed = await checkCommandLine(make, [kind, ...rest, '--shard', `0/${shards}`, ...(kind === 'eval' ? ['--save-stats', 'shard.npz'] : [])]);
  if (kind === 'synthesize' && !parsed.labels)
    throw new ConfigError('queue submit: synthesize shards a folder of label maps; pass --labels <dir> and --out <dir>.');
  const extras: Record<string, string> = kind === 'eval' ? { statsDir: prepareStatsDir(opts.statsDir, jobId, shards, Boolean(opts.force)) } : {};
  const spec = { kind, argv: rest, shards, jobId, extras };
  const globals = globalArgs(opts);

  if (opts.redis) {
    await withQueue(opts, async (q) => {
      await q.submit(spec);
      process.stdout.write(opts.json ? `${JSON.stringify({ jobId, shards, kind })}\n` : `${jobId}\n`);
    });
    return;
  }
  // No Redis: every shard here, one after another, then the merged result, as one machine needs no server.
  const local = new InProcessQueue(shardProcessor(make, globals, false), {
    retry: { attempts },
    onEvent: (e) => process.stderr.write(`${describeEvent(e)}\n`),
  });
  await local.submit(spec);
  const status = await local.status(jobId);
  if (status.state !== 'completed') {
    process.stderr.write(`clade: ${failLine(status)}\n`);
    process.exitCode = 1;
    return;
  }
  await merge(make, globals, local, jobId, opts);
}

/** `clade queue submit|status|wait|merge`: sharded jobs, on Redis for many machines or here for one. */
export function registerQueue(program: Command, make: ProgramFactory): void {
  const queue = program.command('queue').description('Split a synthesize or eval command into shards and run them on workers (Redis) or here.');
  const common = (c: Command) =>
    c
      .option('--redis <url>', 'Redis server of the queue, redis://host:port[/db]')
      .option('--queue <name>', 'BullMQ queue name (the workers\' --queue)', DEFAULT_QUEUE)
      .option('--json', 'print JSON');

  common(
    queue
      .command('submit')
      .description('Queue a command as n shards (with --redis: print the job id and return; without: run them here, then merge).')
      .argument('<command...>', 'after --: synthesize … or eval … (without --shard)')
      .requiredOption('--shards <n>', 'number of shards (1..10000)')
      .option('--job-id <id>', 'job id (letters, digits, _ and -; default: a fresh one)')
      .option('--stats-dir <dir>', 'eval: folder for the shards\' statistics, the same path on every worker')
      .option('--attempts <n>', 'runs per shard before it fails for good', '3')
      .option('--out <json>', 'eval without --redis: also save the merged result')
      .option('--force', 'replace statistics files of a job id that ran before (and --out)'),
  )
    .addHelpText(
      'after',
      `
Examples:
  clade queue submit --shards 4 -- synthesize --checkpoint m --labels val_label --out results
  clade queue submit --shards 8 --redis redis://q:6379 --stats-dir /shared/stats -- eval fid --real real.npz --fake /shared/results
  clade queue wait <job id> --redis redis://q:6379 && clade queue merge <job id> --redis redis://q:6379 --json`,
    )
    .action(async (argv: string[], opts: SubmitOptions, cmd: Command) => {
      const all = { ...cmd.optsWithGlobals<SubmitOptions>(), ...opts };
      await runCommand(all, () => submit(make, argv, all));
    });

  const status = queue.command('status').description('Per-shard state of a job.').argument('<job-id>');
  status.addHelpText(
    'after',
    '\nExamples:\n  clade queue status ade-fid --redis redis://queue:6379\n  clade queue status ade-fid --redis redis://queue:6379 --json',
  );
  common(status).action(async (jobId: string, opts: QueueOptions, cmd: Command) => {
    const all = { ...cmd.optsWithGlobals<QueueOptions>(), ...opts };
    await runCommand(all, () =>
      withQueue(all, async (q) => {
        const s = await q.status(jobId);
        process.stdout.write(all.json ? `${JSON.stringify(statusJson(s))}\n` : `${statusLines(s).join('\n')}\n`);
      }),
    );
  });

  const wait = queue
    .command('wait')
    .description('Wait until every shard has settled: exit 0 when all completed, 1 when one failed for good; 124 at --timeout.');
  wait.addHelpText(
    'after',
    '\nExamples:\n  clade queue wait ade-fid --redis redis://queue:6379 --timeout 7200 && clade queue merge ade-fid --redis redis://queue:6379',
  );
  common(wait.argument('<job-id>'))
    .option('--timeout <s>', 'give up after this many seconds', '3600')
    .action(async (jobId: string, opts: QueueOptions & { timeout: string }, cmd: Command) => {
      const all = { ...cmd.optsWithGlobals<QueueOptions & { timeout: string }>(), ...opts };
      await runCommand(all, async () => {
        const timeoutMs = positiveInt(all.timeout, '--timeout') * 1000;
        await withQueue(all, async (q) => {
          const { status, timedOut } = await q.wait(jobId, { timeoutMs });
          process.stdout.write(all.json ? `${JSON.stringify({ ...(statusJson(status) as object), timedOut })}\n` : `${statusLines(status).join('\n')}\n`);
          if (timedOut) {
            process.stderr.write(`clade: job ${jobId} is not finished after ${all.timeout} s (${status.state}); it goes on.\n`);
            process.exitCode = 124;
          } else if (status.state === 'failed') {
            process.stderr.write(`clade: ${failLine(status)}\n`);
            process.exitCode = 1;
          }
        });
      });
    });

  const merger = queue.command('merge').description('eval: the merged metrics (clade eval merge of the shards\' statistics); synthesize: shard reports.');
  merger.addHelpText('after', '\nExamples:\n  clade queue merge ade-fid --redis redis://queue:6379 --json --out ade-fid.json');
  common(merger.argument('<job-id>'))
    .option('--out <json>', 'eval: also save the merged result')
    .option('--force', 'replace --out')
    .action(async (jobId: string, opts: QueueOptions & MergeOptions, cmd: Command) => {
      const all = { ...cmd.optsWithGlobals<QueueOptions & MergeOptions>(), ...opts };
      await runCommand(all, () => withQueue(all, (q) => merge(make, globalArgs(all), q, jobId, all)));
    });
}
