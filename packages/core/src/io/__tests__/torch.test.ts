import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { zipSync, unzipSync } from 'fflate';
import { describeWithShared, sharedPath } from '@clade/test-utils';
import { IOError } from '../../errors';
import {
  readTorchCheckpoint, readTorchObject, writeTorchCheckpoint, isNdArray, type NdArray, type TorchValue,
} from '../index';
import reference from './fixtures/torch-reference.json';
import {
  bytes, f32, legacyFile, op, orderedDict, stateDictPickle, tensorOps, torchZip, type TensorSpec,
} from './torch-bytes';

type ManifestKeys = Record<string, [number[], string]>;
interface PthEntry { file: string; sha256: string; keys?: ManifestKeys; n_tensors?: number; n_params?: number }

const read = (folder: string, file: string) => readFileSync(sharedPath('fixtures', folder, file));
const manifest = (folder: string) =>
  (JSON.parse(readFileSync(sharedPath('fixtures', folder, 'manifest.json'), 'utf8')) as { files: PthEntry[] }).files
    .filter((f) => f.file.endsWith('.pth'));

/** Same construction as the reference script (see fixtures/torch-reference.json `digest`). */
function digest(sd: Map<string, NdArray>): string {
  const h = createHash('sha256');
  for (const [k, v] of sd) {
    h.update(`${k}\n${v.dtype}\n${JSON.stringify(v.shape)}\n`);
    h.update(new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength));
  }
  return h.digest('hex');
}

/** Fast equality for big state dicts (jest's toEqual walks typed arrays element by element). */
function expectSameStateDict(a: Map<string, NdArray>, b: Map<string, NdArray>) {
  expect([...a.keys()]).toEqual([...b.keys()]);
  for (const [k, x] of a) {
    const y = b.get(k)!;
    expect([k, x.dtype, x.shape]).toEqual([k, y.dtype, y.shape]);
    const bytesOf = (t: NdArray) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    expect(bytesOf(x).equals(bytesOf(y))).toBe(true);
  }
}

function expectMatchesManifest(sd: Map<string, NdArray>, keys: ManifestKeys) {
  expect([...sd.keys()]).toEqual(Object.keys(keys));
  for (const [k, [shape, dtype]] of Object.entries(keys)) {
    expect([k, sd.get(k)!.shape, sd.get(k)!.dtype]).toEqual([k, shape, dtype]);
  }
}

function expectReference(file: string, sd: Map<string, NdArray>) {
  const ref = reference.files[file as keyof typeof reference.files];
  expect(sd.size).toBe(ref.count);
  expect(digest(sd)).toBe(ref.digest);
  for (const [k, s] of Object.entries(ref.samples)) {
    const x = Float64Array.from(sd.get(k)!.data as ArrayLike<number>, Number);
    expect([x[0], x[x.length - 1]]).toEqual([s.first, s.last]);
    expect(x.reduce((a, b) => a + b, 0)).toBeCloseTo(s.sum, 6);
  }
}

describeWithShared('readTorchCheckpoint on p3_layers (zip format)', ['fixtures/p3_layers/manifest.json'], () => {
  const files = manifest('p3_layers');
  it('lists six .pth files', () => expect(files.length).toBe(6));
  it.each(files.map((f) => [f.file, f] as const))('%s: sha256, keys in order, shapes, dtypes, values', (file, entry) => {
    const b = read('p3_layers', file);
    expect(createHash('sha256').update(b).digest('hex')).toBe(entry.sha256);
    const sd = readTorchCheckpoint(b, file);
    expectMatchesManifest(sd, entry.keys!);
    expectReference(`p3_layers/${file}`, sd);
  });
  it.each(files.map((f) => [f.file] as const))('writeTorchCheckpoint reproduces torch.save\'s records for %s', (file) => {
    const original = unzipSync(read('p3_layers', file));
    const sd = readTorchCheckpoint(read('p3_layers', file));
    const written = unzipSync(writeTorchCheckpoint(sd, { archiveName: 'x' }));
    const root = Object.keys(original)[0]!.split('/')[0]!;
    const ours = written['x/data.pkl']!;
    // Same pickle bytes up to torch's trailing `_metadata` BUILD, which we do not write.
    expect(Buffer.from(ours.subarray(0, -1)).equals(Buffer.from(original[`${root}/data.pkl`]!.subarray(0, ours.length - 1)))).toBe(true);
    for (let k = 0; k < sd.size; k++) {
      expect(Buffer.from(written[`x/data/${k}`]!).equals(Buffer.from(original[`${root}/data/${k}`]!))).toBe(true);
    }
  });

  it('keeps int64 exact and 0-d tensors as shape []', () => {
    const sd = readTorchCheckpoint(read('p3_layers', 'clade_spadelight.pth'));
    expect(sd.get('param_free_norm.num_batches_tracked')).toEqual({ dtype: 'int64', shape: [], data: BigInt64Array.of(7n) });
  });
});

describeWithShared('readTorchCheckpoint on p1_coco_generator (zip and legacy)', [
  'fixtures/p1_coco_generator/manifest.json', 'fixtures/p1_coco_generator/clade_G.legacy.pth',
], () => {
  const files = manifest('p1_coco_generator');
  const zipped = files.filter((f) => f.keys);
  it.each(zipped.map((f) => [f.file, f] as const))('%s: sha256, keys, shapes, dtypes, counts, values', (file, entry) => {
    const b = read('p1_coco_generator', file);
    expect(createHash('sha256').update(b).digest('hex')).toBe(entry.sha256);
    const sd = readTorchCheckpoint(b, file); // archive root is 'latest_net_G', not the file stem
    expectMatchesManifest(sd, entry.keys!);
    expect(sd.size).toBe(entry.n_tensors);
    const isParam = (k: string) => !/running_|num_batches|weight_u|weight_v/.test(k); // parameters, not buffers
    const params = [...sd].filter(([k]) => isParam(k)).reduce((s, [, v]) => s + v.data.length, 0);
    expect(params).toBe(entry.n_params);
    expectReference(`p1_coco_generator/${file}`, sd);
  });

  it('reads the legacy copy identically to the zip one', () => {
    const entry = files.find((f) => f.file === 'clade_G.legacy.pth')!;
    const b = read('p1_coco_generator', 'clade_G.legacy.pth');
    expect(createHash('sha256').update(b).digest('hex')).toBe(entry.sha256);
    const legacy = readTorchCheckpoint(b, 'clade_G.legacy.pth');
    expectReference('p1_coco_generator/clade_G.legacy.pth', legacy);
    const zip = readTorchCheckpoint(read('p1_coco_generator', 'clade_G.pth'));
    expectSameStateDict(legacy, zip);
    expectMatchesManifest(legacy, files.find((f) => f.file === 'clade_G.pth')!.keys!);
  });

  it('round-trips through writeTorchCheckpoint', () => {
    const sd = readTorchCheckpoint(read('p1_coco_generator', 'clade_icpe_G.pth'));
    const written = writeTorchCheckpoint(sd, { archiveName: 'latest_net_G' });
    expectSameStateDict(readTorchCheckpoint(written), sd);
  });
});

// ---- synthetic files: every layout torch can produce ----

const oneTensor = (t: TensorSpec, storages: Record<string, Uint8Array>) =>
  readTorchCheckpoint(torchZip(stateDictPickle([['w', t]]), storages)).get('w')!;

describe('readTorchCheckpoint on hand-built checkpoints', () => {
  it('materializes strided views with storage offsets (a transposed slice)', () => {
    // storage 0..9; view = as_strided(offset 1, size [3,2], stride [1,3]) → [[1,4],[2,5],[3,6]]
    const w = oneTensor({ storageClass: 'FloatStorage', key: '0', numel: 10, offset: 1, size: [3, 2], stride: [1, 3] },
      { 0: f32([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]) });
    expect(w).toEqual({ dtype: 'float32', shape: [3, 2], data: Float32Array.of(1, 4, 2, 5, 3, 6) });
    // expand-style zero strides, and a size-1 dim with an arbitrary stride
    const e = oneTensor({ storageClass: 'FloatStorage', key: '0', numel: 3, offset: 1, size: [2, 1, 2], stride: [0, 99, 1] },
      { 0: f32([7, 8, 9]) });
    expect(Array.from(e.data as Float32Array)).toEqual([8, 9, 8, 9]);
    expect(() => oneTensor({ storageClass: 'FloatStorage', key: '0', numel: 1, size: [2 ** 20, 2 ** 20], stride: [0, 0] }, { 0: f32([1]) }))
      .toThrow(/expands storage '0' \(1 elements\) beyond/);
  });

  it('shares one storage between tensors (views of one parameter)', () => {
    const pkl = stateDictPickle([
      ['a', { storageClass: 'DoubleStorage', key: '0', numel: 4, size: [2, 2] }],
      ['b', { storageClass: 'DoubleStorage', key: '0', numel: 4, offset: 2, size: [2] }],
    ]);
    const sd = readTorchCheckpoint(torchZip(pkl, { 0: new Uint8Array(Float64Array.of(1, 2, 3, 4).buffer) }));
    expect(sd.get('a')!.data).toEqual(Float64Array.of(1, 2, 3, 4));
    expect(sd.get('b')).toEqual({ dtype: 'float64', shape: [2], data: Float64Array.of(3, 4) });
  });

  it('widens float16 and bfloat16 to float32, keeps int64/int32/uint8/bool/int8/int16', () => {
    const half = new Uint8Array(Uint16Array.of(0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00).buffer); // 1, -2, 65504, 2^-24, inf
    // readTorchObject: readTorchCheckpoint refuses the inf (finite.test.ts).
    const h = (
      readTorchObject(
        torchZip(stateDictPickle([['w', { storageClass: 'HalfStorage', key: '0', numel: 5, size: [5] }]]), { 0: half }),
      ) as Map<string, NdArray>
    ).get('w')!;
    expect(Array.from(h.data as Float32Array)).toEqual([1, -2, 65504, 2 ** -24, Infinity]);
    const bf = new Uint8Array(Uint16Array.of(0x3f80, 0xc040, 0x4049).buffer); // 1, -3, 3.140625
    const b = oneTensor({ storageClass: 'BFloat16Storage', key: '0', numel: 3, size: [3] }, { 0: bf });
    expect(b).toEqual({ dtype: 'float32', shape: [3], data: Float32Array.of(1, -3, 3.140625) });
    const cases: [string, NdArray][] = [
      ['LongStorage', { dtype: 'int64', shape: [2], data: BigInt64Array.of(-(2n ** 60n), 3n) }],
      ['IntStorage', { dtype: 'int32', shape: [2], data: Int32Array.of(-1, 2) }],
      ['ShortStorage', { dtype: 'int16', shape: [2], data: Int16Array.of(-1, 2) }],
      ['CharStorage', { dtype: 'int8', shape: [2], data: Int8Array.of(-1, 2) }],
      ['ByteStorage', { dtype: 'uint8', shape: [2], data: Uint8Array.of(255, 2) }],
      ['BoolStorage', { dtype: 'bool', shape: [2], data: Uint8Array.of(1, 0) }],
    ];
    for (const [cls, want] of cases) {
      const raw = new Uint8Array(want.data.buffer.slice(0));
      expect(oneTensor({ storageClass: cls, key: '0', numel: 2, size: [2] }, { 0: raw })).toEqual(want);
    }
  });

  it('reads UntypedStorage with _rebuild_tensor_v3 and its dtype', () => {
    const w = oneTensor({ storageClass: 'UntypedStorage', key: '0', numel: 12, offset: 1, size: [2], v3Dtype: 'float32' },
      { 0: f32([5, 6, 7]) });
    expect(w).toEqual({ dtype: 'float32', shape: [2], data: Float32Array.of(6, 7) });
  });

  it('accepts nn.Parameter, the _metadata BUILD, empty tensors and a plain dict', () => {
    const t = tensorOps({ storageClass: 'FloatStorage', key: '0', numel: 2, size: [2] });
    const param = [...op.global('torch._utils', '_rebuild_parameter'), ...op.mark, ...t, 0x88, ...orderedDict(), ...op.tuple, ...op.reduce];
    const empty = tensorOps({ storageClass: 'FloatStorage', key: '1', numel: 0, size: [0, 3] });
    const metadata = [...op.emptyDict, ...op.str('_metadata'), ...orderedDict(), ...op.mark, ...op.str(''), ...op.emptyDict,
      ...op.str('version'), ...op.int(1), ...op.setitem, ...op.setitems, ...op.setitem, ...op.build];
    const pkl = bytes(op.proto(2), op.emptyDict, op.mark, op.str('p'), param, op.str('e'), empty, op.setitems, metadata, op.stop);
    const sd = readTorchCheckpoint(torchZip(pkl, { 0: f32([1, 2]), 1: new Uint8Array(0) }));
    expect(sd.get('p')).toEqual({ dtype: 'float32', shape: [2], data: Float32Array.of(1, 2) });
    expect(sd.get('e')).toEqual({ dtype: 'float32', shape: [0, 3], data: new Float32Array(0) });
  });

  const sdOps = (key: string) => [
    ...orderedDict(), ...op.str('w'), ...tensorOps({ storageClass: 'FloatStorage', key, numel: 1, size: [1] }), ...op.setitem,
  ];
  const checkpoint = (...entries: [string, number[]][]) => torchZip(
    bytes(op.proto(2), op.emptyDict, op.mark, ...entries.flatMap(([k, v]) => [op.str(k), v]), op.setitems, op.stop),
    { 0: f32([1]), 1: f32([2]) },
  );

  it('finds the one state dict inside a checkpoint dict; readTorchObject keeps the structure', () => {
    const file = checkpoint(['epoch', op.int(3)], ['state_dict', sdOps('0')], ['name', op.str('G')]);
    expect(readTorchCheckpoint(file, 'ckpt.pth').get('w')!.data).toEqual(Float32Array.of(1));
    const obj = readTorchObject(file) as Map<string, TorchValue>;
    expect([...obj.keys()]).toEqual(['epoch', 'state_dict', 'name']);
    expect(obj.get('epoch')).toBe(3);
    expect(obj.get('name')).toBe('G');
    expect(isNdArray((obj.get('state_dict') as Map<string, TorchValue>).get('w'))).toBe(true);
  });

  it('errors clearly when the state dict is ambiguous or absent, and honours { path }', () => {
    const two = checkpoint(['netG', sdOps('0')], ['netD', sdOps('1')]);
    expect(() => readTorchCheckpoint(two, 'gan.pth')).toThrow(
      /readTorchCheckpoint: gan\.pth holds 2 dicts of tensors, at \['netG'\], \['netD'\]; pass \{ path \} to choose one/);
    expect(readTorchCheckpoint(two, 'gan.pth', { path: ['netD'] }).get('w')!.data).toEqual(Float32Array.of(2));
    expect(() => readTorchCheckpoint(two, 'gan.pth', { path: ['netE'] })).toThrow(/gan\.pth has no entry \['netE'\]/);
    const none = checkpoint(['epoch', op.int(3)]);
    expect(() => readTorchCheckpoint(none, 'meta.pth')).toThrow(/meta\.pth holds no dict of tensors \(it holds a dict with keys 'epoch'\)/);
  });

  it('reads the legacy format, including legacy storage views', () => {
    const pkl = stateDictPickle([
      ['a', { storageClass: 'FloatStorage', key: '140', numel: 4, size: [2, 2], stride: [1, 2] }],
      ['b', { storageClass: 'LongStorage', key: '7', numel: 1, size: [] }],
      ['c', { storageClass: 'FloatStorage', key: '140', numel: 4, size: [2], legacyView: ['141', 2, 2] }],
    ], true);
    const long = new Uint8Array(BigInt64Array.of(42n).buffer);
    const sd = readTorchCheckpoint(legacyFile(pkl, [['140', 4, f32([1, 2, 3, 4])], ['7', 1, long]]), 'old.pth');
    expect(sd.get('a')!.data).toEqual(Float32Array.of(1, 3, 2, 4));
    expect(sd.get('b')).toEqual({ dtype: 'int64', shape: [], data: BigInt64Array.of(42n) });
    expect(sd.get('c')!.data).toEqual(Float32Array.of(3, 4));
  });
});

// ---- security: nothing outside the allow-list is ever resolved or called ----

describe('restricted unpickler', () => {
  const evil: [string, Uint8Array][] = [
    ['os.system', bytes(op.proto(2), op.global('os', 'system'), op.str('touch /tmp/pwned'), op.tuple1, op.reduce, op.stop)],
    ['posix.system', bytes(op.global('posix', 'system'), op.mark, op.str('id'), op.tuple, op.reduce, op.stop)],
    ['builtins.eval', bytes(op.proto(2), op.global('builtins', 'eval'), op.str('1+1'), op.tuple1, op.reduce, op.stop)],
    ['subprocess.Popen', bytes(op.proto(4), op.shortStr('subprocess'), op.shortStr('Popen'), op.stackGlobal, op.str('ls'), op.tuple1, op.reduce, op.stop)],
    ['builtins.getattr', bytes(op.proto(2), orderedDict(), op.global('builtins', 'getattr'), op.stop)],
    // INST (protocol 0): module/name inline, then called with the marked args
    ['os.system', bytes(op.mark, op.str('id'), 0x69, ...new TextEncoder().encode('os\nsystem\n'), op.stop)],
  ];

  it.each(evil.map(([g, b], i) => [`${g} #${i}`, g, b] as const))('refuses %s', (_label, global, pkl) => {
    const pattern = new RegExp(
      `readTorchCheckpoint: evil\\.pth refuses to unpickle global ` +
        `'${global.replace('.', '\\.')}': only tensor/OrderedDict structures are allowed`,
    );
    expect(() => readTorchCheckpoint(torchZip(pkl, {}), 'evil.pth')).toThrow(pattern);
    expect(() => readTorchCheckpoint(torchZip(pkl, {}), 'evil.pth')).toThrow(IOError);
    // the same payload as a legacy file's main pickle
    expect(() => readTorchCheckpoint(legacyFile(pkl, []), 'evil.pth')).toThrow(pattern);
  });

  it('refuses to call allow-listed non-callables, EXT opcodes, and BUILD on other objects', () => {
    const callStorage = bytes(op.proto(2), op.global('torch', 'FloatStorage'), op.emptyTuple, op.reduce, op.stop);
    expect(() => readTorchCheckpoint(torchZip(callStorage, {}), 'x.pth')).toThrow(/x\.pth refuses to call 'torch\.FloatStorage'/);
    const callList = bytes(op.proto(2), op.emptyList, op.emptyTuple, op.reduce, op.stop);
    expect(() => readTorchCheckpoint(torchZip(callList, {}), 'x.pth')).toThrow(/refuses to call a tuple\/list/);
    const ext = bytes(op.proto(2), 0x82, 1, op.stop);
    expect(() => readTorchCheckpoint(torchZip(ext, {}), 'x.pth')).toThrow(/refuses the copyreg extension registry \(EXT1\)/);
    const buildList = bytes(op.proto(2), op.emptyList, op.emptyDict, op.build, op.stop);
    expect(() => readTorchCheckpoint(torchZip(buildList, {}), 'x.pth')).toThrow(/refuses BUILD/);
  });

  it('refuses before reading any storage (no partial work on a hostile file)', () => {
    const pkl = bytes(op.proto(2), orderedDict(), op.mark, op.str('w'),
      tensorOps({ storageClass: 'FloatStorage', key: '0', numel: 1, size: [1] }), op.setitems,
      op.global('os', 'system'), op.stop);
    expect(() => readTorchCheckpoint(torchZip(pkl, {}), 'x.pth')).toThrow(/refuses to unpickle global 'os\.system'/);
  });
});

// ---- corrupt and foreign files ----

describe('corrupt and foreign input', () => {
  const good = torchZip(stateDictPickle([['w', { storageClass: 'FloatStorage', key: '0', numel: 2, size: [2] }]]), { 0: f32([1, 2]) }, 'm');

  it('names the file and the problem', () => {
    const png = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13);
    expect(() => readTorchCheckpoint(png, 'cat.png')).toThrow(/readTorchCheckpoint: cat\.png is a PNG image, not a PyTorch checkpoint\./);
    let seed = 12345;
    const random = Uint8Array.from({ length: 4096 }, () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) >> 16) & 0xff);
    expect(() => readTorchCheckpoint(random, 'noise.bin')).toThrow(
      /readTorchCheckpoint: noise\.bin is not a PyTorch checkpoint \(expected a torch\.save zip archive/,
    );
    expect(() => readTorchCheckpoint(new Uint8Array(0), 'empty.pth')).toThrow(/empty\.pth is empty/);
    expect(() => readTorchCheckpoint(good.subarray(0, good.length - 40), 'cut.pth')).toThrow(
      /readTorchCheckpoint: cut\.pth is not a readable zip archive: no end-of-central-directory record \(not a zip archive, or truncated\)/,
    );
    expect(() => readTorchCheckpoint(zipSync({ 'a/readme.txt': Uint8Array.of(1) }), 'other.zip')).toThrow(
      /other\.zip is a zip archive without '<root>\/data\.pkl', so not a torch\.save checkpoint \(entries: 'a\/readme\.txt'\)/,
    );
  });

  it('reports a missing or short storage record and a CRC mismatch', () => {
    const files = unzipSync(good);
    delete files['m/data/0'];
    expect(() => readTorchCheckpoint(zipSync(files, { level: 0 }), 'x.pth')).toThrow(
      /x\.pth is missing storage record 'm\/data\/0' \(a tensor of size \[2\] refers to it\)/,
    );
    const short = torchZip(stateDictPickle([['w', { storageClass: 'FloatStorage', key: '0', numel: 2, size: [2] }]]), { 0: f32([1]) });
    expect(() => readTorchCheckpoint(short, 'x.pth')).toThrow(
      /x\.pth has a corrupt or unsupported tensor record .*reaches element 1 of storage '0', which holds 1 float32 elements/,
    );
    const flipped = new Uint8Array(good);
    const at = Buffer.from(flipped).indexOf(Buffer.from(f32([1, 2])));
    flipped[at] = flipped[at]! ^ 0xff;
    expect(() => readTorchCheckpoint(flipped, 'x.pth')).toThrow(/x\.pth has an unreadable record: entry 'm\/data\/0' fails its CRC-32 check/);
  });

  it('reports a truncated pickle and truncated legacy files', () => {
    const pkl = stateDictPickle([['w', { storageClass: 'FloatStorage', key: '9', numel: 2, size: [2] }]], true);
    expect(() => readTorchCheckpoint(torchZip(pkl.subarray(0, 50), {}), 'x.pth')).toThrow(
      /x\.pth has a corrupt or unsupported data\.pkl \(byte \d+\): unexpected end of data/,
    );
    const legacy = legacyFile(pkl, [['9', 2, f32([1, 2])]]);
    expect(readTorchCheckpoint(legacy).get('w')!.data).toEqual(Float32Array.of(1, 2));
    expect(() => readTorchCheckpoint(legacy.subarray(0, legacy.length - 4), 'old.pth')).toThrow(
      /old\.pth is truncated: storage '9' needs 2 float32 elements \(8 bytes\)/,
    );
    expect(() => readTorchCheckpoint(legacy.subarray(0, 120), 'old.pth')).toThrow(/old\.pth has a corrupt or unsupported main pickle .*unexpected end of data/);
    const noRecord = legacyFile(pkl, []);
    expect(() => readTorchCheckpoint(noRecord, 'old.pth')).toThrow(/old\.pth is missing the record of storage '9'/);
    const notTorch = bytes(op.proto(2), op.int(5), op.stop);
    expect(() => readTorchCheckpoint(notTorch, 'p.pkl')).toThrow(/p\.pkl is a pickle, but not a PyTorch checkpoint/);
  });
});

describe('writeTorchCheckpoint', () => {
  it('round-trips every supported dtype, 0-d and empty tensors, in order', () => {
    const sd = new Map<string, NdArray>([
      ['conv.weight', { dtype: 'float32', shape: [2, 1, 3, 3], data: Float32Array.from({ length: 18 }, (_, i) => i / 7) }],
      ['d', { dtype: 'float64', shape: [2], data: Float64Array.of(Math.PI, -0) }],
      ['n', { dtype: 'int64', shape: [], data: BigInt64Array.of(2n ** 40n) }],
      ['i', { dtype: 'int32', shape: [70000], data: new Int32Array(70000).fill(-3) }],
      ['s', { dtype: 'int16', shape: [1], data: Int16Array.of(-2) }],
      ['c', { dtype: 'int8', shape: [1], data: Int8Array.of(-1) }],
      ['u', { dtype: 'uint8', shape: [1, 1], data: Uint8Array.of(200) }],
      ['b', { dtype: 'bool', shape: [2], data: Uint8Array.of(1, 0) }],
      ['e', { dtype: 'float32', shape: [0], data: new Float32Array(0) }],
    ]);
    const file = writeTorchCheckpoint(sd, { archiveName: 'exported' });
    const back = readTorchCheckpoint(file);
    expect([...back.keys()]).toEqual([...sd.keys()]);
    expectSameStateDict(back, sd);
    // torch.save layout: stored records under one root, data aligned to 64 bytes
    const names = Object.keys(unzipSync(file));
    expect(names).toEqual(expect.arrayContaining(['exported/data.pkl', 'exported/byteorder', 'exported/version', 'exported/data/0']));
    const at = Buffer.from(file).indexOf(Buffer.from(new Uint8Array(sd.get('i')!.data.buffer).subarray(0, 64)));
    expect(at % 64).toBe(0);
    expect(readTorchCheckpoint(writeTorchCheckpoint(new Map())).size).toBe(0); // an empty state dict
  });

  it('refuses uint16 and malformed arrays', () => {
    expect(() => writeTorchCheckpoint(new Map([['x', { dtype: 'uint16', shape: [1], data: Uint16Array.of(1) } as NdArray]])))
      .toThrow(/'x' has dtype 'uint16'; supported: float32/);
    expect(() => writeTorchCheckpoint(new Map([['x', { dtype: 'float32', shape: [2], data: new Float32Array(1) } as NdArray]])))
      .toThrow(/writeTorchCheckpoint: 'x': data length must equal/);
  });
});
