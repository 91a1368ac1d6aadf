import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, ShapeError } from '@clade/core';
import { BATCH_DIM, ExportContext, registerOnnxConverter, values, type TensorValue } from './convert';
import { cfg, conv, instanceNorm, nchw, onnxKernel, who } from './converters';

/*
 * The converter of SEAN's ACE layer (semantic region-adaptive normalisation), registered by its
 * tfjs class name; read through getConfig and the official weight names only (no dependency on
 * @clade/sean). Per ACE, one extra graph input `<layer>.noise` [N,1,h,w] carries the per-pixel
 * noise r: ONNX's RandomNormal cannot reproduce tfjs' seeded stream, so the runner feeds the very
 * draw ACE.noiseMap makes (zeros for noise 'none').
 */

type Feature = TensorValue & { c: number; h: number; w: number };

/** A weight by its exact name inside the layer: ACE holds two `param_free_norm/…` (its own and its SPADE branch's). */
function own(layer: tfl.layers.Layer, name: string): tf.Tensor {
  const w = layer.weights.find((v) => v.originalName === `${layer.name}/${name}`);
  if (!w) throw new ConfigError(`${who(layer)}: no weight '${name}' (has ${layer.weights.map((v) => v.originalName).join(', ')}).`);
  return w.read();
}

const PADS1 = [1, 1, 1, 1];

/** A 3×3 conv of the layer's weights `<prefix>/weight`, `<prefix>/bias` (tfjs 'same' at stride 1 = symmetric 1). */
function conv3(ctx: ExportContext, l: tfl.layers.Layer, x: string, prefix: string): string {
  return conv(ctx, x, onnxKernel(own(l, `${prefix}/weight`)), values(own(l, `${prefix}/bias`)), `${l.name}.${prefix.replace(/\//g, '.')}`, PADS1);
}

/** x + r·noise_var (r: the layer's noise input, one value per pixel, scaled per channel). */
function addNoise(ctx: ExportContext, l: tfl.layers.Layer, x: Feature): string {
  const r = ctx.b.input({ name: `${l.name}.noise`, elemType: 'FLOAT', dims: [BATCH_DIM, 1, x.h, x.w], doc: 'ACE per-pixel noise N(0,1)' });
  const scale = ctx.b.floats(`${l.name}.noise_var`, values(own(l, 'noise_var')), [x.c, 1, 1]);
  return ctx.b.op('Add', [x.name, ctx.b.op('Mul', [r, scale], `${l.name}.noise`)], `${l.name}.noise`);
}

/** The param-free norm: eval batch norm with the layer's own running statistics, or instance norm. */
function paramFree(ctx: ExportContext, l: tfl.layers.Layer, x: string, c: number): string {
  const { paramFreeNorm, epsilon } = cfg(l) as { paramFreeNorm: string; epsilon: number };
  if (paramFreeNorm === 'instance') return instanceNorm(ctx, x, c, epsilon, `${l.name}.param_free_norm`);
  const f = (n: string, a: Float32Array) => ctx.b.floats(`${l.name}.param_free_norm.${n}`, a, [c]);
  const stats = [
    f('scale', new Float32Array(c).fill(1)),
    f('bias', new Float32Array(c)),
    f('mean', values(own(l, 'param_free_norm/running_mean'))),
    f('var', values(own(l, 'param_free_norm/running_var'))),
  ];
  return ctx.b.op('BatchNormalization', [x, ...stats], `${l.name}.param_free_norm`, { epsilon: { float: epsilon } });
}

/** γ_o, β_o of the class branch, NCHW: SPADE's convs of the one-hot map, or CLADE's table rows. */
function classGammaBeta(ctx: ExportContext, l: tfl.layers.Layer, seg: ReturnType<typeof ExportContext.resizeSemantic>, x: Feature): [string, string] {
  if ((cfg(l).classBranch as string) === 'spade') {
    const actv = ctx.b.op('Relu', [conv3(ctx, l, ctx.oneHot(seg, who(l)), 'Spade/mlp_shared/0')], `${l.name}.Spade.mlp_shared`);
    return [conv3(ctx, l, actv, 'Spade/mlp_gamma'), conv3(ctx, l, actv, 'Spade/mlp_beta')];
  }
  const labels = ctx.labels(seg);
  const k = seg.src.numClasses;
  const rows = (n: string) => {
    const table = ctx.b.floats(`${l.name}.Clade.${n}`, values(own(l, `Clade/class_specified_affine/${n}`)), [k, x.c]);
    const g = ctx.b.op('Gather', [table, labels], `${l.name}.Clade.${n}`, { axis: 0 }); // [N,h,w,C]
    return ctx.b.op('Transpose', [g], `${l.name}.Clade.${n}`, { perm: [0, 3, 1, 2] });
  };
  return [rows('weight'), rows('bias')];
}

/**
 * The style map P [N,S,h,w]: mu = ReLU(codes[j]·W_j + b_j) per class (one batched MatMul over the
 * stacked fc_mu kernels), then each pixel takes its class's row (one-hot masks × mu, exact).
 */
function styleMap(ctx: ExportContext, l: tfl.layers.Layer, codes: TensorValue, masks: string, k: number, s: number, h: number, w: number): string {
  const n = `${l.name}.style`;
  const kernels = new Float32Array(k * s * s);
  const biases = new Float32Array(k * s);
  for (let j = 0; j < k; j++) {
    kernels.set(values(own(l, `fc_mu${j}/weight`)), j * s * s);
    biases.set(values(own(l, `fc_mu${j}/bias`)), j * s);
  }
  const axis2 = ctx.b.int64s('axis2', [2]);
  const proj = ctx.b.op('MatMul', [ctx.b.op('Unsqueeze', [codes.name, axis2], n), ctx.b.floats(`${l.name}.fc_mu.weight`, kernels, [k, s, s])], n);
  const mu = ctx.b.op('Relu', [ctx.b.op('Add', [ctx.b.op('Squeeze', [proj, axis2], n), ctx.b.floats(`${l.name}.fc_mu.bias`, biases, [k, s])], n)], n);
  const flat = ctx.b.op('Reshape', [masks, ctx.b.int64s(`flat${k}x${h * w}`, [0, k, h * w])], n);
  const p = ctx.b.op('MatMul', [ctx.b.op('Transpose', [mu], n, { perm: [0, 2, 1] }), flat], n); // [N,S,h·w]
  return ctx.b.op('Reshape', [p, ctx.b.int64s(`nchw${s}x${h}x${w}`, [0, s, h, w])], n);
}

/** α·a + (1 − α)·b with α = σ(blend) computed by tfjs (the same float32 as its forward). */
function blend(ctx: ExportContext, l: tfl.layers.Layer, which: string, a: string, b: string): string {
  const alpha = tf.sigmoid(own(l, which));
  const f = (t: tf.Tensor, n: string) => ctx.b.floats(`${l.name}.${which}.${n}`, values(t), [1]);
  const n = `${l.name}.${which}`;
  return ctx.b.op('Add', [ctx.b.op('Mul', [a, f(alpha, 'alpha')], n), ctx.b.op('Mul', [b, f(tf.sub(1, alpha), 'one_minus_alpha')], n)], n);
}

/** ACE: out = norm(x + r·noise_var)·(1 + γ) + β, γ/β the class branch blended with the style branch. */
registerOnnxConverter('ACE', (layer, [input, seg, codes], ctx) => {
  const { numClasses: k, styleLength: s, useStyle } = cfg(layer) as { numClasses: number; styleLength: number; useStyle: boolean };
  const x = ctx.feature(input!, who(layer));
  if (seg!.kind !== 'semantic') throw new ConfigError(`${who(layer)}: its segmap must be exported as a semantic input (label map), got a plain tensor.`);
  if (seg!.src.numClasses !== k || seg!.src.edge) throw new ShapeError(`${who(layer)}: needs a semantic input of ${k} classes and no edge.`);
  const m = ExportContext.resizeSemantic(seg!, x.h, x.w);
  const xn = paramFree(ctx, layer, addNoise(ctx, layer, x), x.c);
  let [gamma, beta] = classGammaBeta(ctx, layer, m, x);
  if (useStyle) {
    const c = ctx.tensor(codes!, who(layer));
    if (c.dims.length !== 3 || c.dims[1] !== k || c.dims[2] !== s) throw new ShapeError(`${who(layer)}: codes must be [N,${k},${s}].`);
    const p = styleMap(ctx, layer, c, ctx.oneHot(m, who(layer)), k, s, x.h, x.w);
    gamma = blend(ctx, layer, 'blending_gamma', conv3(ctx, layer, p, 'conv_gamma'), gamma);
    beta = blend(ctx, layer, 'blending_beta', conv3(ctx, layer, p, 'conv_beta'), beta);
  }
  const one = ctx.b.floats('one', [1], [1]);
  const out = ctx.b.op('Add', [ctx.b.op('Mul', [xn, ctx.b.op('Add', [gamma, one], layer.name)], layer.name), beta], layer.name);
  return nchw(out, x.c, x.h, x.w);
});

/** Makes sure the registration above ran (importing this module is enough). */
export function seanConverters(): void {}
