import { spawn } from 'node:child_process';
import * as path from 'node:path';

/** The repository root (commands run from there, as `pnpm clade` does). */
export const ROOT = path.resolve(__dirname, '../../../..');

export interface CliResult {
  code: number | null;
  out: string;
  err: string;
}

/**
 * Runs the real CLI as a user would (tsx on the sources, the @clade/source condition), on the
 * backend it picks by default. Async, so independent runs can overlap on a 2-core machine.
 */
export function runCli(args: string[], timeoutMs = 150_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@clade/source', '--import', 'tsx', 'apps/cli/src/main.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, CLADE_BACKEND: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

/**
 * Runs the CLI invocations, at most `limit` at a time (default 2: the machine has 2 cores), each killed
 * after `timeoutMs` (default 150 s: a loaded CI machine runs twice as slow as a quiet one).
 */
export async function runAll(jobs: string[][], { timeoutMs = 150_000, limit = 2 }: { timeoutMs?: number; limit?: number } = {}): Promise<CliResult[]> {
  const results: CliResult[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await runCli(jobs[i]!, timeoutMs);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

/** A user error: exit 2 and exactly one line on stderr, no stack. */
export function expectUserError(r: CliResult, pattern: RegExp): void {
  const lines = r.err.trim().split('\n');
  expect({ code: r.code, lines: lines.length, stack: /\n\s+at /.test(r.err) }).toEqual({ code: 2, lines: 1, stack: false });
  expect(lines[0]).toMatch(pattern);
}
