import { zipSync } from 'fflate';

/**
 * Test-only assembler for hand-built pickles and torch files. The zip side uses fflate, not
 * our own writer, so the reader is checked against an independent implementation.
 */
export type Op = number | readonly number[] | Uint8Array;

const enc = new TextEncoder();
const u32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

export const op = {
  proto: (v = 2) => [0x80, v],
  mark: [0x28],
  stop: [0x2e],
  none: [0x4e],
  newFalse: [0x89],
  emptyTuple: [0x29],
  emptyDict: [0x7d],
  emptyList: [0x5d],
  tuple: [0x74],
  tuple1: [0x85],
  tuple2: [0x86],
  tuple3: [0x87],
  reduce: [0x52],
  build: [0x62],
  binpersid: [0x51],
  setitem: [0x73],
  setitems: [0x75],
  append: [0x61],
  stackGlobal: [0x93],
  memoize: [0x94],
  global: (module: string, name: string) => [0x63, ...enc.encode(`${module}\n${name}\n`)],
  str: (s: string) => { const b = enc.encode(s); return [0x58, ...u32(b.length), ...b]; },
  shortStr: (s: string) => { const b = enc.encode(s); return [0x8c, b.length, ...b]; },
  int: (v: number) => (v < 256 ? [0x4b, v] : v < 65536 ? [0x4d, v & 0xff, v >> 8] : [0x4a, ...u32(v)]),
  ints: (vs: readonly number[]) =>
    vs.length === 0 ? [0x29] : [0x28, ...vs.flatMap((v) => op.int(v)), 0x74],
};

export function bytes(...ops: Op[]): Uint8Array {
  const out: number[] = [];
  for (const o of ops) {
    if (typeof o === 'number') out.push(o);
    else out.push(...o);
  }
  return Uint8Array.from(out);
}

/** OrderedDict() as a REDUCE, as torch writes backward hooks. */
export const orderedDict = (): number[] => [...op.global('collections', 'OrderedDict'), ...op.emptyTuple, ...op.reduce];

export interface TensorSpec {
  storageClass: string; // 'FloatStorage', 'HalfStorage', 'UntypedStorage', ...
  key: string;
  numel: number;
  offset?: number;
  size: readonly number[];
  stride?: readonly number[];
  /** Legacy format: the 6th persistent-id field (view metadata), default None. */
  legacyView?: readonly [string, number, number] | null;
  /** Use _rebuild_tensor_v3 with this torch dtype name (e.g. 'float32'). */
  v3Dtype?: string;
}

/** `_rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())` as pickle ops. */
export function tensorOps(t: TensorSpec): number[] {
  const stride = t.stride ?? t.size.map((_, d) => t.size.slice(d + 1).reduce((a, b) => a * b, 1));
  const storageGlobal = t.storageClass === 'UntypedStorage' ? op.global('torch', 'UntypedStorage') : op.global('torch', t.storageClass);
  const pid = [
    ...op.mark, ...op.str('storage'), ...storageGlobal, ...op.str(t.key), ...op.str('cpu'), ...op.int(t.numel),
    ...(t.legacyView === undefined ? [] : t.legacyView === null ? op.none
      : [...op.mark, ...op.str(t.legacyView[0]), ...op.int(t.legacyView[1]), ...op.int(t.legacyView[2]), ...op.tuple]),
    ...op.tuple, ...op.binpersid,
  ];
  return [
    ...op.global('torch._utils', t.v3Dtype ? '_rebuild_tensor_v3' : '_rebuild_tensor_v2'),
    ...op.mark, ...pid, ...op.int(t.offset ?? 0), ...op.ints(t.size), ...op.ints(stride), ...op.newFalse,
    ...orderedDict(), ...(t.v3Dtype ? op.global('torch', t.v3Dtype) : []), ...op.tuple, ...op.reduce,
  ];
}

/** An OrderedDict pickle {name: tensor} ending in STOP. */
export function stateDictPickle(entries: readonly [string, TensorSpec][], legacy = false): Uint8Array {
  return bytes(
    op.proto(2), orderedDict(), op.mark,
    ...entries.flatMap(([k, t]) => [op.str(k), tensorOps(legacy ? { legacyView: null, ...t } : t)]),
    op.setitems, op.stop,
  );
}

/** A torch.save zip archive from a data.pkl and storage records (fflate, stored). */
export function torchZip(pkl: Uint8Array, storages: Record<string, Uint8Array>, root = 'some_root'): Uint8Array {
  const files: Record<string, Uint8Array> = { [`${root}/data.pkl`]: pkl, [`${root}/byteorder`]: enc.encode('little') };
  for (const [k, v] of Object.entries(storages)) files[`${root}/data/${k}`] = v;
  files[`${root}/version`] = enc.encode('3\n');
  return zipSync(files, { level: 0 });
}

/** A legacy (pre-1.6) torch.save file: magic, protocol, sys_info, main pickle, keys, records. */
export function legacyFile(pkl: Uint8Array, records: readonly [string, number, Uint8Array][]): Uint8Array {
  const magic = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e];
  const version = [0x80, 0x02, 0x4d, 0xe9, 0x03, 0x2e];
  const sysInfo = bytes(op.proto(2), op.emptyDict, op.str('little_endian'), 0x88, op.setitem, op.stop);
  const keys = bytes(op.proto(2), op.emptyList, op.mark, ...records.map(([k]) => op.str(k)), 0x65, op.stop);
  const parts: Op[] = [magic, version, sysInfo, pkl, keys];
  for (const [, count, data] of records) {
    const n = new Uint8Array(8);
    new DataView(n.buffer).setBigInt64(0, BigInt(count), true);
    parts.push(n, data);
  }
  return bytes(...parts);
}

export const f32 = (values: readonly number[]): Uint8Array => new Uint8Array(Float32Array.from(values).buffer);
