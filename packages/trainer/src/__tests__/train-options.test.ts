import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { decode as decodePng } from 'fast-png';
import { readNpz } from '@clade/core';
import { readCheckpointState, train, type RunConfigInput } from '../index';
import { useWasmTraining } from './helpers/wasm-training';

// Short runs of the whole loop on a few synthetic scenes (ngf 4, 64², ndf 4), on wasm with our
// training kernels: the options of a run, end to end.
const tmp = mkdtempSync(path.join(tmpdir(), 'clade-train-opts-'));
const DATA = path.join(tmp, 'data');
const TINY_VGG = path.join(__dirname, 'fixtures/vgg19_tiny.pth');

const config = (over: Partial<RunConfigInput> = {}): RunConfigInput => ({
  generator: { labelNc: 150, containDontcare: true, normMode: 'clade', ngf: 4, cropSize: 64 },
  discriminator: { ndf: 4 },
  data: { dataset: 'ade20k', root: DATA, synthetic: { count: 4, size: 72, seed: 5 }, loadSize: 72, batchSize: 1 },
  schedule: { maxIterations: 2, checkpointEvery: 100, imageEvery: 0 },
  seed: 3,
  ...over,
});

const readLog = (out: string) =>
  readFileSync(path.join(out, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);

/** Every array of the run's checkpoint except the metadata (it holds a timestamp). */
function checkpointArrays(out: string): Map<string, Buffer> {
  const arrays = readNpz(new Uint8Array(readFileSync(path.join(out, 'checkpoints/latest.npz'))));
  arrays.delete('__meta__');
  return new Map([...arrays].map(([k, a]) => [k, Buffer.from((a.data as Float32Array).buffer)]));
}

async function run(cfg: RunConfigInput): Promise<{ out: string; notes: string[]; tensors: number[] }> {
  const out = mkdtempSync(path.join(tmp, 'run-'));
  const notes: string[] = [];
  const tensors: number[] = [];
  await train({ out, config: cfg, log: (l) => notes.push(l), onIteration: () => tensors.push(tf.memory().numTensors) });
  return { out, notes, tensors };
}

useWasmTraining();

describe('train: VGG loss', () => {
  it('loss.vggWeights turns the perceptual loss on (logged as G_VGG); a missing file is an IOError', async () => {
    const on = await run(config({ loss: { vggWeights: TINY_VGG } }));
    expect(on.notes.some((n) => n.startsWith('VGG loss on (lambdaVgg 10)') && n.includes("widths 4, 8, 8, 8, 8, not VGG19's"))).toBe(true);
    const log = readLog(on.out);
    expect(log.map((r) => r.iter)).toEqual([1, 2]);
    for (const r of log) expect(r.G_VGG).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(path.join(on.out, 'run.json'), 'utf8')).loss.vggWeights).toBe(TINY_VGG);

    await expect(run(config({ loss: { vggWeights: path.join(tmp, 'nope.pth') } }))).rejects.toThrow(/could not read '.*nope\.pth' \(no such file\)/);
  });
});

describe('train: image grids', () => {
  it('saves images/iter_<N>.png every imageEvery iterations without changing the run', async () => {
    const withGrids = await run(config({ schedule: { maxIterations: 2, checkpointEvery: 100, imageEvery: 1 }, loss: { lambdaVgg: 0 } }));
    const without = await run(config({ schedule: { maxIterations: 2, checkpointEvery: 100, imageEvery: 0 }, loss: { lambdaVgg: 0 } }));
    expect(readdirSync(path.join(withGrids.out, 'images')).sort()).toEqual(['iter_1.png', 'iter_2.png']);
    expect(readdirSync(path.join(without.out, 'images'))).toEqual([]);
    const png = decodePng(readFileSync(path.join(withGrids.out, 'images/iter_2.png')));
    expect([png.width, png.height, png.channels]).toEqual([3 * 64, 64, 3]); // label | generated | real, batch 1
    // G ran in eval mode for the grids: weights, buffers and optimizer moments are bit-identical.
    const a = checkpointArrays(withGrids.out);
    const b = checkpointArrays(without.out);
    expect([...a.keys()]).toEqual([...b.keys()]);
    expect([...a.keys()].filter((k) => Buffer.compare(a.get(k)!, b.get(k)!) !== 0)).toEqual([]);
  });
});

describe('train: gradient accumulation', () => {
  it('an iteration consumes `accumulate` batches; an epoch drops the batches short of an iteration', async () => {
    // 4 scenes, batch 1, accumulate 3: iteration 1 = batches 1–3 of epoch 1, batch 4 dropped,
    // iteration 2 = batches 1–3 of epoch 2.
    const { out, notes, tensors } = await run(config({ data: { ...config().data, accumulate: 3 } }));
    expect(tensors[1]).toBe(tensors[0]); // nothing leaks across iterations (and the dropped batch is freed)
    expect(notes).toContain('No VGG weights given (loss.vggWeights): training without the VGG loss.');
    const log = readLog(out);
    expect(log.map((r) => [r.iter, r.epoch])).toEqual([[1, 1], [2, 2]]);
    const state = await readCheckpointState(path.join(out, 'checkpoints/latest.npz'));
    expect(state).toMatchObject({ iteration: 2, epoch: 3, batchInEpoch: 0 }); // epoch 2 is complete
    await expect(run(config({ data: { ...config().data, accumulate: 5 } }))).rejects.toThrow(/has 4 train pairs, fewer than batchSize × accumulate = 1 × 5/);
  });
});
