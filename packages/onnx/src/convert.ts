import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, ShapeError, formatShape } from '@clade/core';
import { GraphBuilder, encodeModel, type Dim } from './onnx';

/*
 * Export of a tfjs LayersModel to ONNX by a per-layer-class converter registry. The graph is
 * walked in the model's (topological) layer order; each layer's converter maps the ONNX values
 * of its inputs to the values of its outputs. Feature maps are NCHW in ONNX (NHWC in tfjs).
 *
 * Semantic maps are not materialized as one-hot tensors: a 'semantic' value is the label index
 * map (+ edge map) plus, for each output row/column, the source row/column it reads (nearest
 * resizes compose exactly this way). CLADE turns it into table gathers; only consumers that
 * really need the dense one-hot map (SPADE's MLP, the fc conv) materialize it.
 */

/** The batch dimension of every exported input and output. */
export const BATCH_DIM = 'N';

/** A real ONNX tensor. `layout: 'nchw'` means tfjs' rank-4 NHWC [N,H,W,C] is stored as [N,C,H,W]. */
export interface TensorValue {
  kind: 'tensor';
  name: string;
  /** ONNX dims (batch = 'N'). */
  dims: Dim[];
  layout: 'nchw' | 'same';
  /**
   * The same values channels-last ([N,H,W,C]), when the converter computed them that way (CLADE).
   * An elementwise consumer may stay channels-last and transpose its own result instead: a
   * Transpose right before a Conv is folded by ORT into the NCHWc reorder the Conv needs anyway.
   * Transposes nobody reads are pruned from the graph.
   */
  nhwc?: string;
}

/** Where a semantic map comes from: the ONNX inputs that replace tfjs' one-hot segmap. */
export interface SemanticSource {
  /** int32 [N,H,W] class indices in [0, numClasses). */
  label: string;
  /** float32 [N,1,H,W] instance-edge map (0/1), the one-hot map's last channel in tfjs. */
  edge: string | null;
  numClasses: number;
  height: number;
  width: number;
}

/** A (lazily resized) semantic map: output row i reads source row rows[i] (and columns alike). */
export interface SemanticValue {
  kind: 'semantic';
  src: SemanticSource;
  rows: Int32Array;
  cols: Int32Array;
}

export type Value = TensorValue | SemanticValue;

/** Converts one tfjs layer. Returns one value per output tensor of the layer. */
export type LayerConverter = (layer: tfl.layers.Layer, inputs: Value[], ctx: ExportContext) => Value | Value[];

const CONVERTERS = new Map<string, LayerConverter>();

/** Registers the converter of a layer class (by its tfjs className); a later call replaces it. */
export function registerOnnxConverter(className: string, converter: LayerConverter): void {
  CONVERTERS.set(className, converter);
}

/** Class names that have a converter. */
export function onnxConvertibleLayers(): string[] {
  return [...CONVERTERS.keys()].sort();
}

/** PyTorch's nearest rule: output index j reads floor(j·in/out). */
export function nearestIndices(inSize: number, outSize: number): Int32Array {
  return Int32Array.from({ length: outSize }, (_, j) => Math.min(Math.floor((j * inSize) / outSize), inSize - 1));
}

/** The graph under construction, with caches shared by all converters. */
export class ExportContext {
  readonly b = new GraphBuilder();
  private cache = new Map<string, string>();
  /** Opset imports of custom domains the converters used (e.g. 'ai.clade'). */
  readonly domains: Record<string, number> = {};

  constructor(
    /** Emit CLADE's modulation as clade's fused custom op (see ExportLayersModelOptions.fusedClade). */
    readonly fusedClade = false,
  ) {}

  /** A node of a custom domain; records the domain's opset import. */
  customOp(domain: string, opType: string, inputs: string[], name: string): string {
    this.domains[domain] = 1;
    return this.b.node(opType, inputs, name, undefined, 1, domain)[0]!;
  }

  /** A cached sub-graph: `make` runs once per key. */
  cached(key: string, make: () => string): string {
    let v = this.cache.get(key);
    if (v === undefined) {
      v = make();
      this.cache.set(key, v);
    }
    return v;
  }

  /** A tensor value (semantic maps are materialized as one-hot + edge, NCHW). */
  tensor(v: Value, who: string): TensorValue {
    if (v.kind === 'tensor') {
      // Converters spread their input into their output; a channels-last twin must not travel along.
      const { nhwc: _, ...t } = v;
      return t;
    }
    const s = v.src.numClasses + (v.src.edge ? 1 : 0);
    return { kind: 'tensor', name: this.oneHot(v, who), dims: [BATCH_DIM, s, v.rows.length, v.cols.length], layout: 'nchw' };
  }

  /** A rank-4 NCHW feature map [N,C,H,W]; errors name the layer. */
  feature(v: Value, who: string): TensorValue & { c: number; h: number; w: number } {
    const t = this.tensor(v, who);
    const [, c, h, w] = t.dims;
    if (t.dims.length !== 4 || t.layout !== 'nchw' || typeof c !== 'number' || typeof h !== 'number' || typeof w !== 'number')
      throw new ShapeError(`${who}: expected a rank-4 NHWC feature map with known H, W, C, got ONNX dims ${formatShape(t.dims)} (${t.layout}).`);
    return { ...t, c, h, w };
  }

  /** Source indices composed with one more nearest resize to (h, w). */
  static resizeSemantic(v: SemanticValue, h: number, w: number): SemanticValue {
    const r = nearestIndices(v.rows.length, h);
    const c = nearestIndices(v.cols.length, w);
    return { ...v, rows: r.map((i) => v.rows[i]!), cols: c.map((i) => v.cols[i]!) };
  }

  private indexKey(v: SemanticValue): string {
    return `${v.src.label}|${v.rows.join(',')}|${v.cols.join(',')}`;
  }

  /** Rows then columns of `x` picked by Gather (exact floor-rule nearest resize); `axes` = [rowAxis, colAxis]. */
  pickRowsCols(x: string, rows: Int32Array, cols: Int32Array, srcH: number, srcW: number, axes: [number, number], name: string): string {
    const identity = (idx: Int32Array, n: number) => idx.length === n && idx.every((v, i) => v === i);
    let y = x;
    if (!identity(rows, srcH)) y = this.b.op('Gather', [y, this.b.int32s(`${name}.rows`, rows)], name, { axis: axes[0] });
    if (!identity(cols, srcW)) y = this.b.op('Gather', [y, this.b.int32s(`${name}.cols`, cols)], name, { axis: axes[1] });
    return y;
  }

  /** int32 [N,h,w] class indices of a semantic value (cached per resolution). */
  labels(v: SemanticValue): string {
    return this.cached(`labels:${this.indexKey(v)}`, () =>
      this.pickRowsCols(v.src.label, v.rows, v.cols, v.src.height, v.src.width, [1, 2], `semantic.${v.rows.length}x${v.cols.length}.label`),
    );
  }

  /** float [N,1,h,w] edge map of a semantic value (cached). */
  edge(v: SemanticValue, who: string): string {
    if (!v.src.edge)
      throw new ConfigError(
        `${who}: the layer uses an instance-edge channel, but the semantic input '${v.src.label}' was exported without one (edge: false).`,
      );
    const e = v.src.edge;
    return this.cached(`edge:${this.indexKey(v)}`, () =>
      this.pickRowsCols(e, v.rows, v.cols, v.src.height, v.src.width, [2, 3], `semantic.${v.rows.length}x${v.cols.length}.edge`),
    );
  }

  /** float [N,S,h,w]: one-hot of the labels (Equal against 0..K−1, then Cast), edge channel last (cached). */
  oneHot(v: SemanticValue, who: string): string {
    return this.cached(`onehot:${this.indexKey(v)}:${v.src.edge ? 1 : 0}`, () => {
      const name = `semantic.${v.rows.length}x${v.cols.length}.onehot`;
      const lab = this.b.op('Unsqueeze', [this.labels(v), this.b.int64s('axis1', [1])], name);
      const k = v.src.numClasses;
      const classes = this.b.int32s(`classes${k}`, Int32Array.from({ length: k }, (_, i) => i), [1, k, 1, 1]);
      const oh = this.b.op('Cast', [this.b.op('Equal', [lab, classes], name)], name, { to: 1 });
      return v.src.edge ? this.b.op('Concat', [oh, this.edge(v, who)], name, { axis: 1 }) : oh;
    });
  }

  /** NCHW feature map resized (nearest, floor rule) to (h, w), cached per source and size. */
  resizeFeature(x: TensorValue & { h: number; w: number }, h: number, w: number): string {
    if (x.h === h && x.w === w) return x.name;
    return this.cached(`resize:${x.name}:${h}x${w}`, () =>
      this.pickRowsCols(x.name, nearestIndices(x.h, h), nearestIndices(x.w, w), x.h, x.w, [2, 3], `${x.name}.${h}x${w}`),
    );
  }
}

/** Reads a layer weight by its name inside the layer ('class_specified_affine/weight'). */
export function layerWeight(layer: tfl.layers.Layer, name: string): tf.Tensor {
  const w = layer.weights.find((v) => v.originalName === `${layer.name}/${name}` || v.originalName.endsWith(`/${name}`));
  if (!w) throw new ConfigError(`${layer.getClassName()} '${layer.name}': no weight '${name}' (has ${layer.weights.map((v) => v.originalName).join(', ')}).`);
  return w.read();
}

export function hasWeight(layer: tfl.layers.Layer, name: string): boolean {
  return layer.weights.some((v) => v.originalName.endsWith(`/${name}`));
}

/** Float32 copy of a tensor's values. */
export function values(t: tf.Tensor): Float32Array {
  return Float32Array.from(t.dataSync() as Float32Array);
}

/** How a tfjs model input becomes ONNX inputs. */
export type InputSpec =
  | {
      /** A one-hot segmap [N,H,W,K(+1)] fed as an int32 label map (+ a float edge map). */
      kind: 'semantic';
      numClasses: number;
      /** The segmap's last channel is an instance-edge map. */
      edge: boolean;
      /** ONNX input names. Defaults 'label', 'edge'. */
      labelName?: string;
      edgeName?: string;
    }
  | { kind: 'tensor' };

export interface ExportLayersModelOptions {
  /** Spatial size of rank-4 inputs whose H, W the model leaves open. */
  inputSize?: { height: number; width: number };
  /** Per tfjs input name; inputs not listed are plain tensors (NHWC rank-4 → NCHW). */
  inputs?: Record<string, InputSpec>;
  /** ONNX output names, one per model output. Default: the tfjs output layer names. */
  outputNames?: string[];
  /** Graph name. Default the model name. */
  graphName?: string;
  /** Free text stored as the model's doc_string. */
  doc?: string;
  /** metadata_props. */
  metadata?: Record<string, string>;
  /**
   * Write CLADE's guided sampling + modulation as one node of clade's own op
   * (ai.clade.CladeModulate / CladeModulateScaled) instead of two Gathers, a Mul and an Add.
   * Such a model runs only where that op is registered: `NativeOrtSession` (our onnxruntime
   * binding, see native.ts); onnxruntime-node and onnxruntime-web reject it. Default false.
   */
  fusedClade?: boolean;
}

type Sym = tfl.SymbolicTensor;

/** Input value of the graph for one tfjs input. */
function declareInput(ctx: ExportContext, sym: Sym, spec: InputSpec | undefined, o: ExportLayersModelOptions): Value {
  const shape = sym.shape;
  // The input layer's own name ('seg', 'dist', 'z'): tensor names get '_1' suffixes across models.
  const name = sym.sourceLayer.name;
  if (shape.length === 4) {
    const h = shape[1] ?? o.inputSize?.height;
    const w = shape[2] ?? o.inputSize?.width;
    if (h == null || w == null)
      throw new ConfigError(`exportLayersModelToOnnx: input '${name}' has open H, W ${formatShape(shape)}; pass inputSize { height, width }.`);
    const c = shape[3]!;
    if (spec?.kind === 'semantic') {
      const expected = spec.numClasses + (spec.edge ? 1 : 0);
      if (c !== expected)
        throw new ShapeError(
          `exportLayersModelToOnnx: semantic input '${name}' has ${c} channels, but numClasses ${spec.numClasses} + edge ${spec.edge} gives ${expected}.`,
        );
      const label = ctx.b.input({
        name: spec.labelName ?? 'label',
        elemType: 'INT32',
        dims: [BATCH_DIM, h, w],
        doc: `class index per pixel in [0, ${spec.numClasses})`,
      });
      const edge = spec.edge
        ? ctx.b.input({ name: spec.edgeName ?? 'edge', elemType: 'FLOAT', dims: [BATCH_DIM, 1, h, w], doc: 'instance-edge map (0/1)' })
        : null;
      const iota = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
      return { kind: 'semantic', src: { label, edge, numClasses: spec.numClasses, height: h, width: w }, rows: iota(h), cols: iota(w) };
    }
    const dims: Dim[] = [BATCH_DIM, c, h, w];
    return { kind: 'tensor', name: ctx.b.input({ name, elemType: 'FLOAT', dims }), dims, layout: 'nchw' };
  }
  const dims: Dim[] = [BATCH_DIM, ...shape.slice(1).map((d) => d ?? `${name}_${d}`)];
  return { kind: 'tensor', name: ctx.b.input({ name, elemType: 'FLOAT', dims }), dims, layout: 'same' };
}

/**
 * Serializes a tfjs LayersModel (eval mode) as an ONNX model (IR 8, opset 17). Every layer
 * class needs a registered converter (see onnxConvertibleLayers()).
 */
export function exportLayersModelToOnnx(model: tfl.LayersModel, options: ExportLayersModelOptions = {}): Uint8Array {
  const ctx = new ExportContext(options.fusedClade ?? false);
  const vals = new Map<number, Value>();
  model.inputs.forEach((sym) => {
    vals.set(sym.id, declareInput(ctx, sym, options.inputs?.[sym.sourceLayer.name], options));
  });
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    if (cls === 'InputLayer') continue;
    const node = layer.inboundNodes.find((n) => n.inputTensors.every((t) => vals.has(t.id)));
    if (!node) throw new ConfigError(`exportLayersModelToOnnx: layer '${layer.name}' is not reachable from the model inputs.`);
    const conv = CONVERTERS.get(cls);
    if (!conv)
      throw new ConfigError(
        `exportLayersModelToOnnx: no ONNX converter for layer class '${cls}' (layer ` +
          `'${layer.name}'); convertible: ${onnxConvertibleLayers().join(', ')}.`,
      );
    // Weight reads (e.g. the spectral-norm kernel) are freed here; the values hold only names.
    let out: Value | Value[] = [];
    tf.tidy(() => {
      out = conv(layer, node.inputTensors.map((t) => vals.get(t.id)!), ctx);
    });
    const outs: Value[] = Array.isArray(out) ? out : [out];
    node.outputTensors.forEach((t, i) => vals.set(t.id, outs[i]!));
  }
  const names = options.outputNames ?? model.outputs.map((o) => o.sourceLayer.name);
  if (names.length !== model.outputs.length)
    throw new ConfigError(`exportLayersModelToOnnx: outputNames needs ${model.outputs.length} names, got ${names.length}.`);
  model.outputs.forEach((sym, i) => {
    const v = ctx.tensor(vals.get(sym.id)!, 'output');
    const name = names[i]!;
    ctx.b.nodes.push({ opType: 'Identity', inputs: [v.name], outputs: [name], name: `${name}/Identity` });
    ctx.b.output({ name, elemType: 'FLOAT', dims: v.dims });
  });
  return encodeModel({
    graph: ctx.b.graph(options.graphName ?? model.name, options.doc),
    ...(options.doc ? { doc: options.doc } : {}),
    ...(options.metadata ? { metadata: options.metadata } : {}),
    domains: ctx.domains,
  });
}
