import { IOError } from '../../errors';
import {
  HOST_IS_LITTLE_ENDIAN, allocTyped, formatShape, isNdArray, numel, typedView,
  type DType, type NdArray, type TypedArray,
} from '../ndarray';
import { assertFiniteWeights } from '../finite';
import { bfloat16ToFloat32, float16ToFloat32 } from '../half';
import { ZipFormatError, looksLikeZip, readZip } from '../zip';
import { PickleError, unpickle, type UnpickleHooks } from './pickle';

/** Element types of torch storages. float16/bfloat16 are widened to float32 on load. */
export type TorchDType =
  | 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8'
  | 'uint8' | 'bool' | 'uint16';

/** A Python global that the loader allows as a value (a storage class, a dtype, a callable). */
export class TorchGlobal {
  constructor(readonly module: string, readonly name: string) {}
  get qualname(): string { return `${this.module}.${this.name}`; }
}

/** A raw storage left in the structure (not wrapped in a tensor); rare in real checkpoints. */
export class TorchStorage {
  constructor(
    readonly key: string,
    readonly dtype: TorchDType,
    readonly numel: number,
    readonly location: string,
    /** Legacy format only: this storage is a view of `key` starting at this element. */
    readonly viewOffset = 0,
  ) {}
}

/** What `readTorchObject` returns: the pickled structure with tensors materialized. */
export type TorchValue =
  | null | boolean | number | bigint | string | Uint8Array | NdArray | TorchGlobal | TorchStorage
  | TorchValue[] | Map<TorchValue, TorchValue> | Set<TorchValue>;

const STORAGE_CLASSES: Record<string, TorchDType> = {
  DoubleStorage: 'float64', FloatStorage: 'float32', HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16', LongStorage: 'int64', IntStorage: 'int32', ShortStorage: 'int16',
  CharStorage: 'int8', ByteStorage: 'uint8', BoolStorage: 'bool',
};
const TORCH_DTYPES: Record<string, TorchDType> = {
  float32: 'float32', float: 'float32', float64: 'float64', double: 'float64', float16: 'float16',
  half: 'float16', bfloat16: 'bfloat16', int64: 'int64', long: 'int64', int32: 'int32', int: 'int32',
  int16: 'int16', short: 'int16', int8: 'int8', uint8: 'uint8', bool: 'bool', uint16: 'uint16',
};
const ELEMENT_SIZE: Record<TorchDType, number> = {
  float32: 4, float64: 8, float16: 2, bfloat16: 2, int64: 8, int32: 4, int16: 2, int8: 1,
  uint8: 1, bool: 1, uint16: 2,
};
/** Typed array that holds a storage's raw elements. */
const RAW_DTYPE: Record<TorchDType, DType> = {
  float32: 'float32', float64: 'float64', float16: 'uint16', bfloat16: 'uint16', int64: 'int64',
  int32: 'int32', int16: 'int16', int8: 'int8', uint8: 'uint8', bool: 'bool', uint16: 'uint16',
};

const CALLABLES = [
  'collections.OrderedDict', 'torch._utils._rebuild_tensor', 'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_tensor_v3', 'torch._utils._rebuild_parameter',
  'torch._utils._rebuild_parameter_with_state', 'torch.Size',
] as const;

/** Every global the loader accepts; anything else is refused before it is used. */
export const ALLOWED_TORCH_GLOBALS: readonly string[] = [
  ...CALLABLES,
  ...Object.keys(STORAGE_CLASSES).map((n) => `torch.${n}`),
  'torch.UntypedStorage', 'torch.storage.UntypedStorage',
  ...Object.keys(TORCH_DTYPES).map((n) => `torch.${n}`),
];
const ALLOWED = new Set(ALLOWED_TORCH_GLOBALS);

const refuse = (msg: string): never => { throw new PickleError(msg, -1, true); };
const malformed = (msg: string): never => { throw new PickleError(msg); };

interface PendingTensor {
  out: { dtype: DType; shape: number[]; data: TypedArray };
  storage: TorchStorage;
  dtype: TorchDType;
  offset: number;
  size: number[];
  stride: number[];
}

function intTuple(v: unknown, what: string): number[] {
  if (!Array.isArray(v) || !v.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0))
    malformed(`${what} must be a tuple of non-negative integers, got ${JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? String(x) : x))}`);
  return v as number[];
}

/** The hooks that turn torch's pickle into plain data, interpreting only the allow-list. */
class TorchHooks implements UnpickleHooks {
  readonly pending: PendingTensor[] = [];
  private readonly tensors = new WeakSet<object>();
  /** Root storages by key (dtype and element count as declared by their first reference). */
  readonly storages = new Map<string, TorchStorage>();

  findClass(module: string, name: string): unknown {
    const qualname = `${module}.${name}`;
    if (!ALLOWED.has(qualname))
      refuse(
        `refuses to unpickle global '${qualname}': only tensor/OrderedDict structures are allowed (allowed ` +
          `globals: collections.OrderedDict, torch._utils._rebuild_*, torch.Size, torch storage classes and dtypes)`,
      );
    return new TorchGlobal(module, name);
  }

  persistentLoad(pid: unknown): unknown {
    if (!Array.isArray(pid) || pid[0] !== 'storage')
      return malformed(`has a persistent id that is not a ('storage', ...) tuple: ${String(pid)}`);
    if (pid.length !== 5 && pid.length !== 6)
      malformed(`has a storage persistent id with ${pid.length} fields (expected 5, or 6 in the legacy format)`);
    const [, cls, key, location, count, view] = pid as unknown[];
    if (!(cls instanceof TorchGlobal)) return malformed('has a storage persistent id without a storage class');
    let dtype: TorchDType | undefined;
    if (cls.module === 'torch' && cls.name in STORAGE_CLASSES) dtype = STORAGE_CLASSES[cls.name];
    else if (cls.name === 'UntypedStorage') dtype = 'uint8';
    if (!dtype) return malformed(`has a storage of type '${cls.qualname}', which is not a storage class`);
    if (typeof key !== 'string' || typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0)
      return malformed(`has a malformed storage persistent id for key ${String(key)}`);
    const loc = typeof location === 'string' ? location : 'cpu';
    const prev = this.storages.get(key);
    const root = prev ?? new TorchStorage(key, dtype, count, loc);
    if (!prev) this.storages.set(key, root);
    if (view === undefined || view === null) return root;
    // Legacy view: (view_key, offset, view_size) into the root storage.
    if (!Array.isArray(view) || view.length !== 3) return malformed(`has malformed view metadata for storage '${key}'`);
    const [, offset, size] = view as unknown[];
    if (typeof offset !== 'number' || typeof size !== 'number' || offset < 0 || size < 0 || offset + size > count)
      return malformed(`has a view [${String(offset)}, +${String(size)}) outside storage '${key}' of ${count} elements`);
    return new TorchStorage(key, dtype, size, loc, offset);
  }

  call(fn: unknown, args: unknown[]): unknown {
    if (!(fn instanceof TorchGlobal)) {
      const what = fn === null ? 'None' : Array.isArray(fn) ? 'a tuple/list' : typeof fn;
      return refuse(`refuses to call ${what}: only allow-listed torch/collections callables are interpreted`);
    }
    switch (fn.qualname) {
      case 'collections.OrderedDict': {
        const d = new Map<unknown, unknown>();
        if (args.length === 0) return d;
        if (args.length !== 1 || !Array.isArray(args[0])) return malformed('calls OrderedDict with unexpected arguments');
        for (const pair of args[0] as unknown[]) {
          if (!Array.isArray(pair) || pair.length !== 2) malformed('calls OrderedDict with items that are not pairs');
          d.set((pair as unknown[])[0], (pair as unknown[])[1]);
        }
        return d;
      }
      case 'torch.Size':
        return [...intTuple(args[0] ?? [], 'torch.Size')];
      case 'torch._utils._rebuild_tensor': // (storage, offset, size, stride), torch < 0.4
      case 'torch._utils._rebuild_tensor_v2': // (storage, offset, size, stride, requires_grad, hooks[, metadata])
        return this.tensor(args[0], args[1], args[2], args[3], undefined);
      case 'torch._utils._rebuild_tensor_v3': // (..., hooks, dtype[, metadata])
        return this.tensor(args[0], args[1], args[2], args[3], args[6]);
      case 'torch._utils._rebuild_parameter': // (data, requires_grad, hooks)
      case 'torch._utils._rebuild_parameter_with_state': // (data, requires_grad, hooks, state)
        if (typeof args[0] !== 'object' || args[0] === null || !this.tensors.has(args[0]))
          malformed('calls _rebuild_parameter without a tensor');
        return args[0];
      default:
        return refuse(`refuses to call '${fn.qualname}': only tensor/OrderedDict structures are allowed`);
    }
  }

  build(obj: unknown, _state: unknown): void {
    // OrderedDict.__dict__ (state_dict's `_metadata`) is accepted and dropped; nothing else gets state.
    if (obj instanceof Map) return;
    if (typeof obj !== 'object' || obj === null || !this.tensors.has(obj)) refuse('refuses BUILD (setting object state) on anything but a dict or tensor');
  }

  private tensor(storage: unknown, offset: unknown, size: unknown, stride: unknown, dtypeArg: unknown): unknown {
    if (!(storage instanceof TorchStorage)) return malformed('rebuilds a tensor without a storage');
    if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0)
      malformed(`rebuilds a tensor with storage offset ${String(offset)}`);
    const shape = intTuple(size, 'a tensor size');
    const strides = intTuple(stride, 'a tensor stride');
    if (strides.length !== shape.length)
      malformed(`rebuilds a tensor with size ${formatShape(shape)} but stride ${formatShape(strides)}`);
    let dtype = storage.dtype;
    if (dtypeArg !== undefined) {
      if (!(dtypeArg instanceof TorchGlobal) || dtypeArg.module !== 'torch' || !(dtypeArg.name in TORCH_DTYPES))
        return malformed(`rebuilds a tensor with dtype ${String(dtypeArg)}`);
      dtype = TORCH_DTYPES[dtypeArg.name]!;
    }
    const outDtype: DType = dtype === 'float16' || dtype === 'bfloat16' ? 'float32' : dtype;
    const out = { dtype: outDtype, shape: [...shape], data: allocTyped(outDtype, 0) as TypedArray };
    this.pending.push({ out, storage, dtype, offset: offset as number, size: shape, stride: strides });
    this.tensors.add(out);
    return out;
  }
}

const MAX_EXPANDED_BYTES = 2 ** 30;

/** Copies the (possibly strided) tensor out of its storage, C-contiguous, widening halves. */
function materialize(p: PendingTensor, storageBytes: Uint8Array): TypedArray {
  const esize = ELEMENT_SIZE[p.dtype];
  const start = p.storage.viewOffset * ELEMENT_SIZE[p.storage.dtype];
  const bytes = storageBytes.subarray(start);
  const available = Math.floor(bytes.length / esize);
  const n = numel(p.size);
  if (n > 0) {
    let last = p.offset;
    for (let d = 0; d < p.size.length; d++) last += (p.size[d]! - 1) * p.stride[d]!;
    if (last >= available)
      malformed(
        `has a tensor of size ${formatShape(p.size)}, stride ${formatShape(p.stride)}, offset ${p.offset} that ` +
          `reaches element ${last} of storage '${p.storage.key}', which holds ${available} ${p.dtype} elements`,
      );
  }
  // Zero strides (expanded views) can ask for far more elements than the storage holds.
  if (n > available && n * esize > MAX_EXPANDED_BYTES)
    malformed(`has a tensor of size ${formatShape(p.size)} that expands storage '${p.storage.key}' (${available} elements) beyond ${MAX_EXPANDED_BYTES} bytes`);
  const raw = RAW_DTYPE[p.dtype];
  const src = typedView(raw, bytes);
  let contiguous = true;
  for (let d = p.size.length - 1, expect = 1; d >= 0; d--) {
    if (p.size[d]! !== 1 && p.stride[d]! !== expect) contiguous = false;
    expect *= p.size[d]!;
  }
  let dst: TypedArray;
  if (contiguous || n === 0) {
    dst = src.slice(p.offset, p.offset + n);
  } else {
    dst = allocTyped(raw, n);
    const s = src as unknown as number[];
    const o = dst as unknown as number[];
    const rank = p.size.length;
    const idx = new Array<number>(rank).fill(0);
    let at = p.offset;
    for (let i = 0; i < n; i++) {
      o[i] = s[at]!;
      for (let d = rank - 1; d >= 0; d--) {
        at += p.stride[d]!;
        if (++idx[d]! < p.size[d]!) break;
        at -= p.stride[d]! * p.size[d]!;
        idx[d] = 0;
      }
    }
  }
  if (p.dtype === 'float16') return float16ToFloat32(dst as Uint16Array);
  if (p.dtype === 'bfloat16') return bfloat16ToFloat32(dst as Uint16Array);
  return dst;
}

/** 0x1950a86a20f9469cfc6c, the legacy format's magic number (a pickled LONG1). */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL_VERSION = 1001;

function describeHead(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'is empty';
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'is a PNG image, not a PyTorch checkpoint';
  const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return `is not a PyTorch checkpoint (expected a torch.save zip archive starting 'PK' or a legacy pickle starting 80 02; got ${head})`;
}

class LoadContext {
  constructor(readonly component: string, readonly name: string) {}
  error(what: string, cause?: unknown): IOError {
    return new IOError(`${this.component}: ${this.name} ${what}.`, cause === undefined ? undefined : { cause });
  }
  pickleError(e: unknown, part: string): unknown {
    if (!(e instanceof PickleError)) return e;
    return e.refused
      ? this.error(`${e.message} (${part}, byte ${e.position})`, e)
      : this.error(`has a corrupt or unsupported ${part} (byte ${e.position}): ${e.message}`, e);
  }
}

/** Fills every tensor the pickle declared from its storage's bytes (`bytesOf` throws for a missing storage). */
function fillTensors(pending: readonly PendingTensor[], ctx: LoadContext, bytesOf: (p: PendingTensor) => Uint8Array): void {
  for (const p of pending) {
    const bytes = bytesOf(p);
    try {
      p.out.data = materialize(p, bytes);
    } catch (e) {
      throw ctx.pickleError(e, 'tensor record');
    }
  }
}

function loadZip(bytes: Uint8Array, ctx: LoadContext): TorchValue {
  let zip;
  try {
    zip = readZip(bytes);
  } catch (e) {
    throw ctx.error(`is not a readable zip archive: ${(e as Error).message}`, e);
  }
  const pkls = zip.names.filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pkls.length === 0) {
    const listed = zip.names.slice(0, 5).map((n) => `'${n}'`).join(', ');
    throw ctx.error(
      `is a zip archive without '<root>/data.pkl', so not a torch.save checkpoint ` +
        `(entries: ${listed || 'none'}${zip.names.length > 5 ? ', ...' : ''})`,
    );
  }
  if (pkls.length > 1) throw ctx.error(`holds several data.pkl records (${pkls.join(', ')}); expected one`);
  const root = pkls[0]!.slice(0, -'/data.pkl'.length);
  const read = (entry: string): Uint8Array => {
    try { return zip.read(entry); } catch (e) {
      throw ctx.error(`has an unreadable record: ${e instanceof ZipFormatError ? e.message : String(e)}`, e);
    }
  };
  if (zip.has(`${root}/byteorder`)) {
    const order = new TextDecoder().decode(read(`${root}/byteorder`)).trim();
    if (order !== 'little') throw ctx.error(`was saved with byteorder '${order}'; only little-endian checkpoints are supported`);
  }
  const hooks = new TorchHooks();
  let value: unknown;
  try {
    value = unpickle(read(`${root}/data.pkl`), hooks).value;
  } catch (e) {
    throw ctx.pickleError(e, 'data.pkl');
  }
  const cache = new Map<string, Uint8Array>();
  fillTensors(hooks.pending, ctx, (p) => {
    const entry = `${root}/data/${p.storage.key}`;
    let data = cache.get(entry);
    if (!data) {
      if (!zip.has(entry)) throw ctx.error(`is missing storage record '${entry}' (a tensor of size ${formatShape(p.size)} refers to it)`);
      data = read(entry);
      cache.set(entry, data);
    }
    return data;
  });
  return value as TorchValue;
}

function loadLegacy(bytes: Uint8Array, ctx: LoadContext): TorchValue {
  const plain: UnpickleHooks = {
    findClass: (m, n) => refuse(`refuses to unpickle global '${m}.${n}' in its header: only plain values are allowed there`),
    call: () => refuse('refuses to call anything in its header'),
    persistentLoad: () => malformed('has a persistent id in its header'),
    build: () => refuse('refuses BUILD in its header'),
  };
  let pos = 0;
  const next = (hooks: UnpickleHooks, part: string): unknown => {
    try {
      const r = unpickle(bytes, hooks, pos);
      pos = r.end;
      return r.value;
    } catch (e) {
      throw ctx.pickleError(e, part);
    }
  };
  const magic = next(plain, 'legacy header');
  if (magic !== LEGACY_MAGIC) throw ctx.error(`is a pickle, but not a PyTorch checkpoint (magic number ${String(magic)} is not 0x1950a86a20f9469cfc6c)`);
  const protocol = next(plain, 'legacy header');
  if (protocol !== LEGACY_PROTOCOL_VERSION) throw ctx.error(`has legacy protocol version ${String(protocol)}; supported: ${LEGACY_PROTOCOL_VERSION}`);
  const sysInfo = next(plain, 'legacy header');
  if (sysInfo instanceof Map && sysInfo.get('little_endian') === false)
    throw ctx.error('was saved on a big-endian machine; only little-endian checkpoints are supported');
  const hooks = new TorchHooks();
  const value = next(hooks, 'main pickle');
  const keys = next(plain, 'storage key list');
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string'))
    throw ctx.error('has a malformed storage key list (expected a list of strings after the main pickle)');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const data = new Map<string, Uint8Array>();
  for (const key of keys as string[]) {
    const s = hooks.storages.get(key);
    if (!s) throw ctx.error(`lists storage '${key}', which no tensor in the main pickle declares`);
    if (pos + 8 > bytes.length) throw ctx.error(`is truncated: the record of storage '${key}' is missing (byte ${pos} of ${bytes.length})`);
    const count = dv.getBigInt64(pos, true);
    const nBytes = Number(count) * ELEMENT_SIZE[s.dtype];
    pos += 8;
    if (count < 0n || pos + nBytes > bytes.length)
      throw ctx.error(`is truncated: storage '${key}' needs ${count} ${s.dtype} elements (${nBytes} bytes) at byte ${pos}, the file has ${bytes.length} bytes`);
    data.set(key, bytes.subarray(pos, pos + nBytes));
    pos += nBytes;
  }
  fillTensors(hooks.pending, ctx, (p) => {
    const d = data.get(p.storage.key);
    if (!d) throw ctx.error(`is missing the record of storage '${p.storage.key}' (a tensor of size ${formatShape(p.size)} refers to it)`);
    return d;
  });
  return value as TorchValue;
}

function load(bytes: Uint8Array, ctx: LoadContext): TorchValue {
  if (!HOST_IS_LITTLE_ENDIAN) throw ctx.error('cannot be read on a big-endian host');
  if (looksLikeZip(bytes)) return loadZip(bytes, ctx);
  if (bytes[0] === 0x80 && bytes[1] !== undefined && bytes[1] <= 5) return loadLegacy(bytes, ctx);
  throw ctx.error(describeHead(bytes));
}

/**
 * Reads a torch.save file (zip format, or the legacy pre-1.6 format) into plain data:
 * dicts/OrderedDicts → Map, lists/tuples → Array, tensors and Parameters → NdArray
 * (C-contiguous; float16/bfloat16 widened to float32; int64 kept as BigInt64Array).
 * Only an allow-list of globals is accepted and nothing is executed; anything else, and any
 * corrupt or foreign file, throws an IOError naming `name`.
 */
export function readTorchObject(bytes: Uint8Array, name = 'checkpoint'): TorchValue {
  return load(bytes, new LoadContext('readTorchObject', name));
}

export type TorchPath = readonly (string | number)[];

export interface ReadTorchCheckpointOptions {
  /**
   * Keys leading to the state dict inside a checkpoint dict, e.g. ['state_dict'] or
   * ['netG']. Default: the one dict of tensors found anywhere in the file.
   */
  path?: TorchPath;
}

function isTensorDict(v: unknown): v is Map<string, NdArray> {
  if (!(v instanceof Map) || v.size === 0) return false;
  for (const [k, t] of v) if (typeof k !== 'string' || !isNdArray(t)) return false;
  return true;
}

/** Every dict whose values are all tensors (string keys), with the keys leading to it. */
export function findTensorDicts(value: TorchValue): { path: TorchPath; dict: Map<string, NdArray> }[] {
  const found: { path: TorchPath; dict: Map<string, NdArray> }[] = [];
  const seen = new Set<unknown>();
  const visit = (v: unknown, path: (string | number)[]) => {
    if (typeof v !== 'object' || v === null || seen.has(v) || path.length > 64) return;
    seen.add(v);
    if (isTensorDict(v)) { found.push({ path, dict: v }); return; }
    if (v instanceof Map) for (const [k, c] of v) visit(c, [...path, typeof k === 'number' ? k : String(k)]);
    else if (Array.isArray(v)) v.forEach((c, i) => visit(c, [...path, i]));
  };
  visit(value, []);
  return found;
}

function formatPath(path: TorchPath): string {
  return `[${path.map((k) => (typeof k === 'number' ? String(k) : `'${k}'`)).join(', ')}]`;
}

function describeValue(v: unknown): string {
  if (v instanceof Map) {
    if (v.size === 0) return 'an empty dict';
    const keys = [...v.keys()].slice(0, 6).map((k) => `'${String(k)}'`);
    return `a dict with keys ${keys.join(', ')}${v.size > 6 ? ', ...' : ''}`;
  }
  if (Array.isArray(v)) return `a list/tuple of ${v.length} items`;
  if (isNdArray(v)) return `a tensor of size ${formatShape(v.shape)}`;
  return v === null ? 'None' : typeof v;
}

/**
 * Reads a PyTorch state dict: a bare (Ordered)Dict of tensors, or the one dict of tensors
 * inside a checkpoint such as {'state_dict': ...} or {'model': ..., 'epoch': 3}. Keys keep
 * the file's order. Throws an IOError naming `name` when there is no such dict or several
 * (then pass `options.path`), or when a float tensor of it holds NaN/±Infinity (read such a
 * file with `readTorchObject`, which does not check values).
 */
export function readTorchCheckpoint(
  bytes: Uint8Array,
  name = 'checkpoint',
  options: ReadTorchCheckpointOptions = {},
): Map<string, NdArray> {
  const ctx = new LoadContext('readTorchCheckpoint', name);
  const value = load(bytes, ctx);
  let dict: Map<string, NdArray>;
  if (options.path) {
    let v: unknown = value;
    for (const k of options.path) {
      if (v instanceof Map && v.has(k)) v = v.get(k);
      else if (Array.isArray(v) && typeof k === 'number' && k < v.length) v = v[k];
      else throw ctx.error(`has no entry ${formatPath(options.path)} (stopped at '${String(k)}' in ${describeValue(v)})`);
    }
    if (!isTensorDict(v)) throw ctx.error(`has ${describeValue(v)} at ${formatPath(options.path)}, not a dict of tensors`);
    dict = v;
  } else {
    const found = findTensorDicts(value);
    if (found.length === 0 && value instanceof Map && value.size === 0) return new Map(); // an empty state dict
    if (found.length === 0) throw ctx.error(`holds no dict of tensors (it holds ${describeValue(value)})`);
    if (found.length > 1) {
      const at = `${found.slice(0, 5).map((f) => formatPath(f.path)).join(', ')}${found.length > 5 ? ', ...' : ''}`;
      throw ctx.error(`holds ${found.length} dicts of tensors, at ${at}; pass { path } to choose one`);
    }
    dict = found[0]!.dict;
  }
  assertFiniteWeights(name, dict);
  return new Map(dict);
}
