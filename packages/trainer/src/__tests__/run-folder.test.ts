import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DivergedError } from '@clade/core';
import { fileTreeSnapshot } from '@clade/test-utils';
import { readCheckpointState, train, type RunConfigInput } from '../index';
import { useWasmTraining } from './helpers/wasm-training';

// The run folder's rules: a new run never replaces another without `overwrite`, a resume of a
// missing run creates nothing, and a run that fails before its first checkpoint leaves nothing.
describe('the run folder', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'clade-run-folder-'));
  const data = path.join(root, 'data');
  const config = (seed: number, dataRoot = data): RunConfigInput => ({
    generator: { labelNc: 150, containDontcare: true, normMode: 'clade', ngf: 4, cropSize: 64 },
    discriminator: { ndf: 8 },
    data: { dataset: 'ade20k', root: dataRoot, synthetic: { count: 2, size: 72, seed: 3 }, loadSize: 72, batchSize: 1 },
    loss: { lambdaVgg: 0 },
    schedule: { maxIterations: 1 },
    seed,
  });

  useWasmTraining();

  it('refuses a new run over an existing one, changing nothing, and replaces it with overwrite', async () => {
    const run = path.join(root, 'run');
    await train({ out: run, config: config(1) });
    writeFileSync(path.join(run, 'notes.txt'), 'mine');
    const before = fileTreeSnapshot(run);
    const started: string[] = [];
    await expect(train({ out: run, config: config(2), onStart: () => started.push('x') })).rejects.toThrow(
      /run folder '.*run' already holds a run \(run\.json\); continue it with --resume, or replace it with --force/,
    );
    expect(fileTreeSnapshot(run)).toEqual(before);
    expect(started).toEqual([]); // no banner before the refusal
    await train({ out: run, config: config(2), overwrite: true, onStart: () => started.push('x') });
    expect(started).toEqual(['x']);
    expect(JSON.parse(readFileSync(path.join(run, 'run.json'), 'utf8')).seed).toBe(2);
    expect(readFileSync(path.join(run, 'notes.txt'), 'utf8')).toBe('mine'); // not the run's: kept
    expect(readFileSync(path.join(run, 'log.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);
  }, 300_000);

  it('refuses a folder of other files too, naming a few', async () => {
    const dir = path.join(root, 'photos');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'a.png'), 'x');
    await expect(train({ out: dir, config: config(1) })).rejects.toThrow(/already holds 1 file \(a\.png\)/);
    expect(readdirSync(dir)).toEqual(['a.png']);
  });

  it('a resume of a missing run creates nothing', async () => {
    const typo = path.join(root, 'rnu');
    await expect(train({ out: typo, resume: true })).rejects.toThrow(/run\.json' not found/);
    expect(existsSync(typo)).toBe(false);
  });

  it('a new run that fails before its first checkpoint leaves nothing (a missing dataset), nor an empty folder it made', async () => {
    const missing = path.join(root, 'no-such-data');
    const fresh = path.join(root, 'fresh');
    const noSynth = { ...config(1, missing), data: { dataset: 'ade20k', root: missing, loadSize: 72, batchSize: 1 } } as RunConfigInput;
    await expect(train({ out: fresh, config: noSynth })).rejects.toThrow(/no-such-data/);
    expect(existsSync(fresh)).toBe(false);
    const empty = path.join(root, 'empty');
    mkdirSync(empty);
    await expect(train({ out: empty, config: noSynth })).rejects.toThrow(/no-such-data/);
    expect(readdirSync(empty)).toEqual([]); // the user's folder stays, as it was
  });

  it('a run whose losses go non-finite stops before saving them, naming the iteration and the losses', async () => {
    const dir = path.join(root, 'diverged');
    await train({ out: dir, config: { ...config(1), schedule: { maxIterations: 2, checkpointEvery: 1 } } });
    // The user raises the learning rate absurdly and resumes: Adam's steps of ~1e30 overflow at once.
    const runJson = path.join(dir, 'run.json');
    const run = JSON.parse(readFileSync(runJson, 'utf8'));
    Object.assign(run, { optim: { ...run.optim, lr: 1e30 }, schedule: { ...run.schedule, maxIterations: 6 } });
    writeFileSync(runJson, JSON.stringify(run));
    const error = await train({ out: dir, resume: true }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(DivergedError);
    expect((error as Error).message).toMatch(
      new RegExp(
        String.raw`^train: the run diverged at iteration 3 \(.*(NaN|Infinity).*\); ` +
          String.raw`the last checkpoint \(iteration 2, checkpoints/latest\.npz\) is intact\. Lower optim\.lr`,
      ),
    );
    // The checkpoint is the last finite state: it loads (non-finite weights would be refused).
    expect((await readCheckpointState(path.join(dir, 'checkpoints/latest.npz'))).iteration).toBe(2);
    // Diverging in a new run's first iteration leaves nothing, as any failure before a checkpoint.
    const first = path.join(root, 'diverged-at-once');
    await expect(train({ out: first, config: { ...config(1), optim: { lr: 1e30 } } as RunConfigInput })).rejects.toThrow(
      /diverged at iteration 1 .*no checkpoint was written/,
    );
    expect(existsSync(first)).toBe(false);
  }, 300_000);

  it('a new run that fails in its first iteration (after run.json was written) leaves nothing', async () => {
    const dir = path.join(root, 'crash');
    const boom = () => {
      throw new Error('boom');
    };
    await expect(train({ out: dir, config: config(1), onIteration: boom })).rejects.toThrow('boom');
    expect(existsSync(dir)).toBe(false);
  }, 300_000);
});
