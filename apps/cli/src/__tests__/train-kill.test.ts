// Crash safety of `clade train`: SIGKILL mid-iteration and mid-checkpoint-write, then --resume.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readCheckpointState } from '@clade/trainer';
import { ROOT, runCli } from './run-cli';

const CONFIG = path.join(ROOT, 'examples/train-tiny.json');

/** Starts training and SIGKILLs it when `when(runDir)` first holds (polled every 2 ms). */
function trainUntil(out: string, args: string[], when: (dir: string) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@clade/source', '--import', 'tsx', 'apps/cli/src/main.ts', 'train', ...args], {
      cwd: ROOT,
      env: { ...process.env, CLADE_BACKEND: '' },
      stdio: 'ignore',
    });
    const timer = setInterval(() => {
      if (when(out)) {
        child.kill('SIGKILL');
        clearInterval(timer);
      }
    }, 2);
    child.on('error', reject);
    child.on('close', () => {
      clearInterval(timer);
      resolve();
    });
  });
}

const loggedIters = (dir: string): number[] => {
  const f = path.join(dir, 'log.jsonl');
  if (!existsSync(f)) return [];
  return readFileSync(f, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      try {
        return (JSON.parse(l) as { iter: number }).iter;
      } catch {
        return -1; // a line cut by the kill
      }
    });
};
const tmpInCheckpoints = (dir: string) => {
  const d = path.join(dir, 'checkpoints');
  return existsSync(d) && readdirSync(d).some((f) => f.endsWith('.tmp'));
};

describe('clade train survives SIGKILL', () => {
  it('killed mid-iteration, then mid-checkpoint-write; --resume continues from the last complete checkpoint', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'clade-kill-'));
    const args = ['--config', CONFIG, '--out', out, '--iterations', '16', '--checkpoint-every', '4'];

    // 1. Kill while iteration 7 runs (6 logged, checkpoint 4 complete).
    await trainUntil(out, args, (d) => loggedIters(d).includes(6));
    const afterKill = await readCheckpointState(path.join(out, 'checkpoints/latest.npz'));
    expect(afterKill.iteration).toBe(4);

    // 2. Resume, and kill the moment the next checkpoint's temp file exists (mid-write).
    await trainUntil(out, ['--resume', out], tmpInCheckpoints);
    const mid = await readCheckpointState(path.join(out, 'checkpoints/latest.npz')); // still a complete file
    expect([4, 8]).toContain(mid.iteration);

    // 3. Resume to the end: contiguous log, final iteration 16, intact checkpoint.
    const r = await runCli(['train', '--resume', out], 240_000);
    expect(r.code).toBe(0);
    expect(loggedIters(out)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect((await readCheckpointState(path.join(out, 'checkpoints/latest.npz'))).iteration).toBe(16);
    expect(tmpInCheckpoints(out)).toBe(false); // interrupted temp files are cleaned up on resume
  }, 400_000);
});
