import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { zipSync } from 'fflate';
import { describeWithShared, sharedPath } from '@clade/test-utils';
import { ConfigError, IOError } from '../../errors';
import {
  int64ToFloat64, int64ToInt32, loadNpyFile, loadNpzFile, readNpy, readNpz, saveNpyFile, saveNpzFile,
  atomicTempName, parseAtomicTempName, writeFileAtomic, writeNpy, writeNpz, type NdArray,
} from '../index';
import golden from './fixtures/numpy-golden.json';

const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

interface NpyEntry { file: string; kind?: string; shape: number[]; dtype: string; stats?: Record<string, number> }

function stats(a: NdArray) {
  const x = Float64Array.from(a.data as ArrayLike<number>);
  let min = Infinity, max = -Infinity, sum = 0;
  for (const v of x) { min = Math.min(min, v); max = Math.max(max, v); sum += v; }
  const mean = sum / x.length;
  let ss = 0;
  for (const v of x) ss += (v - mean) ** 2;
  return { min, max, mean, std: Math.sqrt(ss / x.length) };
}

function checkManifestNpys(folder: string) {
  const manifest = JSON.parse(readFileSync(sharedPath(folder, 'manifest.json'), 'utf8')) as { files: NpyEntry[] };
  const entries = manifest.files.filter((f) => f.file.endsWith('.npy'));
  it('lists .npy files', () => expect(entries.length).toBeGreaterThan(5));
  it.each(entries.map((e) => [e.file, e] as const))('%s: shape, dtype, stats, byte-identical round trip', (_f, e) => {
    const bytes = readFileSync(sharedPath(folder, e.file));
    const a = readNpy(bytes, e.file);
    expect(a.shape).toEqual(e.shape);
    expect(a.dtype).toBe(e.dtype);
    if (e.stats) {
      const s = stats(a);
      expect(s.min).toBe(e.stats.min); // min/max are exact float32 values
      expect(s.max).toBe(e.stats.max);
      expect(Math.abs(s.mean - e.stats.mean!)).toBeLessThan(1e-6 * Math.max(1, Math.abs(e.stats.mean!)) + 1e-7);
      expect(Math.abs(s.std - e.stats.std!)).toBeLessThan(1e-5 * e.stats.std!);
    }
    // numpy 2.x header layout is reproduced exactly.
    expect(Buffer.from(writeNpy(a)).equals(bytes)).toBe(true);
  });
}

describeWithShared('readNpy on p3_layers fixtures', ['fixtures/p3_layers/manifest.json'], () => checkManifestNpys('fixtures/p3_layers'));
describeWithShared('readNpy on p1_coco_generator fixtures', ['fixtures/p1_coco_generator/manifest.json'], () =>
  checkManifestNpys('fixtures/p1_coco_generator'),
);

function expectValues(a: NdArray, key: string) {
  const g = golden.arrays[key as keyof typeof golden.arrays];
  expect(a.dtype).toBe(g.dtype);
  expect(a.shape).toEqual(g.shape);
  if (a.dtype === 'int64') expect(Array.from(a.data, String)).toEqual(g.values);
  else if (a.dtype === 'bool') expect(Array.from(a.data, Boolean)).toEqual(g.values);
  else expect(Array.from(a.data as ArrayLike<number>)).toEqual(g.values);
}

describe('readNpy / writeNpy against numpy-written bytes', () => {
  it.each(Object.keys(golden.npy))('%s: values and byte-identical round trip', (key) => {
    const bytes = b64(golden.npy[key as keyof typeof golden.npy]);
    const a = readNpy(bytes, key);
    expectValues(a, key);
    expect(Buffer.from(writeNpy(a)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('reads format versions 2.0 and 3.0', () => {
    for (const k of ['npyV2', 'npyV3'] as const) {
      const bytes = b64(golden[k]);
      expect(bytes[6]).toBe(k === 'npyV2' ? 2 : 3);
      expectValues(readNpy(bytes, k), 'sigma');
    }
  });

  it('widens <f2 to float32 exactly', () => {
    const a = readNpy(b64(golden.half.npy), 'half.npy');
    expect(a.dtype).toBe('float32');
    expect(Array.from(a.data as Float32Array)).toEqual(golden.half.values);
  });

  it('rejects Fortran order and big-endian data with a clear error', () => {
    expect(() => readNpy(b64(golden.fortran), 'f.npy')).toThrow(/readNpy: f\.npy is stored in Fortran order \(fortran_order: True\); only C order/);
    expect(() => readNpy(b64(golden.bigEndian), 'b.npy')).toThrow(/readNpy: b\.npy is big-endian \(dtype '>f8'\); only little-endian/);
  });

  it('writes every dtype, 0-d and empty arrays, and reads them back', () => {
    const cases: NdArray[] = [
      { dtype: 'float32', shape: [], data: Float32Array.of(1.5) },
      { dtype: 'float64', shape: [0, 3], data: new Float64Array(0) },
      { dtype: 'int32', shape: [2], data: Int32Array.of(-7, 2 ** 31 - 1) },
      { dtype: 'int64', shape: [2], data: BigInt64Array.of(-(2n ** 62n), 5n) },
      { dtype: 'uint8', shape: [1, 2], data: Uint8Array.of(0, 255) },
      { dtype: 'bool', shape: [3], data: Uint8Array.of(1, 0, 1) },
      { dtype: 'int16', shape: [2], data: Int16Array.of(-32768, 32767) },
      { dtype: 'uint16', shape: [2], data: Uint16Array.of(0, 65535) },
      { dtype: 'int8', shape: [2], data: Int8Array.of(-128, 127) },
    ];
    for (const a of cases) {
      const bytes = writeNpy(a);
      expect((bytes.length - a.data.byteLength) % 64).toBe(0); // header aligned like numpy
      expect(readNpy(bytes)).toEqual(a);
    }
  });

  it('names the file and the problem for corrupt input', () => {
    const good = b64(golden.npy.sigma);
    expect(() => readNpy(Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10, 0, 0, 0), 'img.png')).toThrow(/readNpy: img\.png is not a \.npy file/);
    expect(() => readNpy(new Uint8Array(0), 'empty.npy')).toThrow(IOError);
    expect(() => readNpy(good.subarray(0, good.length - 8), 'cut.npy')).toThrow(
      /cut\.npy is truncated: shape \[4,4\] of '<f8' needs 128 data bytes, the file has 120/,
    );
    expect(() => readNpy(good.subarray(0, 40), 'cut.npy')).toThrow(/truncated: its header needs/);
    expect(() => readNpy(Buffer.concat([good, Buffer.alloc(3)]), 'long.npy')).toThrow(/3 unexpected trailing bytes/);
    const npyWith = (header: string, data = new Uint8Array(0)) =>
      Buffer.concat([Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length, 0]), Buffer.from(header, 'latin1'), data]);
    expect(() => readNpy(npyWith("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }\n", new Uint8Array(8)), 'c.npy'))
      .toThrow(/readNpy: c\.npy has dtype '<c8'; supported: <f4/);
    expect(() => readNpy(npyWith("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }\n"), 's.npy'))
      .toThrow(/readNpy: s\.npy has descr \[\["a","<f8"\]\]; structured or object dtypes are not supported/);
    expect(() => readNpy(npyWith("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }\n", new Uint8Array(4)), 'ok.npy')).not.toThrow();
    expect(() => readNpy(npyWith("{'descr': '<f4', 'shape': __import__('os')}\n"), 'evil.npy')).toThrow(/readNpy: evil\.npy has a malformed header/);
    expect(() => readNpy(Buffer.concat([good.subarray(0, 6), Buffer.from([9, 0])]), 'v9.npy')).toThrow(/format version 9\.0; supported: 1\.0, 2\.0, 3\.0/);
  });

  it('refuses malformed arrays on write', () => {
    expect(() => writeNpy({ dtype: 'float32', shape: [2, 2], data: new Float32Array(3) })).toThrow(ConfigError);
    expect(() => writeNpy({ dtype: 'float32', shape: [2], data: new Float64Array(2) } as unknown as NdArray)).toThrow(/must be a Float32Array/);
  });
});

describe('readNpz / writeNpz', () => {
  it('reads np.savez (stored) and np.savez_compressed (deflated) archives in order', () => {
    for (const k of ['savez', 'savezCompressed'] as const) {
      const m = readNpz(b64(golden[k]), `${k}.npz`);
      expect([...m.keys()]).toEqual(Object.keys(golden.arrays));
      for (const [key, a] of m) expectValues(a, key);
    }
  });

  it('round-trips, stored and deflated', () => {
    const src = readNpz(b64(golden.savez));
    for (const compress of [false, true]) {
      const back = readNpz(writeNpz(src, { compress }));
      expect(back).toEqual(src);
    }
    expect(readNpz(writeNpz({ mu: src.get('mu')! })).get('mu')).toEqual(src.get('mu'));
  });

  it('names the archive and the entry in errors', () => {
    const bad = zipSync({ 'mu.npy': Uint8Array.of(1, 2, 3) });
    expect(() => readNpz(bad, 'stats.npz')).toThrow(/readNpy: stats\.npz:mu\.npy is not a \.npy file/);
    expect(() => readNpz(zipSync({ 'notes.txt': Uint8Array.of(1) }), 'x.npz')).toThrow(/x\.npz holds 'notes\.txt', which is not a \.npy entry/);
    const good = b64(golden.savez);
    expect(() => readNpz(good.subarray(0, good.length - 30), 'cut.npz')).toThrow(/readNpz: cut\.npz is not a readable \.npz archive: .*truncated/);
    expect(() => writeNpz({ '': src() })).toThrow(ConfigError);
    function src(): NdArray { return { dtype: 'uint8', shape: [1], data: Uint8Array.of(1) }; }
  });
});

describe('int64 conversions', () => {
  const a: NdArray<'int64'> = { dtype: 'int64', shape: [3], data: BigInt64Array.of(-5n, 0n, 2147483647n) };
  it('convert exactly when in range', () => {
    expect(int64ToInt32(a)).toEqual({ dtype: 'int32', shape: [3], data: Int32Array.of(-5, 0, 2147483647) });
    expect(int64ToFloat64(a).data).toEqual(Float64Array.of(-5, 0, 2147483647));
  });
  it('throw instead of wrapping or rounding', () => {
    expect(() => int64ToInt32({ ...a, data: BigInt64Array.of(2n ** 31n) })).toThrow(/must fit in int32, got 2147483648 at flat index 0/);
    expect(() => int64ToFloat64({ ...a, data: BigInt64Array.of(0n, 2n ** 53n) })).toThrow(/got 9007199254740992 at flat index 1/);
  });
});

describe('files: writeFileAtomic, loadNpyFile, npz files', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(path.join(tmpdir(), 'clade-io-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes atomically, overwrites, and leaves no temporary files', async () => {
    const p = path.join(dir, 'a.bin');
    await writeFileAtomic(p, Uint8Array.of(1, 2, 3));
    await writeFileAtomic(p, Uint8Array.of(4, 5));
    expect([...readFileSync(p)]).toEqual([4, 5]);
    expect(readdirSync(dir)).toEqual(['a.bin']);
  });

  it('reads back the target and the writer from its temporary names, and nothing from other names', () => {
    expect(parseAtomicTempName(atomicTempName('x.y.png', 4321, '0a1b2c'))).toEqual({ target: 'x.y.png', pid: 4321 });
    expect(parseAtomicTempName('x.y.png')).toBeNull();
    expect(parseAtomicTempName('.x.png.12.zz.tmp')).toBeNull();
  });

  it('fails with an IOError naming the path, and cleans up', async () => {
    await expect(writeFileAtomic(path.join(dir, 'missing', 'a.bin'), Uint8Array.of(1))).rejects.toThrow(/writeFileAtomic: could not write '.*missing\/a\.bin'/);
    mkdirSync(path.join(dir, 'target'));
    writeFileSync(path.join(dir, 'target', 'x'), 'x'); // renaming a file over a non-empty folder fails
    await expect(writeFileAtomic(path.join(dir, 'target'), Uint8Array.of(1))).rejects.toThrow(IOError);
    expect(readdirSync(dir).sort()).toEqual(['target']);
  });

  it('saves and loads .npy and .npz files; errors name the path', async () => {
    const a: NdArray = { dtype: 'float32', shape: [2], data: Float32Array.of(1, 2) };
    const p = path.join(dir, 'a.npy');
    await saveNpyFile(p, a);
    await expect(loadNpyFile(p)).resolves.toEqual(a);
    await saveNpzFile(path.join(dir, 's.npz'), { mu: a }, { compress: true });
    expect((await loadNpzFile(path.join(dir, 's.npz'))).get('mu')).toEqual(a);
    await expect(loadNpyFile(path.join(dir, 'nope.npy'))).rejects.toThrow(/loadNpyFile: could not read '.*nope\.npy' \(no such file\)/);
    writeFileSync(path.join(dir, 'bad.npy'), 'hello');
    await expect(loadNpyFile(path.join(dir, 'bad.npy'))).rejects.toThrow(new RegExp(`readNpy: ${dir.replace(/[/.]/g, '\\$&')}/bad\\.npy is not a \\.npy file`));
  });
});
