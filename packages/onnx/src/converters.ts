import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { CLADE, ConfigError, NotImplementedError, SPADE, SpectralConv2D, ShapeError, formatShape } from '@clade/core';
import {
  BATCH_DIM,
  ExportContext,
  hasWeight,
  layerWeight,
  registerOnnxConverter,
  values,
  type SemanticValue,
  type TensorValue,
  type Value,
} from './convert';
import { CLADE_ONNX_DOMAIN, type Dim } from './onnx';

/*
 * Converters of the layers our generators are made of: @clade/core's SPADE, CLADE, CLADEICPE,
 * SpectralConv2D, NearestResize, InstanceNorm, and the tfjs built-ins Conv2D, Dense, LeakyReLU,
 * ReLU, Activation, Add, Concatenate, UpSampling2D, Reshape, Permute. Eval mode only: batch
 * norms use their running statistics and spectral norm its stored u, v (as the official test).
 * GroupDNet's layers are in converters-groupdnet.ts, SEAN's ACE in converters-sean.ts.
 */

type Cfg = Record<string, unknown>;
export const cfg = (layer: tfl.layers.Layer) => layer.getConfig() as Cfg;
export const who = (layer: tfl.layers.Layer) => `${layer.getClassName()} '${layer.name}'`;

export function nchw(name: string, c: number, h: number, w: number): TensorValue {
  return { kind: 'tensor', name, dims: [BATCH_DIM, c, h, w], layout: 'nchw' };
}

/** tfjs kernel [kh,kw,I,O] → ONNX [O,I,kh,kw] (a grouped [kh,kw,I/g,O] gives ONNX's grouped [O,I/g,kh,kw]). */
export function onnxKernel(k: tf.Tensor): { data: Float32Array; dims: number[] } {
  return { data: values(tf.transpose(k, [3, 2, 0, 1])), dims: [k.shape[3]!, k.shape[2]!, k.shape[0]!, k.shape[1]!] };
}

/** Conv node; `pads` = [top, left, bottom, right]; `group` > 1 is PyTorch's Conv2d(groups) (ONNX Conv's own attribute). */
export function conv(
  ctx: ExportContext,
  x: string,
  kernel: { data: Float32Array; dims: number[] },
  bias: Float32Array | null,
  name: string,
  pads: number[],
  stride = 1,
  group = 1,
): string {
  const inputs = [x, ctx.b.floats(`${name}.weight`, kernel.data, kernel.dims)];
  if (bias) inputs.push(ctx.b.floats(`${name}.bias`, bias, [bias.length]));
  // `group` only when grouped: the ungrouped graphs stay byte-identical to earlier exports.
  return ctx.b.op('Conv', inputs, name, { kernel_shape: kernel.dims.slice(2), pads, strides: [stride, stride], ...(group > 1 && { group }) });
}

function activation(ctx: ExportContext, x: TensorValue, act: string, name: string, w: string): TensorValue {
  const ops: Record<string, string> = { relu: 'Relu', tanh: 'Tanh', sigmoid: 'Sigmoid', softplus: 'Softplus', elu: 'Elu' };
  if (act === 'linear') return x;
  const op = ops[act];
  if (!op) throw new NotImplementedError(`${w}: activation '${act}' has no ONNX mapping; supported: linear, ${Object.keys(ops).join(', ')}.`);
  return { ...x, name: ctx.b.op(op, [x.name], name) };
}

// ---- @clade/core layers -------------------------------------------------------------------

registerOnnxConverter('SpectralConv2D', (layer, [input], ctx) => {
  const l = layer as SpectralConv2D;
  const x = ctx.feature(input!, who(l));
  // Eval-mode kernel: weight_orig / σ with the stored u, v (no power iteration).
  const k = l.effectiveKernel(false);
  const p = l.padding;
  const out = (d: number) => Math.floor((d + 2 * p - l.kernelSize) / l.strides) + 1;
  const bias = l.useBias ? values(layerWeight(l, 'bias')) : null;
  return nchw(conv(ctx, x.name, onnxKernel(k), bias, l.name, [p, p, p, p], l.strides), l.filters, out(x.h), out(x.w));
});

registerOnnxConverter('NearestResize', (layer, [input], ctx) => {
  const { height, width } = cfg(layer) as { height: number; width: number };
  if (input!.kind === 'semantic') return ExportContext.resizeSemantic(input!, height, width);
  const x = ctx.feature(input!, who(layer));
  return nchw(ctx.resizeFeature(x, height, width), x.c, height, width);
});

registerOnnxConverter('InstanceNorm', (layer, [input], ctx) => {
  const x = ctx.feature(input!, who(layer));
  const eps = (cfg(layer).epsilon as number) ?? 1e-5;
  return nchw(instanceNorm(ctx, x.name, x.c, eps, layer.name), x.c, x.h, x.w);
});

export function instanceNorm(ctx: ExportContext, x: string, c: number, eps: number, name: string): string {
  const ones = ctx.b.floats(`ones${c}`, new Float32Array(c).fill(1), [c]);
  const zeros = ctx.b.floats(`zeros${c}`, new Float32Array(c), [c]);
  return ctx.b.op('InstanceNormalization', [x, ones, zeros], name, { epsilon: { float: eps } });
}

/** The param-free norm as a per-channel affine (eval batch norm: x·s + t), or null for instance norm. */
export function runningAffine(layer: tfl.layers.Layer, eps: number): { s: Float32Array; t: Float32Array } | null {
  if (!hasWeight(layer, 'param_free_norm/running_mean')) return null;
  const mean = values(layerWeight(layer, 'param_free_norm/running_mean'));
  const variance = values(layerWeight(layer, 'param_free_norm/running_var'));
  // In float64, then rounded once: the folded tables stay within float32 rounding of tfjs' path.
  const s = Float32Array.from(variance, (v) => 1 / Math.sqrt(v + eps));
  const t = Float32Array.from(mean, (m, i) => -m / Math.sqrt(variance[i]! + eps));
  return { s, t };
}

export function normInputs(layer: tfl.layers.Layer, inputs: Value[], ctx: ExportContext) {
  const x = ctx.feature(inputs[0]!, who(layer));
  const seg = inputs[1]!;
  if (seg.kind !== 'semantic')
    throw new ConfigError(
      `${who(layer)}: its segmap input must be exported as a semantic input (label map ` +
        `+ edge), got a plain tensor; pass inputs: { seg: { kind: 'semantic', ... } }.`,
    );
  return { x, seg: ExportContext.resizeSemantic(seg, x.h, x.w) };
}

/**
 * SPADE: x̂·(1 + γ) + β, γ/β = convs of ReLU(conv(one-hot)). The "1 +" goes into γ's bias, and an
 * eval batch norm x̂ = x·s + t is folded into the γ/β convs (x·[s(1+γ)] + [t(1+γ) + β]), so
 * the layer is three convs, one Mul and one Add.
 */
registerOnnxConverter('SPADE', (layer, inputs, ctx) => {
  const l = layer as SPADE;
  const { x, seg } = normInputs(l, inputs, ctx);
  return spadeModulation(ctx, l, x, ctx.oneHot(seg, who(l)), { kernelSize: l.kernelSize, epsilon: l.epsilon });
});

/** How a SPADE-form layer's three convs are shaped: GroupDNet's GROUP_SPADE groups them. */
export interface SpadeConvs {
  kernelSize: number;
  epsilon: number;
  /** Groups of mlp_shared. Default 1. */
  sharedGroups?: number;
  /** Groups of mlp_gamma and mlp_beta. Default 1. */
  groups?: number;
}

/**
 * SPADE's modulation of x by the segmap `m` (NCHW, at x's size), from the layer's official weights
 * (mlp_shared/0, mlp_gamma, mlp_beta, param_free_norm running stats). Grouping changes nothing of
 * the folding: each output channel still owns its own [I/g,kh,kw] kernel block.
 */
export function spadeModulation(
  ctx: ExportContext,
  l: tfl.layers.Layer,
  x: TensorValue & { c: number; h: number; w: number },
  m: string,
  o: SpadeConvs,
): TensorValue {
  const pad = Math.floor(o.kernelSize / 2);
  const pads = [pad, pad, pad, pad];
  const sk = onnxKernel(layerWeight(l, 'mlp_shared/0/weight'));
  const shared = conv(ctx, m, sk, values(layerWeight(l, 'mlp_shared/0/bias')), `${l.name}.mlp_shared`, pads, 1, o.sharedGroups ?? 1);
  const actv = ctx.b.op('Relu', [shared], `${l.name}.mlp_shared`);
  const gk = onnxKernel(layerWeight(l, 'mlp_gamma/weight'));
  const gb = values(layerWeight(l, 'mlp_gamma/bias')).map((b) => b + 1);
  const bk = onnxKernel(layerWeight(l, 'mlp_beta/weight'));
  const bb = values(layerWeight(l, 'mlp_beta/bias'));
  const affine = runningAffine(l, o.epsilon);
  let xn = x.name;
  if (affine) {
    const per = gk.data.length / x.c; // kernel elements per output channel ([O, ...] layout)
    const { s, t } = affine;
    const scaleK = gk.data.map((v, i) => v * s[Math.floor(i / per)]!);
    const shiftK = bk.data.map((v, i) => v + gk.data[i]! * t[Math.floor(i / per)]!);
    const scaleB = gb.map((v, c) => v * s[c]!);
    const shiftB = bb.map((v, c) => v + gb[c]! * t[c]!);
    gk.data = scaleK;
    bk.data = shiftK;
    gb.set(scaleB);
    bb.set(shiftB);
  } else {
    xn = instanceNorm(ctx, x.name, x.c, o.epsilon, `${l.name}.param_free_norm`);
  }
  const g = o.groups ?? 1;
  const gamma = conv(ctx, actv, gk, gb, `${l.name}.mlp_gamma`, pads, 1, g);
  const beta = conv(ctx, actv, bk, bb, `${l.name}.mlp_beta`, pads, 1, g);
  const out = ctx.b.op('Add', [ctx.b.op('Mul', [xn, gamma], l.name), beta], l.name);
  return nchw(out, x.c, x.h, x.w);
}

/**
 * CLADE / CLADE-ICPE. Guided sampling is a Gather of the γ/β tables by the class-index map;
 * an eval batch norm folds into the tables (Γ' = Γ·s, B' = Γ·t + B), so plain CLADE is two
 * Gathers, one Mul and one Add per layer, computed channels-last. With ICPE the factors
 * 1 + C(d) are 1×1 convs of the resized positional map. The edge feature a·E + b is a 1×1 conv,
 * concatenated last. With `fusedClade`, the Gathers, Muls and Add are one ai.clade node.
 */
function convertClade(layer: tfl.layers.Layer, inputs: Value[], ctx: ExportContext): Value {
  const l = layer as CLADE;
  const { x, seg } = normInputs(l, inputs, ctx);
  const icpe = l.getClassName() === 'CLADEICPE';
  const k = l.numClasses;
  if (seg.src.numClasses !== k)
    throw new ShapeError(`${who(l)}: numClasses ${k} differs from the semantic input's ${seg.src.numClasses}.`);
  const labels = ctx.labels(seg);
  const gamma = values(layerWeight(l, 'class_specified_affine/weight'));
  const beta = values(layerWeight(l, 'class_specified_affine/bias'));
  const affine = runningAffine(l, l.epsilon);
  const c = x.c;
  const table = (a: Float32Array, n: string) => ctx.b.floats(`${l.name}.${n}`, a, [k, c]);
  // Guided sampling gives channels-last rows [N,h,w,C]; the modulation stays channels-last (see below).
  const rows = (a: Float32Array, n: string) => ctx.b.op('Gather', [table(a, n), labels], `${l.name}.${n}`, { axis: 0 });
  let xn = x.name;
  let g: string | undefined;
  let b: string | undefined;
  // Fused: the op's inputs after x̂ and the labels (tables, then ICPE's per-pixel factors).
  let fused: string[] | undefined;
  if (!icpe) {
    if (affine) {
      for (let i = 0; i < gamma.length; i++) {
        const ch = i % c;
        beta[i] = beta[i]! + gamma[i]! * affine.t[ch]!;
        gamma[i] = gamma[i]! * affine.s[ch]!;
      }
    } else xn = instanceNorm(ctx, x.name, c, l.epsilon, `${l.name}.param_free_norm`);
    if (ctx.fusedClade) fused = [table(gamma, 'gamma'), table(beta, 'beta')];
    else {
      g = rows(gamma, 'gamma');
      b = rows(beta, 'beta');
    }
  } else {
    const distIn = inputs[2];
    if (!distIn) throw new ShapeError(`${who(l)}: needs a positional map input.`);
    const d = ctx.feature(distIn, `${who(l)} dist`);
    if (d.c !== 2) throw new ShapeError(`${who(l)}: dist must have 2 channels, got ${formatShape(d.dims)}.`);
    const dr = ctx.resizeFeature(d, x.h, x.w);
    // 1 + C(d'): the 1×1 conv's bias absorbs the "1 +". One channel, so [N,1,h,w] is already the
    // channels-last [N,h,w,1] in memory: a Reshape, no Transpose.
    const factor = (n: string) => {
      const f = conv(
        ctx,
        dr,
        onnxKernel(layerWeight(l, `class_specified_affine/${n}/weight`)),
        values(layerWeight(l, `class_specified_affine/${n}/bias`)).map((v) => v + 1),
        `${l.name}.${n}`,
        [0, 0, 0, 0],
      );
      return ctx.b.op('Reshape', [f, ctx.b.int64s(`${l.name}.nhwc1`, [0, x.h, x.w, 1])], `${l.name}.${n}`);
    };
    if (affine) {
      const ones = new Float32Array(c).fill(1);
      const zeros = new Float32Array(c);
      const f = (n: string, a: Float32Array) => ctx.b.floats(`${l.name}.param_free_norm.${n}`, a, [c]);
      xn = ctx.b.op(
        'BatchNormalization',
        [
          x.name, f('scale', ones), f('bias', zeros),
          f('running_mean', values(layerWeight(l, 'param_free_norm/running_mean'))),
          f('running_var', values(layerWeight(l, 'param_free_norm/running_var'))),
        ],
        `${l.name}.param_free_norm`,
        { epsilon: { float: l.epsilon } },
      );
    } else xn = instanceNorm(ctx, x.name, c, l.epsilon, `${l.name}.param_free_norm`);
    if (ctx.fusedClade) fused = [table(gamma, 'gamma'), table(beta, 'beta'), factor('dist_conv_w'), factor('dist_conv_b')];
    else {
      g = ctx.b.op('Mul', [rows(gamma, 'gamma'), factor('dist_conv_w')], `${l.name}.gamma`);
      b = ctx.b.op('Mul', [rows(beta, 'beta'), factor('dist_conv_b')], `${l.name}.beta`);
    }
  }
  // Modulated channels-last: x̂ is transposed once, and so is the result. Those Transposes sit
  // next to convs (a LeakyReLU after CLADE stays channels-last too), where ORT folds them into its
  // NCHWc reorders; transposing γ and β instead cost 3× more Transpose time (see bench onnx).
  const t = (v: string, perm: number[]) => ctx.b.op('Transpose', [v], l.name, { perm });
  const modulated = fused
    ? ctx.customOp(CLADE_ONNX_DOMAIN, icpe ? 'CladeModulateScaled' : 'CladeModulate', [t(xn, [0, 2, 3, 1]), labels, ...fused], l.name)
    : ctx.b.op('Add', [ctx.b.op('Mul', [t(xn, [0, 2, 3, 1]), g!], l.name), b!], l.name);
  const out = t(modulated, [0, 3, 1, 2]);
  if (!l.useInstance) return { ...nchw(out, c, x.h, x.w), nhwc: modulated };
  const e = ctx.edge(seg, who(l));
  const edge = conv(ctx, e, onnxKernel(layerWeight(l, 'inst_conv/weight')), values(layerWeight(l, 'inst_conv/bias')), `${l.name}.inst_conv`, [0, 0, 0, 0]);
  return nchw(ctx.b.op('Concat', [out, edge], l.name, { axis: 1 }), c + 1, x.h, x.w);
}
registerOnnxConverter('CLADE', convertClade);
registerOnnxConverter('CLADEICPE', convertClade);

// ---- tfjs built-ins --------------------------------------------------------------------------

registerOnnxConverter('LeakyReLU', (layer, [input], ctx) => {
  const x = ctx.tensor(input!, who(layer));
  const alpha = (cfg(layer).alpha as number) ?? 0.3;
  const twin = input!.kind === 'tensor' ? input!.nhwc : undefined;
  if (!twin) return { ...x, name: ctx.b.op('LeakyRelu', [x.name], layer.name, { alpha: { float: alpha } }) };
  // After CLADE: stay channels-last, so the Transpose back lands right before the next conv.
  const y = ctx.b.op('LeakyRelu', [twin], layer.name, { alpha: { float: alpha } });
  return { ...x, name: ctx.b.op('Transpose', [y], layer.name, { perm: [0, 3, 1, 2] }), nhwc: y };
});

registerOnnxConverter('ReLU', (layer, [input], ctx) => {
  const x = ctx.tensor(input!, who(layer));
  if (cfg(layer).maxValue != null) throw new NotImplementedError(`${who(layer)}: ReLU with maxValue is not supported by the ONNX exporter.`);
  return { ...x, name: ctx.b.op('Relu', [x.name], layer.name) };
});

registerOnnxConverter('Activation', (layer, [input], ctx) =>
  activation(ctx, ctx.tensor(input!, who(layer)), cfg(layer).activation as string, layer.name, who(layer)),
);

registerOnnxConverter('Add', (layer, inputs, ctx) => {
  const xs = inputs.map((v) => ctx.tensor(v, who(layer)));
  const name = xs.slice(1).reduce((acc, x) => ctx.b.op('Add', [acc, x.name], layer.name), xs[0]!.name);
  return { ...xs[0]!, name };
});

registerOnnxConverter('Concatenate', (layer, inputs, ctx) => {
  const xs = inputs.map((v) => ctx.tensor(v, who(layer)));
  const rank = xs[0]!.dims.length;
  let axis = cfg(layer).axis as number;
  if (axis < 0) axis += rank;
  if (xs.some((x) => x.layout !== xs[0]!.layout)) throw new ShapeError(`${who(layer)}: inputs have different layouts.`);
  // tfjs NHWC axis → NCHW axis.
  const onnxAxis = xs[0]!.layout === 'nchw' ? [0, 2, 3, 1][axis]! : axis;
  const dims = [...xs[0]!.dims];
  const sum = xs.reduce((a, x) => (typeof a === 'number' && typeof x.dims[onnxAxis] === 'number' ? a + (x.dims[onnxAxis] as number) : 'C'), 0 as Dim);
  dims[onnxAxis] = sum;
  return { kind: 'tensor', name: ctx.b.op('Concat', xs.map((x) => x.name), layer.name, { axis: onnxAxis }), dims, layout: xs[0]!.layout };
});

registerOnnxConverter('UpSampling2D', (layer, [input], ctx) => {
  const c = cfg(layer);
  const [sh, sw] = c.size as [number, number];
  if ((c.interpolation ?? 'nearest') !== 'nearest' || (c.dataFormat ?? 'channelsLast') !== 'channelsLast')
    throw new NotImplementedError(`${who(layer)}: only nearest, channelsLast upsampling exports, got ${String(c.interpolation)}, ${String(c.dataFormat)}.`);
  const x = ctx.feature(input!, who(layer));
  // Integer factors: 'asymmetric' + 'floor' reads input floor(j/f), the same pixel tfjs repeats.
  const scales = ctx.b.floats('scales', [1, 1, sh, sw], [4]);
  const y = ctx.b.op('Resize', [x.name, '', scales], layer.name, { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' });
  return nchw(y, x.c, x.h * sh, x.w * sw);
});

registerOnnxConverter('Conv2D', (layer, [input], ctx) => {
  const c = cfg(layer);
  const x = ctx.feature(input!, who(layer));
  const [kh, kw] = c.kernelSize as [number, number];
  const [s1, s2] = c.strides as [number, number];
  const dil = c.dilationRate as number[] | number;
  if ((Array.isArray(dil) ? dil : [dil]).some((d) => d !== 1) || s1 !== s2 || c.dataFormat !== 'channelsLast')
    throw new NotImplementedError(`${who(layer)}: only undilated, square-stride, channelsLast Conv2D exports.`);
  // TF 'same': total padding max((⌈in/s⌉−1)·s + k − in, 0), the smaller half first.
  const padFor = (n: number, k: number) => (c.padding === 'same' ? Math.max((Math.ceil(n / s1) - 1) * s1 + k - n, 0) : 0);
  const ph = padFor(x.h, kh);
  const pw = padFor(x.w, kw);
  const pads = [Math.floor(ph / 2), Math.floor(pw / 2), ph - Math.floor(ph / 2), pw - Math.floor(pw / 2)];
  const bias = c.useBias ? values(layerWeight(layer, 'bias')) : null;
  const y = conv(ctx, x.name, onnxKernel(layerWeight(layer, 'kernel')), bias, layer.name, pads, s1);
  const filters = c.filters as number;
  const out = nchw(y, filters, Math.floor((x.h + ph - kh) / s1) + 1, Math.floor((x.w + pw - kw) / s1) + 1);
  return activation(ctx, out, (c.activation as string) ?? 'linear', `${layer.name}.act`, who(layer));
});

registerOnnxConverter('Dense', (layer, [input], ctx) => {
  const c = cfg(layer);
  const x = ctx.tensor(input!, who(layer));
  if (x.dims.length !== 2) throw new NotImplementedError(`${who(layer)}: only rank-2 Dense inputs export, got ${formatShape(x.dims)}.`);
  const kernel = layerWeight(layer, 'kernel');
  const inputs = [x.name, ctx.b.floats(`${layer.name}.kernel`, values(kernel), kernel.shape as number[])];
  if (c.useBias) inputs.push(ctx.b.floats(`${layer.name}.bias`, values(layerWeight(layer, 'bias')), [c.units as number]));
  const y: TensorValue = { kind: 'tensor', name: ctx.b.op('Gemm', inputs, layer.name), dims: [BATCH_DIM, c.units as number], layout: 'same' };
  return activation(ctx, y, (c.activation as string) ?? 'linear', `${layer.name}.act`, who(layer));
});

registerOnnxConverter('Reshape', (layer, [input], ctx) => {
  const x = ctx.tensor(input!, who(layer));
  if (x.layout !== 'same') throw new NotImplementedError(`${who(layer)}: reshaping an NCHW feature map is not supported; only vectors.`);
  const target = cfg(layer).targetShape as number[];
  // 0 copies the (symbolic) batch size.
  const name = ctx.b.op('Reshape', [x.name, ctx.b.int64s(`${layer.name}.shape`, [0, ...target])], layer.name);
  return { kind: 'tensor', name, dims: [BATCH_DIM, ...target], layout: 'same' };
});

registerOnnxConverter('Permute', (layer, [input], ctx) => {
  const x = ctx.tensor(input!, who(layer));
  const p = [0, ...(cfg(layer).dims as number[])];
  const rank = x.dims.length;
  const logical = (v: TensorValue): number[] => (v.layout === 'nchw' ? [0, 3, 1, 2] : [...Array(rank).keys()]); // ONNX axis → tfjs axis
  const inMap = logical(x);
  const outLayout: TensorValue['layout'] = rank === 4 ? 'nchw' : 'same';
  const outMap = outLayout === 'nchw' ? [0, 3, 1, 2] : [...Array(rank).keys()];
  const perm = outMap.map((la) => inMap.indexOf(p[la]!));
  const dims = perm.map((a) => x.dims[a]!);
  // tfjs [N,C,H,W] → [N,H,W,C] is exactly our NCHW storage: no node at all.
  const name = perm.every((a, i) => a === i) ? x.name : ctx.b.op('Transpose', [x.name], layer.name, { perm });
  return { kind: 'tensor', name, dims, layout: outLayout };
});

/** Makes sure the registrations above ran (importing this module is enough). */
export function builtinConverters(): void {}
export type { SemanticValue };
