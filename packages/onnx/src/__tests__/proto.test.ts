// The protobuf/ONNX writer: byte-level checks of the varint encoding, and round trips of tiny
// graphs through onnxruntime-node (ORT parses our bytes; outputs are checked against JS math).
import { ProtoReader, ProtoWriter } from '../proto';
import { GraphBuilder, encodeModel, floatTensor } from '../onnx';
import { createSession, loadOrt, type OrtSession } from '../ort';

describe('ProtoWriter', () => {
  it('encodes varints as protobuf does (150 → 96 01, -1 → ten bytes)', () => {
    expect(Array.from(new ProtoWriter().int(1, 150).finish())).toEqual([0x08, 0x96, 0x01]);
    const neg = new ProtoWriter().varint(-1).finish();
    expect(neg.length).toBe(10);
    expect(new ProtoReader(neg).varint()).toBe(2n ** 64n - 1n);
    const big = 2n ** 40n + 5n;
    expect(new ProtoReader(new ProtoWriter().varint(big).finish()).varint()).toBe(big);
  });

  it('writes strings, packed ints/floats and nested messages that read back', () => {
    const w = new ProtoWriter().string(2, 'héllo').packedInts(3, [1, 300, 2 ** 33]).packedFloats(4, [1.5, -2]);
    w.message(5, (m) => m.int(1, 7));
    const r = new ProtoReader(w.finish());
    const a = r.next();
    expect([a.field, new TextDecoder().decode(a.value as Uint8Array)]).toEqual([2, 'héllo']);
    const b = r.next();
    const ints = new ProtoReader(b.value as Uint8Array);
    expect([ints.varint(), ints.varint(), ints.varint()]).toEqual([1n, 300n, 2n ** 33n]);
    const c = r.next();
    expect(Array.from(new Float32Array((c.value as Uint8Array).slice().buffer))).toEqual([1.5, -2]);
    const d = r.next();
    expect(d.field).toBe(5);
    expect(new ProtoReader(d.value as Uint8Array).next()).toEqual({ field: 1, wire: 0, value: 7n });
    expect(r.done).toBe(true);
  });

  it('concatenates large raw chunks without corrupting order', () => {
    const big = new Uint8Array(5000).map((_, i) => i % 251);
    const out = new ProtoWriter().int(1, 1).bytes(2, big).int(3, 2).finish();
    const r = new ProtoReader(out);
    r.next();
    expect(Array.from(r.next().value as Uint8Array)).toEqual(Array.from(big));
    expect(r.next().value).toBe(2n);
  });
});

describe('ONNX round trips through onnxruntime-node', () => {
  const sessions: OrtSession[] = [];
  afterAll(async () => {
    for (const s of sessions) await s.release();
  });
  async function run(b: GraphBuilder, feeds: Record<string, { data: Float32Array | Int32Array; dims: number[] }>) {
    const { Tensor } = await loadOrt();
    const s = await createSession(encodeModel({ graph: b.graph('t') }), 'tiny graph', { threads: 1 });
    sessions.push(s);
    const f = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new Tensor(v.data instanceof Int32Array ? 'int32' : 'float32', v.data, v.dims)]));
    return s.run(f);
  }

  it('Conv with a bias, attributes (ints, float) and a symbolic batch', async () => {
    const b = new GraphBuilder();
    const x = b.input({ name: 'x', elemType: 'FLOAT', dims: ['N', 1, 3, 3] });
    const w = b.initializer(floatTensor('w', [1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3]));
    const bias = b.floats('b', [0.5], [1]);
    const y = b.op('Conv', [x, w, bias], 'conv', { pads: [1, 1, 1, 1], kernel_shape: [3, 3] });
    const z = b.op('LeakyRelu', [y], 'act', { alpha: { float: 0.2 } });
    b.output({ name: z, elemType: 'FLOAT', dims: ['N', 1, 3, 3] });
    const xs = Float32Array.from([1, 0, 0, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
    const out = (await run(b, { x: { data: xs, dims: [2, 1, 3, 3] } }))[z]!;
    expect(out.dims).toEqual([2, 1, 3, 3]);
    // Sample 0: centre of the output sees x(0,0)=1 at kernel (0,0) and x(1,1)=-1 at kernel (1,1).
    const d = out.data as Float32Array;
    const leaky = (v: number) => (v < 0 ? 0.2 * v : v);
    expect(d[4]).toBeCloseTo(leaky(1 * 1 - 5 + 0.5), 5);
    expect(d[9 + 4]).toBeCloseTo(5 + 0.5, 5);
    // Corner (0,0): x(0,0) meets kernel (1,1), x(1,1) meets kernel (2,2).
    expect(d[0]).toBeCloseTo(leaky(1 * 5 + -1 * 9 + 0.5), 5);
  });

  it('Gather of a table by an int32 index map, and Equal/Cast one-hot', async () => {
    const b = new GraphBuilder();
    const lab = b.input({ name: 'label', elemType: 'INT32', dims: [1, 2, 2] });
    const table = b.floats('table', [10, 11, 12, 20, 21, 22], [2, 3]); // [C=2, K=3]
    const g = b.op('Gather', [table, lab], 'g', { axis: 1 }); // [2,1,2,2]
    const t = b.op('Transpose', [g], 't', { perm: [1, 0, 2, 3] });
    const lab4 = b.op('Unsqueeze', [lab, b.int64s('axes', [1])], 'u');
    const eq = b.op('Equal', [lab4, b.int32s('classes', [0, 1, 2], [1, 3, 1, 1])], 'eq');
    const oh = b.op('Cast', [eq], 'oh', { to: 1 });
    b.output({ name: t, elemType: 'FLOAT', dims: [1, 2, 2, 2] });
    b.output({ name: oh, elemType: 'FLOAT', dims: [1, 3, 2, 2] });
    const out = await run(b, { label: { data: Int32Array.from([0, 2, 1, 1]), dims: [1, 2, 2] } });
    expect(Array.from(out[t]!.data as Float32Array)).toEqual([10, 12, 11, 11, 20, 22, 21, 21]);
    expect(Array.from(out[oh]!.data as Float32Array)).toEqual([1, 0, 0, 0, 0, 0, 1, 1, 0, 1, 0, 0]);
  });

  it('drops nodes and initializers no output depends on (unused channels-last twins)', async () => {
    const b = new GraphBuilder();
    const x = b.input({ name: 'x', elemType: 'FLOAT', dims: [1, 2] });
    const y = b.op('Mul', [x, b.floats('two', [2], [1])], 'y');
    b.op('Add', [b.op('Transpose', [y], 'dead', { perm: [1, 0] }), b.floats('unused', [5, 6, 7], [3])], 'dead');
    b.output({ name: y, elemType: 'FLOAT', dims: [1, 2] });
    const g = b.graph('pruned');
    expect(g.nodes.map((n) => n.opType)).toEqual(['Mul']);
    expect(g.initializers.map((t) => t.name)).toEqual(['two']);
    const out = await run(b, { x: { data: Float32Array.from([1, 3]), dims: [1, 2] } });
    expect(Array.from(out[y]!.data as Float32Array)).toEqual([2, 6]);
  });
});
