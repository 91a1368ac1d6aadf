import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { HttpError, SynthesisPool, type SynthesisResult } from '../index';

// The real worker (src/worker.ts through tsx) and the bundled model: what a timeout does to a task.
const ROOT = path.resolve(__dirname, '../../../..');
const MODEL = path.join(ROOT, 'models/default-clade');
const LABEL = path.join(ROOT, 'examples/masks/scene-1.png');

async function outcome(p: Promise<SynthesisResult>): Promise<number | string> {
  try {
    const r = await p;
    return r.ok ? 200 : r.status;
  } catch (e) {
    if (!(e instanceof HttpError)) throw e;
    return e.status === 503 ? `503 retry ${e.headers['Retry-After']}` : e.status;
  }
}

// The bundled model and example label are tracked files: their absence is a failure, not a skip.
describe('SynthesisPool', () => {
  const pool = new SynthesisPool({ workerFile: path.join(__dirname, '../worker.ts'), workers: 1, models: [{ name: 'm', dir: MODEL }], threads: 1 });
  const task = { model: 'm', body: new Uint8Array(readFileSync(LABEL)), labels: 'ids' as const, seed: 3, maxPixels: 1e6 };
  afterAll(() => pool.close());

  it('is not ready before its worker has loaded the model', () => {
    expect({ ready: pool.isReady, workers: pool.readyWorkers }).toEqual({ ready: false, workers: 0 });
  });

  it('answers timed-out tasks with 503 (queued) or 504 (running), cancels them, and keeps its worker', async () => {
    await expect(pool.run(task, 120_000, () => 1)).resolves.toMatchObject({ ok: true, width: 256, height: 256 });
    expect(pool.isReady).toBe(true);
    // Two tasks on one worker with a timeout shorter than one synthesis: neither can finish in time.
    const [first, second] = await Promise.all([outcome(pool.run(task, 30, () => 7)), outcome(pool.run(task, 30, () => 7))]);
    expect([503, 504, '503 retry 7']).toContain(first);
    expect(second).toBe('503 retry 7'); // queued behind the first: never started
    await expect(pool.run(task, 120_000, () => 1)).resolves.toMatchObject({ ok: true });
    expect(pool.readyWorkers).toBe(1);
  }, 120_000);

  it('answers a label the model cannot take with a 400 message, not an exception', async () => {
    const { encode } = await import('fast-png');
    const body = encode({ width: 4, height: 4, data: new Uint8Array(16).fill(222), channels: 1, depth: 8 });
    await expect(pool.run({ ...task, body }, 120_000, () => 1)).resolves.toEqual({
      ok: false,
      status: 400,
      error: expect.stringMatching(/label ids must be in \[0, 150\].*raw values 222 \(16 px\)/),
    });
  }, 120_000);
});
