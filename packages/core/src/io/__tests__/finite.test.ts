import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { IOError, isUserError } from '../../errors';
import {
  assertFiniteWeights, loadNpzFile, loadTorchCheckpointFile, readNpz, readTorchObject, saveNpzFile,
  saveTorchCheckpointFile, writeNpz, writeTorchCheckpoint, type NdArray,
} from '../index';

const f32 = (shape: number[], values: number[]): NdArray => ({ dtype: 'float32', shape, data: Float32Array.from(values) });

/** A small generator-like state dict; `bad` puts NaN at flat index 17 of the second conv and two ±Inf after it. */
function stateDict(bad: boolean): Map<string, NdArray> {
  const w = Array.from({ length: 2 * 3 * 3 * 3 }, (_, i) => Math.sin(i));
  if (bad) {
    w[17] = NaN;
    w[20] = Infinity;
    w[40] = -Infinity;
  }
  return new Map<string, NdArray>([
    ['head_0.conv_0.weight_orig', f32([2, 3, 3, 3], Array.from({ length: 54 }, (_, i) => i / 54))],
    ['up_0.conv_0.weight_orig', f32([2, 3, 3, 3], w)],
    ['up_0.conv_0.bias', f32([2], [0.1, -0.1])],
    ['up_0.norm_0.param_free_norm.num_batches_tracked', { dtype: 'int64', shape: [], data: BigInt64Array.of(7n) }],
  ]);
}

const WANT = /^'G\.pth': tensor 'up_0\.conv_0\.weight_orig' holds 3 non-finite values \(first NaN at index 17\); the file is damaged or the run diverged\.$/;

describe('assertFiniteWeights', () => {
  it('names the file, the first bad tensor, the count and the first bad value', () => {
    let err: unknown;
    try {
      assertFiniteWeights('G.pth', stateDict(true));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(IOError);
    expect(isUserError(err)).toBe(true);
    expect((err as Error).message).toMatch(WANT);
  });

  it('reports ±Infinity and float64, one value in the singular', () => {
    expect(() => assertFiniteWeights('a.npz', [['m', { dtype: 'float64', shape: [3], data: Float64Array.of(0, -Infinity, 1) }]]))
      .toThrow(/^'a\.npz': tensor 'm' holds 1 non-finite value \(first -Infinity at index 1\);/);
    expect(() => assertFiniteWeights('a.npz', [['m', f32([2], [Infinity, 0])]]))
      .toThrow(/first Infinity at index 0/);
  });

  it('passes finite arrays, empty ones, extremes and every integer/bool dtype', () => {
    const ok: [string, NdArray][] = [
      ['w', f32([4], [0, -0, 3.4028234663852886e38, -1.401298464324817e-45])],
      ['empty', f32([0], [])],
      ['d', { dtype: 'float64', shape: [2], data: Float64Array.of(Number.MAX_VALUE, Number.MIN_VALUE) }],
      ['i64', { dtype: 'int64', shape: [1], data: BigInt64Array.of(-1n) }],
      ['i32', { dtype: 'int32', shape: [1], data: Int32Array.of(-1) }],
      ['u8', { dtype: 'uint8', shape: [1], data: Uint8Array.of(255) }],
      ['b', { dtype: 'bool', shape: [1], data: Uint8Array.of(1) }],
    ];
    expect(() => assertFiniteWeights('ok.pth', ok)).not.toThrow();
    expect(() => assertFiniteWeights('ok.pth', stateDict(false))).not.toThrow();
  });
});

describe('loaders refuse non-finite weights', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'clade-finite-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('.pth: loadTorchCheckpointFile and readTorchCheckpoint name the file and tensor; a clean file loads', async () => {
    const bad = path.join(dir, 'G.pth');
    await saveTorchCheckpointFile(bad, stateDict(true));
    await expect(loadTorchCheckpointFile(bad)).rejects.toThrow(
      new RegExp(`^'${bad.replace(/[.\\/]/g, '\\$&')}': tensor 'up_0\\.conv_0\\.weight_orig' holds 3 non-finite values \\(first NaN at index 17\\)`),
    );
    // Also when the state dict is chosen by { path } rather than found.
    await expect(loadTorchCheckpointFile(bad, { path: [] })).rejects.toThrow(/tensor 'up_0\.conv_0\.weight_orig' holds 3/);
    // The container reader stays value-agnostic.
    const raw = readTorchObject(writeTorchCheckpoint(stateDict(true))) as Map<string, NdArray>;
    expect(Number.isNaN((raw.get('up_0.conv_0.weight_orig')!.data as Float32Array)[17])).toBe(true);

    const good = path.join(dir, 'G-ok.pth');
    await saveTorchCheckpointFile(good, stateDict(false));
    const sd = await loadTorchCheckpointFile(good);
    expect([...sd.keys()]).toEqual([...stateDict(false).keys()]);
  });

  it('.npz: loadNpzFile and readNpz name the file and array; metadata bytes and ints never trip it', async () => {
    const arrays = new Map(stateDict(true));
    const meta = new TextEncoder().encode('{"format":"clade-checkpoint"}');
    arrays.set('__meta__', { dtype: 'uint8', shape: [meta.length], data: meta });
    const bad = path.join(dir, 'run.npz');
    await saveNpzFile(bad, arrays);
    await expect(loadNpzFile(bad)).rejects.toThrow(/run\.npz': tensor 'up_0\.conv_0\.weight_orig' holds 3 non-finite values \(first NaN at index 17\)/);
    expect(() => readNpz(writeNpz(arrays, { compress: true }), 'G.npz')).toThrow(/^'G\.npz': tensor 'up_0\.conv_0\.weight_orig' holds 3/);
    // Optimizer moments are checked too: a non-finite moment also means a broken run.
    expect(() => readNpz(writeNpz({ 'G_opt/00001': f32([2], [0, NaN]) }), 'run.npz')).toThrow(/tensor 'G_opt\/00001' holds 1 non-finite value/);
    // Data that may hold Inf opts out.
    expect(readNpz(writeNpz(arrays), 'd.npz', { allowNonFinite: true }).size).toBe(5);

    const goodArrays = new Map(stateDict(false));
    goodArrays.set('__meta__', { dtype: 'uint8', shape: [meta.length], data: meta });
    const good = path.join(dir, 'run-ok.npz');
    await saveNpzFile(good, goodArrays);
    expect([...(await loadNpzFile(good)).keys()]).toEqual([...goodArrays.keys()]);
  });
});
