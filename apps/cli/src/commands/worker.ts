import { initBackend } from '@clade/backend';
import { ConfigError } from '@clade/core';
import { DEFAULT_QUEUE, startWorker } from '@clade/queue';
import type { Command } from 'commander';
import { backendOptions, runCommand, type GlobalOptions } from '../run';
import { describeEvent, globalArgs, shardProcessor, type ProgramFactory } from './queue';

interface WorkerFlags extends GlobalOptions {
  redis: string;
  queue: string;
  concurrency: string;
  lockMs: string;
  stalledMs: string;
  maxStalled: string;
}

function int(v: string, flag: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`${flag} must be an integer ≥ ${min}, got '${v}'.`);
  return n;
}

/** `clade worker`: takes shards from the queue and runs each command line in this process, until SIGTERM. */
export function registerWorker(program: Command, make: ProgramFactory): void {
  program
    .command('worker')
    .description('Run queued shards (clade queue submit --redis) in this process until SIGTERM, which finishes the current shard first.')
    .requiredOption('--redis <url>', 'Redis server of the queue, redis://host:port[/db]')
    .option('--queue <name>', 'BullMQ queue name', DEFAULT_QUEUE)
    .option('--concurrency <n>', 'shards at once in this process (one worker process per core or GPU is the usual layout)', '1')
    .option('--lock-ms <ms>', 'shard lock; a killed worker\'s shard is retried about lock + stalled-check later; must outlast one image\'s compute', '30000')
    .option('--stalled-ms <ms>', 'how often to look for shards of lost workers', '15000')
    .option('--max-stalled <n>', 'times a shard may lose its worker before it fails for good', '2')
    .addHelpText(
      'after',
      `
Every worker needs the same view of the files as the submitter: label and output folders, the eval
statistics folder (--stats-dir) and models, at the same paths (see docs/scale-out.md).

Examples:
  clade --backend tensorflow worker --redis redis://queue:6379 --lock-ms 60000`,
    )
    .action(async (opts: WorkerFlags, cmd: Command) => {
      const all = { ...cmd.optsWithGlobals<WorkerFlags>(), ...opts };
      await runCommand(all, async () => {
        const log = (line: string) => process.stderr.write(`${line}\n`);
        // Load the tfjs backend now: loading a native TensorFlow library blocks the event loop for seconds, and
        // during a shard that can outlast --lock-ms (the shard then goes to another worker as if this one died).
        await initBackend(backendOptions(all));
        const worker = await startWorker({
          url: all.redis,
          queueName: all.queue,
          processor: shardProcessor(make, globalArgs(all), true),
          concurrency: int(all.concurrency, '--concurrency', 1),
          lockMs: int(all.lockMs, '--lock-ms', 1000),
          stalledMs: int(all.stalledMs, '--stalled-ms', 100),
          maxStalledCount: int(all.maxStalled, '--max-stalled', 1),
          onEvent: (e) => log(describeEvent(e)),
          handleSignals: true,
        });
        log(`worker ${process.pid} ready: queue '${all.queue}'`);
        await worker.closed;
        log(`worker ${process.pid} stopped`);
      });
    });
}
