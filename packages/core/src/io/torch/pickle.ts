/**
 * A restricted pickle VM (protocols 0–5) that never executes anything: every GLOBAL, REDUCE,
 * NEWOBJ, BUILD and persistent id goes through `UnpickleHooks`, which interpret an allow-list
 * and refuse the rest. Errors are `PickleError`s (message plus byte position); the torch
 * loader wraps them into IOErrors that name the file.
 *
 * Python values map to JS as: None → null, bool → boolean, int → number (bigint beyond 2^53),
 * float → number, str → string, bytes/bytearray → Uint8Array, tuple/list → Array,
 * dict → Map, set/frozenset → Set.
 */

export class PickleError extends Error {
  /**
   * @param position byte offset of the opcode; hooks pass -1 and the VM fills it in.
   * @param refused true when the data is well-formed but asks for something outside the allow-list.
   */
  constructor(message: string, readonly position = -1, readonly refused = false) {
    super(message);
  }
}

/** Latin-1 text of `b`, in chunks (spreading a huge array into fromCharCode overflows the stack). */
function latin1(b: Uint8Array): string {
  let s = '';
  for (let k = 0; k < b.length; k += 8192) s += String.fromCharCode(...b.subarray(k, k + 8192));
  return s;
}

export interface UnpickleHooks {
  /** GLOBAL / STACK_GLOBAL / INST: return a stand-in for module.name, or throw to refuse. */
  findClass(module: string, name: string): unknown;
  /** REDUCE / NEWOBJ / INST / OBJ: interpret `callable(*args)`, or throw to refuse. */
  call(callable: unknown, args: unknown[]): unknown;
  /** BINPERSID / PERSID. */
  persistentLoad(pid: unknown): unknown;
  /** BUILD: apply `state` to `obj` (or ignore it), or throw to refuse. */
  build(obj: unknown, state: unknown): void;
}

const OPCODE_NAMES: Record<number, string> = {
  0x28: 'MARK', 0x2e: 'STOP', 0x30: 'POP', 0x31: 'POP_MARK', 0x32: 'DUP', 0x46: 'FLOAT',
  0x49: 'INT', 0x4a: 'BININT', 0x4b: 'BININT1', 0x4c: 'LONG', 0x4d: 'BININT2', 0x4e: 'NONE',
  0x50: 'PERSID', 0x51: 'BINPERSID', 0x52: 'REDUCE', 0x53: 'STRING', 0x54: 'BINSTRING',
  0x55: 'SHORT_BINSTRING', 0x56: 'UNICODE', 0x58: 'BINUNICODE', 0x61: 'APPEND', 0x62: 'BUILD',
  0x63: 'GLOBAL', 0x64: 'DICT', 0x7d: 'EMPTY_DICT', 0x65: 'APPENDS', 0x67: 'GET', 0x68: 'BINGET',
  0x69: 'INST', 0x6a: 'LONG_BINGET', 0x6c: 'LIST', 0x5d: 'EMPTY_LIST', 0x6f: 'OBJ', 0x70: 'PUT',
  0x71: 'BINPUT', 0x72: 'LONG_BINPUT', 0x73: 'SETITEM', 0x74: 'TUPLE', 0x29: 'EMPTY_TUPLE',
  0x75: 'SETITEMS', 0x47: 'BINFLOAT', 0x80: 'PROTO', 0x81: 'NEWOBJ', 0x82: 'EXT1', 0x83: 'EXT2',
  0x84: 'EXT4', 0x85: 'TUPLE1', 0x86: 'TUPLE2', 0x87: 'TUPLE3', 0x88: 'NEWTRUE', 0x89: 'NEWFALSE',
  0x8a: 'LONG1', 0x8b: 'LONG4', 0x42: 'BINBYTES', 0x43: 'SHORT_BINBYTES', 0x8c: 'SHORT_BINUNICODE',
  0x8d: 'BINUNICODE8', 0x8e: 'BINBYTES8', 0x8f: 'EMPTY_SET', 0x90: 'ADDITEMS', 0x91: 'FROZENSET',
  0x92: 'NEWOBJ_EX', 0x93: 'STACK_GLOBAL', 0x94: 'MEMOIZE', 0x95: 'FRAME', 0x96: 'BYTEARRAY8',
  0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER',
};

/** Little-endian two's-complement integer of `bytes` (LONG1/LONG4); a number when it is safe. */
function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let v = 0n;
  for (let k = bytes.length - 1; k >= 0; k--) v = (v << 8n) | BigInt(bytes[k]!);
  if (bytes[bytes.length - 1]! & 0x80) v -= 1n << BigInt(8 * bytes.length);
  return intValue(v);
}

function intValue(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0',
};

/** Python 2 `repr()` string literal body (protocol 0 STRING) → bytes as latin1 text. */
function unescapePy(s: string, pos: number): string {
  let out = '';
  for (let k = 0; k < s.length; k++) {
    const c = s[k]!;
    if (c !== '\\') { out += c; continue; }
    const n = s[++k];
    if (n === 'x' || n === 'u' || n === 'U') {
      const len = n === 'x' ? 2 : n === 'u' ? 4 : 8;
      const hex = s.slice(k + 1, k + 1 + len);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) throw new PickleError(`bad escape '\\${n}${hex}'`, pos);
      out += String.fromCodePoint(parseInt(hex, 16));
      k += len;
    } else if (n !== undefined && n in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[n]!;
    } else {
      out += `\\${n ?? ''}`;
    }
  }
  return out;
}

export interface UnpickleResult {
  value: unknown;
  /** Byte offset just past STOP (the next pickle in a legacy torch file starts there). */
  end: number;
}

/** Runs the pickle starting at `start` in `bytes` until STOP. */
export function unpickle(bytes: Uint8Array, hooks: UnpickleHooks, start = 0): UnpickleResult {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let pos = start;
  let opPos = start;
  let stack: unknown[] = [];
  const metastack: unknown[][] = [];
  const memo = new Map<number, unknown>();

  const fail = (msg: string): never => { throw new PickleError(msg, opPos); };
  const refuse = (msg: string): never => { throw new PickleError(msg, opPos, true); };
  const need = (n: number) => {
    if (pos + n > bytes.length) fail(`unexpected end of data (needs ${n} more bytes at byte ${pos}, the data has ${bytes.length}; truncated?)`);
  };
  const take = (n: number): Uint8Array => { need(n); const b = bytes.subarray(pos, pos + n); pos += n; return b; };
  const u8 = () => { need(1); return bytes[pos++]!; };
  const u16 = () => { need(2); const v = dv.getUint16(pos, true); pos += 2; return v; };
  const u32 = () => { need(4); const v = dv.getUint32(pos, true); pos += 4; return v; };
  const i32 = () => { need(4); const v = dv.getInt32(pos, true); pos += 4; return v; };
  const u64 = () => {
    need(8);
    const v = dv.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(bytes.length)) fail(`length ${v} exceeds the data`);
    return Number(v);
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail('unexpected end of data inside a text line (truncated?)');
    const s = latin1(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const text = (b: Uint8Array): string => {
    try { return utf8.decode(b); } catch { return fail('invalid UTF-8 in a string'); }
  };
  const pop = (): unknown => {
    if (stack.length === 0) fail('stack underflow');
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) fail('stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const items = stack;
    const prev = metastack.pop();
    if (!prev) fail('MARK missing');
    stack = prev!;
    return items;
  };
  const memoGet = (k: number): unknown => {
    if (!memo.has(k)) fail(`memo key ${k} is not defined`);
    return memo.get(k);
  };
  const asList = (v: unknown, op: string): unknown[] => {
    if (!Array.isArray(v)) fail(`${op} expects a list on the stack`);
    return v as unknown[];
  };
  const asDict = (v: unknown, op: string): Map<unknown, unknown> => {
    if (!(v instanceof Map)) fail(`${op} expects a dict on the stack`);
    return v as Map<unknown, unknown>;
  };
  const setItems = (d: Map<unknown, unknown>, items: unknown[]) => {
    if (items.length % 2) fail('SETITEMS needs key/value pairs');
    for (let k = 0; k < items.length; k += 2) d.set(items[k], items[k + 1]);
  };
  const wrap = <T>(fn: () => T): T => {
    try { return fn(); } catch (e) {
      if (e instanceof PickleError) throw e.position >= 0 ? e : new PickleError(e.message, opPos, e.refused);
      throw e; // a bug, not bad data
    }
  };

  for (;;) {
    opPos = pos;
    const op = u8();
    switch (op) {
      case 0x80: { // PROTO
        const v = u8();
        if (v > 5) fail(`unsupported pickle protocol ${v}`);
        break;
      }
      case 0x95: u64(); break; // FRAME: frames are inline; the length is only a hint
      case 0x2e: { // STOP
        const value = pop();
        if (metastack.length) fail('STOP inside an unclosed MARK');
        return { value, end: pos };
      }
      case 0x28: metastack.push(stack); stack = []; break; // MARK
      case 0x30: if (stack.length) stack.pop(); else popMark(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4a: stack.push(i32()); break; // BININT
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x8a: stack.push(decodeLong(take(u8()))); break; // LONG1
      case 0x8b: { const n = i32(); if (n < 0) fail('negative LONG4 length'); stack.push(decodeLong(take(n))); break; }
      case 0x49: { // INT (text); '00'/'01' are protocol-0 booleans
        const s = line().trim();
        if (s === '00') stack.push(false);
        else if (s === '01') stack.push(true);
        else if (/^[-+]?\d+$/.test(s)) stack.push(intValue(BigInt(s)));
        else fail(`bad INT literal '${s}'`);
        break;
      }
      case 0x4c: { // LONG (text)
        const s = line().trim().replace(/L$/, '');
        if (!/^[-+]?\d+$/.test(s)) fail(`bad LONG literal '${s}'`);
        stack.push(intValue(BigInt(s)));
        break;
      }
      case 0x46: { // FLOAT (text)
        const s = line().trim();
        const v = Number(s.replace(/^([-+]?)inf$/i, '$1Infinity').replace(/^nan$/i, 'NaN'));
        if (Number.isNaN(v) && !/nan/i.test(s)) fail(`bad FLOAT literal '${s}'`);
        stack.push(v);
        break;
      }
      case 0x47: { need(8); stack.push(dv.getFloat64(pos, false)); pos += 8; break; } // BINFLOAT (big-endian)
      case 0x58: stack.push(text(take(u32()))); break; // BINUNICODE
      case 0x8c: stack.push(text(take(u8()))); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(text(take(u64()))); break; // BINUNICODE8
      case 0x56: stack.push(unescapePy(line(), opPos)); break; // UNICODE (raw-unicode-escape)
      case 0x53: { // STRING (text repr)
        const s = line().trim();
        const q = s[0];
        if (s.length < 2 || (q !== "'" && q !== '"') || s[s.length - 1] !== q) fail('bad STRING literal');
        stack.push(unescapePy(s.slice(1, -1), opPos));
        break;
      }
      // Python 2 str: decoded as latin1 text (torch's legacy loader uses encoding='utf-8' only for text)
      case 0x54: { const n = i32(); if (n < 0) fail('negative BINSTRING length'); stack.push(latin1(take(n))); break; }
      case 0x55: stack.push(latin1(take(u8()))); break; // SHORT_BINSTRING
      case 0x42: stack.push(new Uint8Array(take(u32()))); break; // BINBYTES
      case 0x43: stack.push(new Uint8Array(take(u8()))); break; // SHORT_BINBYTES
      case 0x8e: stack.push(new Uint8Array(take(u64()))); break; // BINBYTES8
      case 0x96: stack.push(new Uint8Array(take(u64()))); break; // BYTEARRAY8
      case 0x29: stack.push([]); break; // EMPTY_TUPLE
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x8f: stack.push(new Set()); break; // EMPTY_SET
      case 0x85: { const a = pop(); stack.push([a]); break; } // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); stack.push([a, b]); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push([a, b, c]); break; } // TUPLE3
      case 0x74: { const items = popMark(); stack.push(items); break; } // TUPLE (popMark swaps `stack`)
      case 0x6c: { const items = popMark(); stack.push(items); break; } // LIST
      case 0x91: { const items = popMark(); stack.push(new Set(items)); break; } // FROZENSET
      case 0x64: { const items = popMark(); const d = new Map(); setItems(d, items); stack.push(d); break; } // DICT
      case 0x61: { const v = pop(); asList(top(), 'APPEND').push(v); break; } // APPEND
      case 0x65: { const items = popMark(); asList(top(), 'APPENDS').push(...items); break; } // APPENDS
      case 0x73: { const v = pop(); const k = pop(); asDict(top(), 'SETITEM').set(k, v); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(asDict(top(), 'SETITEMS'), items); break; } // SETITEMS
      case 0x90: { // ADDITEMS
        const items = popMark();
        const s = top();
        if (!(s instanceof Set)) fail('ADDITEMS expects a set on the stack');
        for (const it of items) (s as Set<unknown>).add(it);
        break;
      }
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x70: memo.set(Number(line()), top()); break; // PUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: stack.push(memoGet(u8())); break; // BINGET
      case 0x6a: stack.push(memoGet(u32())); break; // LONG_BINGET
      case 0x67: stack.push(memoGet(Number(line()))); break; // GET
      case 0x63: { // GLOBAL
        const module = line();
        const name = line();
        stack.push(wrap(() => hooks.findClass(module, name)));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(wrap(() => hooks.findClass(module as string, name as string)));
        break;
      }
      case 0x69: { // INST: module/name lines, args after MARK
        const module = line();
        const name = line();
        const args = popMark();
        const cls = wrap(() => hooks.findClass(module, name));
        stack.push(wrap(() => hooks.call(cls, args)));
        break;
      }
      case 0x6f: { // OBJ: class and args after MARK
        const items = popMark();
        if (items.length === 0) fail('OBJ needs a class');
        stack.push(wrap(() => hooks.call(items[0], items.slice(1))));
        break;
      }
      case 0x52: { // REDUCE
        const args = pop();
        const fn = pop();
        if (!Array.isArray(args)) fail('REDUCE needs an argument tuple');
        stack.push(wrap(() => hooks.call(fn, args as unknown[])));
        break;
      }
      case 0x81: { // NEWOBJ: cls.__new__(cls, *args)
        const args = pop();
        const cls = pop();
        if (!Array.isArray(args)) fail('NEWOBJ needs an argument tuple');
        stack.push(wrap(() => hooks.call(cls, args as unknown[])));
        break;
      }
      case 0x92: { // NEWOBJ_EX
        const kwargs = pop();
        const args = pop();
        const cls = pop();
        if (!Array.isArray(args) || !(kwargs instanceof Map)) fail('NEWOBJ_EX needs (cls, tuple, dict)');
        if ((kwargs as Map<unknown, unknown>).size > 0) fail('NEWOBJ_EX with keyword arguments is not supported');
        stack.push(wrap(() => hooks.call(cls, args as unknown[])));
        break;
      }
      case 0x62: { // BUILD
        const state = pop();
        const obj = top();
        wrap(() => hooks.build(obj, state));
        break;
      }
      case 0x51: { const pid = pop(); stack.push(wrap(() => hooks.persistentLoad(pid))); break; } // BINPERSID
      case 0x50: { const pid = line(); stack.push(wrap(() => hooks.persistentLoad(pid))); break; } // PERSID
      case 0x82: case 0x83: case 0x84:
        refuse(`refuses the copyreg extension registry (${OPCODE_NAMES[op]}): only tensor/OrderedDict structures are allowed`);
        break;
      case 0x97: case 0x98:
        refuse(`refuses out-of-band pickle buffers (${OPCODE_NAMES[op]}): only tensor/OrderedDict structures are allowed`);
        break;
      default:
        fail(`has an unknown pickle opcode 0x${op.toString(16).padStart(2, '0')}`);
    }
  }
}
