/**
 * CLADE's modulation in one pass for the wasm backend: out[p,:] = x[p,:] ⊙ Γ[k_p,:] + B[k_p,:]
 * with k_p the class of pixel p. The composed form (two row gathers, a Mul and an Add) writes
 * and re-reads two dense [N,h,w,C] γ/β maps; here x is read once and the [K,C] tables stay in
 * cache. @clade/core's `cladeAffine` runs this kernel where it is registered (and differentiates
 * it with gathers and segment sums).
 *
 * The loop is a 130-byte WebAssembly SIMD function of our own (bytes below, from the text
 * form in its comment) that imports tfjs' wasm memory, so it reads and writes the tensors in
 * place. A plain JS loop runs ~6 ns per element here (no SIMD), slower than the four stock passes.
 */
import { util } from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { BackendError } from '../errors';
import { f32, type WasmBackendLike } from './kernel-utils';

/** Kernel names shared with @clade/core (which owns the op and the gradients): plain and ICPE. */
export const CLADE_MODULATE = 'CladeModulate';
export const CLADE_MODULATE_SCALED = 'CladeModulateScaled';

const leb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];
const name = (s: string) => [...leb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];

/*
 * Two functions, in the text form (i32 params are byte addresses; C % 4 == 0):
 *
 * (func (export "modulate") (param $x $idx $g $b $o $n $c i32) (local $j $row $cb i32)
 *   $cb = $c << 2
 *   block $done  loop $pix
 *     br_if $done (i32.eqz $n)
 *     $row = i32.load($idx) * $cb          ;; byte offset of the pixel's table row
 *     $j = 0
 *     loop $ch                               ;; 4 channels per step
 *       v128.store($o + $j, f32x4.add(f32x4.mul(v128.load($x + $j), v128.load($g + $row + $j)),
 *                                     v128.load($b + $row + $j)))
 *       br_if $ch (($j += 16) <u $cb)
 *     end
 *     $x += $cb  $o += $cb  $idx += 4  $n -= 1
 *     br $pix
 *   end end)
 *
 * "modulate_scaled" (CLADE-ICPE) adds per-pixel factors $fg, $fb after $b: each pixel splats
 * f32.load($fg), f32.load($fb) and stores x·(Γ·fg) + B·fb, the composed form's rounding order.
 */
const get = (i: number) => [0x20, i];
const set = (i: number) => [0x21, i];
const add = (a: number, ...more: number[]) => [...get(a), ...more.flatMap((m) => [...get(m), 0x6a])];
const v128load = [0xfd, 0x00, 0x00, 0x00];
const [F32X4_MUL, F32X4_ADD, F32X4_SPLAT, V128_STORE] = [[0xfd, 0xe6, 0x01], [0xfd, 0xe4, 0x01], [0xfd, 0x13], [0xfd, 0x0b, 0x00, 0x00]];
const bump = (v: number, by: number) => [...get(v), 0x41, by, 0x6a, ...set(v)];

function body(scaled: boolean): number[] {
  const [X, IDX, G, B] = [0, 1, 2, 3];
  const [FG, FB] = [4, 5]; // scaled only
  const [O, N, C] = scaled ? [6, 7, 8] : [4, 5, 6];
  const [J, ROW, CB, SG, SB] = [C + 1, C + 2, C + 3, C + 4, C + 5];
  const splat = (from: number, to: number) => [...get(from), 0x2a, 2, 0, ...F32X4_SPLAT, ...set(to)];
  return [
    ...(scaled ? [2, 3, 0x7f, 2, 0x7b] : [1, 3, 0x7f]), // locals: 3 i32 (+ 2 v128)
    ...get(C), 0x41, 2, 0x74, ...set(CB),
    0x02, 0x40, 0x03, 0x40,
    ...get(N), 0x45, 0x0d, 1,
    ...get(IDX), 0x28, 2, 0, ...get(CB), 0x6c, ...set(ROW),
    ...(scaled ? [...splat(FG, SG), ...splat(FB, SB)] : []),
    0x41, 0, ...set(J),
    0x03, 0x40,
    ...add(O, J),
    ...add(X, J), ...v128load,
    ...add(G, ROW, J), ...v128load,
    ...(scaled ? [...get(SG), ...F32X4_MUL] : []),
    ...F32X4_MUL,
    ...add(B, ROW, J), ...v128load,
    ...(scaled ? [...get(SB), ...F32X4_MUL] : []),
    ...F32X4_ADD,
    ...V128_STORE,
    ...get(J), 0x41, 16, 0x6a, 0x22, J,
    ...get(CB), 0x49, 0x0d, 0,
    0x0b,
    ...get(X), ...get(CB), 0x6a, ...set(X),
    ...get(O), ...get(CB), 0x6a, ...set(O),
    ...bump(IDX, 4),
    ...(scaled ? [...bump(FG, 4), ...bump(FB, 4)] : []),
    ...get(N), 0x41, 1, 0x6b, ...set(N),
    0x0c, 0,
    0x0b, 0x0b, 0x0b,
  ];
}

/** The module's bytes; `shared` imports a shared memory (tfjs' threaded build). */
export function cladeModulateWasm(shared: boolean): Uint8Array {
  // Limits: min 1 page; a shared memory must state its maximum (tfjs uses the 4 GiB one).
  const limits = shared ? [0x03, 1, ...leb(65536)] : [0x00, 1];
  const func = (params: number) => [0x60, params, ...Array(params).fill(0x7f), 0];
  const bodies = [body(false), body(true)];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [2, ...func(7), ...func(9)]),
    ...section(2, [1, ...name('env'), ...name('memory'), 0x02, ...limits]),
    ...section(3, [2, 0, 1]),
    ...section(7, [2, ...name('modulate'), 0x00, 0, ...name('modulate_scaled'), 0x00, 1]),
    ...section(10, [2, ...bodies.flatMap((b) => [...leb(b.length), ...b])]),
  ]);
}

type Fn = (...addressesAndSizes: number[]) => void;
type Simd = { modulate: Fn; modulateScaled: Fn };
type Memory = { buffer: ArrayBuffer | SharedArrayBuffer };
/** The part of the WebAssembly JS API used here (our compile has no lib.dom). */
const WA = (globalThis as unknown as {
  WebAssembly: {
    Memory: abstract new (...args: never[]) => Memory;
    Module: new (bytes: Uint8Array) => object;
    Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
    validate(bytes: Uint8Array): boolean;
  };
}).WebAssembly;
const instances = new WeakMap<Memory, Simd | null>();

/** tfjs' wasm Memory object: exported by the plain build, created in JS by the threaded one. */
function heapMemory(backend: object): Memory | null {
  const m = (backend as { wasm?: { wasmMemory?: unknown; asm?: { memory?: unknown } } }).wasm;
  const mem = m?.wasmMemory ?? m?.asm?.memory;
  return mem instanceof WA.Memory ? mem : null;
}

/** The SIMD functions bound to the backend's memory, or null where they cannot be (no SIMD). */
function simdFunctions(backend: object): Simd | null {
  const memory = heapMemory(backend);
  if (!memory) return null;
  let fns = instances.get(memory);
  if (fns === undefined) {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const bytes = cladeModulateWasm(shared);
    const exports = WA.validate(bytes) ? new WA.Instance(new WA.Module(bytes), { env: { memory } }).exports : null;
    fns = exports ? { modulate: exports.modulate as Fn, modulateScaled: exports.modulate_scaled as Fn } : null;
    instances.set(memory, fns);
  }
  return fns;
}

let simdValid: boolean | undefined;
/**
 * Whether this engine runs WebAssembly SIMD. Without it the kernels are not registered: the
 * scalar JS loop (~6 ns per element) would be slower than the composed ops.
 */
export function wasmSimdSupported(): boolean {
  return (simdValid ??= WA.validate(cladeModulateWasm(false)));
}

/** Whether the kernel runs its SIMD loops on this wasm backend (else a scalar JS loop, for C % 4 ≠ 0). */
export function cladeModulateIsSimd(backend: object): boolean {
  return simdFunctions(backend) !== null;
}

/**
 * Inputs x [...,C], indices (int32, x's leading shape), gamma and beta [K,C]; for
 * CladeModulateScaled also gammaScale and betaScale (CLADE-ICPE's per-pixel factors, one value
 * per pixel): out = x·(Γ[k]·gammaScale) + B[k]·betaScale.
 */
export const cladeModulate: KernelFunc = ({ inputs, backend }) => {
  const { x, indices, gamma, beta, gammaScale, betaScale } = inputs as Record<'x' | 'indices' | 'gamma' | 'beta', TensorInfo> &
    Partial<Record<'gammaScale' | 'betaScale', TensorInfo>>;
  const c = x.shape[x.shape.length - 1]!;
  const pixels = util.sizeFromShape(x.shape.slice(0, -1));
  const k = gamma.shape[0]!;
  const scaled = gammaScale !== undefined || betaScale !== undefined;
  const perPixel = (t: TensorInfo | undefined) => t !== undefined && t.dtype === 'float32' && util.sizeFromShape(t.shape) === pixels;
  if (
    indices.dtype !== 'int32' ||
    util.sizeFromShape(indices.shape) !== pixels ||
    gamma.shape[1] !== c ||
    !util.arraysEqual(gamma.shape, beta.shape) ||
    (scaled && !(perPixel(gammaScale) && perPixel(betaScale)))
  )
    throw new BackendError(
      `${CLADE_MODULATE}: expected x [...,C], int32 indices of x's leading shape, Γ and B [K,C] (and both or neither of ` +
        `gammaScale, betaScale, one float per pixel); got x [${x.shape}], indices [${indices.shape}] ${indices.dtype}, ` +
        `Γ [${gamma.shape}], B [${beta.shape}]${scaled ? `, gammaScale [${gammaScale?.shape}], betaScale [${betaScale?.shape}]` : ''}.`,
    );
  const wasm = backend as WasmBackendLike;
  const ids = wasm.typedArrayFromHeap(indices);
  for (let p = 0; p < pixels; p++) {
    const r = ids[p]!;
    if (r < 0 || r >= k) throw new BackendError(`${CLADE_MODULATE}: class indices must be in [0, ${k - 1}], got ${r} at pixel ${p}.`);
  }
  const out = wasm.makeOutput(x.shape, 'float32');
  // Views after the allocation (it may grow the heap).
  const [xs, gs, bs, os, is] = [f32(wasm, x), f32(wasm, gamma), f32(wasm, beta), f32(wasm, out), wasm.typedArrayFromHeap(indices)];
  const [fg, fb] = scaled ? [f32(wasm, gammaScale!), f32(wasm, betaScale!)] : [null, null];
  const simd = c % 4 === 0 && pixels > 0 ? simdFunctions(backend) : null;
  if (simd && fg && fb) simd.modulateScaled(xs.byteOffset, is.byteOffset, gs.byteOffset, bs.byteOffset, fg.byteOffset, fb.byteOffset, os.byteOffset, pixels, c);
  else if (simd) simd.modulate(xs.byteOffset, is.byteOffset, gs.byteOffset, bs.byteOffset, os.byteOffset, pixels, c);
  else {
    // Float32 rounding after every step, as the composed kernels round.
    const r32 = Math.fround;
    for (let p = 0; p < pixels; p++) {
      const t = is[p]! * c;
      const o = p * c;
      const [sg, sb] = fg && fb ? [fg[p]!, fb[p]!] : [1, 1];
      for (let j = 0; j < c; j++) os[o + j] = r32(xs[o + j]! * r32(gs[t + j]! * sg)) + r32(bs[t + j]! * sb);
    }
  }
  return out;
};
