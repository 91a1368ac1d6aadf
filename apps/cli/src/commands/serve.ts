import { IOError } from '@clade/core';
import type { Command } from 'commander';
import { runCommand, type GlobalOptions } from '../run';

interface ServeCommandOptions extends GlobalOptions {
  model?: string[];
  host?: string;
  port?: string;
  workers?: string;
  maxQueue?: string;
  timeoutMs?: string;
  bodyLimit?: string;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** `clade serve`: the HTTP synthesis service of @clade/serve; this file only turns flags into its options. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Serve label → image synthesis over HTTP: POST /v1/synthesize?model=<name>&seed=<n> with a label PNG, answered with a PNG.')
    .option('--model <dir|name=dir>', 'a model folder to serve (repeatable; name: the folder name, or name=dir). Default: models/default-clade', collect)
    .option('--host <address>', 'interface to bind (default 127.0.0.1)')
    .option('--port <n>', 'TCP port; 0 picks a free one (default 8080)')
    .option('--workers <n>', 'worker threads, each holding every model (default: the core count)')
    .option('--max-queue <n>', 'requests that may wait beyond the busy workers; more are answered 429 with Retry-After (default 4 × workers)')
    .option('--timeout-ms <n>', 'longest a request may wait and run; then 503 (still queued) or 504 (running; the task is cancelled) (default 30000)')
    .option('--body-limit <bytes>', 'largest request body; larger is answered 413 (default 8388608)')
    .addHelpText(
      'after',
      `
The global --max-pixels caps a label's width × height, read from its PNG header (server default
4096² = 16777216; 413 beyond), and --threads sets onnxruntime's threads per worker (default 1).
Each image is the one \`clade synthesize --engine onnx --checkpoint <dir> --label <png> --seed <n>\`
writes. Logs are JSON lines on stderr; stdout gets one line with the URL once listening.
SIGTERM/SIGINT drain: no new connections, requests in flight finish, exit 0.

Examples:
  clade serve                                   # models/default-clade on http://127.0.0.1:8080
  clade serve --model clade=models/default-clade --port 0 --workers 2
  curl -s --data-binary @examples/masks/scene-1.png 'http://127.0.0.1:8080/v1/synthesize?seed=3' -o out.png
  curl -s --data-binary @colours.png 'http://127.0.0.1:8080/v1/synthesize?labels=colors' -o out.png`,
    )
    .action(async (opts: ServeCommandOptions, cmd: Command) => {
      const all = { ...cmd.optsWithGlobals<ServeCommandOptions>(), ...opts };
      await runCommand(all, async () => {
        // Loaded here, not at startup: other commands need neither fastify nor piscina.
        const { closeOnSignals, resolveWorkerFile, serveOptionsFromFlags, startServer } = await import('@clade/serve');
        const options = serveOptionsFromFlags({ ...all, model: all.model });
        // The worker entry as this program resolves it: src/ under the repository's source condition, else dist/.
        const server = await startServer(options, { workerFile: resolveWorkerFile(process.argv[1]!) });
        const release = closeOnSignals(server);
        const names = server.context.models.map((m) => m.name).join(', ');
        process.stdout.write(`clade serve: listening on ${server.url} (${options.workers} workers; models: ${names})\n`);
        try {
          await server.closed;
        } catch (e) {
          throw new IOError(`--model: ${(e as Error).message}`, { cause: e });
        } finally {
          release();
        }
      });
    });
}
