import { ConfigError } from '@clade/core';
import { ProtoWriter } from './proto';

/*
 * The subset of onnx.proto (ONNX IR 8, opset 17) that our exporter writes, as plain data, and
 * its encoder. Field numbers are those of onnx/onnx.proto3.
 */

/** TensorProto.DataType values we use. */
export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, BOOL: 9, DOUBLE: 11 } as const;
export type DataTypeName = keyof typeof DataType;

export const IR_VERSION = 8;
export const OPSET = 17;

export interface TensorData {
  name: string;
  dataType: DataTypeName;
  dims: number[];
  /** Little-endian element bytes (raw_data). */
  raw: Uint8Array;
}

/** A dimension: a fixed size, or a symbolic name ('N'). */
export type Dim = number | string;

export interface ValueInfo {
  name: string;
  elemType: DataTypeName;
  dims: Dim[];
  doc?: string;
}

export type AttributeValue = number | string | number[] | { floats: number[] } | { float: number } | TensorData;

export interface NodeData {
  opType: string;
  inputs: string[];
  outputs: string[];
  name: string;
  domain?: string;
  attributes?: Record<string, AttributeValue>;
}

export interface GraphData {
  name: string;
  nodes: NodeData[];
  initializers: TensorData[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  doc?: string;
}

export interface ModelData {
  graph: GraphData;
  producerName?: string;
  producerVersion?: string;
  doc?: string;
  /** metadata_props: string key → string value. */
  metadata?: Record<string, string>;
  opset?: number;
  /** Opset imports besides the default domain (e.g. { 'ai.clade': 1 } for our custom ops). */
  domains?: Record<string, number>;
}

/** Domain of clade's own ONNX ops (CladeModulate, CladeModulateScaled; opset 1). */
export const CLADE_ONNX_DOMAIN = 'ai.clade';

// AttributeProto.AttributeType
const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

function writeTensor(w: ProtoWriter, t: TensorData): void {
  w.packedInts(1, t.dims); // dims
  w.int(2, DataType[t.dataType]); // data_type
  w.string(8, t.name); // name
  w.bytes(9, t.raw); // raw_data
}

function writeValueInfo(w: ProtoWriter, v: ValueInfo): void {
  w.string(1, v.name);
  // TypeProto { tensor_type (1): Tensor { elem_type (1), shape (2): { dim (1)* } } }
  w.message(2, (type) =>
    type.message(1, (tt) => {
      tt.int(1, DataType[v.elemType]);
      tt.message(2, (shape) => {
        for (const d of v.dims) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
      });
    }),
  );
  if (v.doc) w.string(3, v.doc);
}

function writeAttribute(w: ProtoWriter, name: string, v: AttributeValue): void {
  w.string(1, name);
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new ConfigError(`onnx attribute '${name}': a non-integer number must be given as { float }, got ${v}.`);
    w.int(3, v).int(20, AttrType.INT);
  } else if (typeof v === 'string') w.string(4, v).int(20, AttrType.STRING);
  else if (Array.isArray(v)) w.packedInts(8, v).int(20, AttrType.INTS);
  else if ('float' in v) w.float(2, v.float).int(20, AttrType.FLOAT);
  else if ('floats' in v) w.packedFloats(7, v.floats).int(20, AttrType.FLOATS);
  else w.message(5, (t) => writeTensor(t, v)).int(20, AttrType.TENSOR);
}

function writeNode(w: ProtoWriter, n: NodeData): void {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name);
  w.string(4, n.opType);
  for (const [k, v] of Object.entries(n.attributes ?? {})) w.message(5, (a) => writeAttribute(a, k, v));
  if (n.domain) w.string(7, n.domain);
}

function writeGraph(w: ProtoWriter, g: GraphData): void {
  for (const n of g.nodes) w.message(1, (m) => writeNode(m, n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, (m) => writeTensor(m, t));
  if (g.doc) w.string(10, g.doc);
  for (const v of g.inputs) w.message(11, (m) => writeValueInfo(m, v));
  for (const v of g.outputs) w.message(12, (m) => writeValueInfo(m, v));
}

/** Serializes a ModelProto. */
export function encodeModel(m: ModelData): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, IR_VERSION); // ir_version
  w.string(2, m.producerName ?? '@clade/onnx');
  w.string(3, m.producerVersion ?? '0.0.0');
  if (m.doc) w.string(6, m.doc);
  w.message(7, (g) => writeGraph(g, m.graph));
  w.message(8, (o) => o.string(1, '').int(2, m.opset ?? OPSET)); // opset_import: default domain
  for (const [domain, version] of Object.entries(m.domains ?? {})) w.message(8, (o) => o.string(1, domain).int(2, version));
  for (const [k, v] of Object.entries(m.metadata ?? {})) w.message(14, (e) => e.string(1, k).string(2, v));
  return w.finish();
}

const asBytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** A float32 tensor (copied, so later writes to `data` do not change the model). */
export function floatTensor(name: string, data: ArrayLike<number>, dims: number[]): TensorData {
  return { name, dataType: 'FLOAT', dims, raw: asBytes(Float32Array.from(data)) };
}

export function int32Tensor(name: string, data: ArrayLike<number>, dims: number[]): TensorData {
  return { name, dataType: 'INT32', dims, raw: asBytes(Int32Array.from(data)) };
}

export function int64Tensor(name: string, data: ArrayLike<number>, dims: number[]): TensorData {
  return { name, dataType: 'INT64', dims, raw: asBytes(BigInt64Array.from(Array.from(data, (x) => BigInt(x)))) };
}

/**
 * Builds a graph: unique value and node names, initializers deduplicated by caller-chosen keys.
 */
export class GraphBuilder {
  readonly nodes: NodeData[] = [];
  readonly initializers: TensorData[] = [];
  readonly inputs: ValueInfo[] = [];
  readonly outputs: ValueInfo[] = [];
  private used = new Set<string>();
  private constants = new Map<string, string>();

  /** A fresh name based on `base`. */
  fresh(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  input(v: ValueInfo): string {
    if (this.used.has(v.name)) throw new ConfigError(`onnx graph: input name '${v.name}' is already used.`);
    this.used.add(v.name);
    this.inputs.push(v);
    return v.name;
  }

  output(v: ValueInfo): void {
    this.outputs.push(v);
  }

  /** An initializer; with `key`, an identical request returns the first one's name. */
  initializer(t: TensorData, key?: string): string {
    if (key !== undefined) {
      const hit = this.constants.get(key);
      if (hit) return hit;
    }
    const name = this.fresh(t.name);
    this.initializers.push({ ...t, name });
    if (key !== undefined) this.constants.set(key, name);
    return name;
  }

  /** Float constant, deduplicated by value. */
  floats(name: string, data: ArrayLike<number>, dims: number[]): string {
    return this.initializer(floatTensor(name, data, dims), data.length <= 16 ? `f:${dims}:${Array.from(data)}` : undefined);
  }

  int64s(name: string, data: ArrayLike<number>, dims = [data.length]): string {
    return this.initializer(int64Tensor(name, data, dims), `i64:${dims}:${Array.from(data)}`);
  }

  int32s(name: string, data: ArrayLike<number>, dims = [data.length]): string {
    return this.initializer(int32Tensor(name, data, dims), `i32:${dims}:${Array.from(data)}`);
  }

  /** Adds a node; returns its output names (one fresh name per output). */
  node(opType: string, inputs: string[], name: string, attributes?: Record<string, AttributeValue>, numOutputs = 1, domain?: string): string[] {
    const nodeName = this.fresh(`${name}/${opType}`);
    const outputs = Array.from({ length: numOutputs }, (_, i) => this.fresh(numOutputs === 1 ? nodeName : `${nodeName}:${i}`));
    this.nodes.push({ opType, inputs, outputs, name: nodeName, ...(attributes ? { attributes } : {}), ...(domain ? { domain } : {}) });
    return outputs;
  }

  /** Single-output node. */
  op(opType: string, inputs: string[], name: string, attributes?: Record<string, AttributeValue>): string {
    return this.node(opType, inputs, name, attributes)[0]!;
  }

  /** The graph without the nodes and initializers that no output depends on. */
  graph(name: string, doc?: string): GraphData {
    const live = new Set(this.outputs.map((o) => o.name));
    // Walk backwards so a node's inputs are marked before the nodes that produce them are tested.
    const kept: NodeData[] = [];
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const n = this.nodes[i]!;
      if (!n.outputs.some((o) => live.has(o))) continue;
      kept.push(n);
      n.inputs.forEach((x) => live.add(x));
    }
    kept.reverse();
    const initializers = this.initializers.filter((t) => live.has(t.name));
    return { name, nodes: kept, initializers, inputs: this.inputs, outputs: this.outputs, ...(doc ? { doc } : {}) };
  }
}
