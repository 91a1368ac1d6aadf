import { ConfigError, ShapeError, type GroupConv2D } from '@clade/core';
import { BATCH_DIM, ExportContext, layerWeight, registerOnnxConverter, values, type SemanticValue, type TensorValue, type Value } from './convert';
import { cfg, conv, nchw, onnxKernel, spadeModulation, who } from './converters';

/*
 * Converters of GroupDNet's layers, registered by tfjs class name as converters.ts does for
 * SPADE/CLADE: core's GroupConv2D (PyTorch Conv2d(groups), ONNX Conv's `group`), GroupDNet's
 * GroupSPADE (SPADE with grouped convs) and GroupDNetSegLayout (what the norms read of the
 * segmap). GroupDNet-CLADE's norms are core's CLADE (converters.ts). Read through getConfig and
 * the official weight names only, so this package needs no dependency on @clade/groupdnet.
 */

/** GroupConv2D: one grouped Conv; the eval kernel (spectral: weight_orig / σ with the stored u, v). */
registerOnnxConverter('GroupConv2D', (layer, [input], ctx) => {
  const l = layer as GroupConv2D;
  const x = ctx.feature(input!, who(l));
  const p = l.padding;
  const out = (d: number) => Math.floor((d + 2 * p - l.kernelSize) / l.strides) + 1;
  const bias = l.useBias ? values(layerWeight(l, 'bias')) : null;
  const y = conv(ctx, x.name, onnxKernel(l.effectiveKernel(false)), bias, l.name, [p, p, p, p], l.strides, l.groups);
  return nchw(y, l.filters, out(x.h), out(x.w));
});

/** The segmap a GroupSPADE reads, NCHW at (h, w): a semantic input's one-hot, or a laid-out map resized (nearest). */
function segAt(ctx: ExportContext, seg: Value, h: number, w: number, name: string): { name: string; c: number } {
  if (seg.kind === 'semantic') {
    const s = ExportContext.resizeSemantic(seg, h, w);
    return { name: ctx.oneHot(s, name), c: s.src.numClasses + (s.src.edge ? 1 : 0) };
  }
  const t = ctx.feature(seg, name);
  return { name: ctx.resizeFeature(t, h, w), c: t.c };
}

/** GroupSPADE: SPADE's modulation with grouped mlp_shared / mlp_gamma / mlp_beta. */
registerOnnxConverter('GroupSPADE', (layer, [input, seg], ctx) => {
  const c = cfg(layer) as { semanticNc: number; sharedGroups: number; groups: number; epsilon: number };
  const x = ctx.feature(input!, who(layer));
  const m = segAt(ctx, seg!, x.h, x.w, who(layer));
  if (m.c !== c.semanticNc) throw new ShapeError(`${who(layer)}: its segmap has ${m.c} channels, the layer was built for ${c.semanticNc}.`);
  return spadeModulation(ctx, layer, x, m.name, { kernelSize: 3, epsilon: c.epsilon, sharedGroups: c.sharedGroups, groups: c.groups });
});

/**
 * [c₀, e, c₁, e, …] of a semantic map (edge last in tfjs), NCHW [N,2K,H,W]: the one-hot classes and
 * the edge broadcast to K channels, stacked on a new axis after the class axis, then merged.
 */
function interleaveEdge(ctx: ExportContext, v: SemanticValue, w: string): TensorValue {
  const k = v.src.numClasses;
  const [h, wd] = [v.rows.length, v.cols.length];
  const name = `semantic.${h}x${wd}.interleave`;
  const classes = ctx.oneHot({ ...v, src: { ...v.src, edge: null } }, w);
  const axis2 = ctx.b.int64s('axis2', [2]);
  // Concat needs equal dims: the edge [N,1,1,H,W] is tiled to the K classes.
  const tiled = ctx.b.op('Tile', [ctx.b.op('Unsqueeze', [ctx.edge(v, w), axis2], name), ctx.b.int64s(`${name}.tile`, [1, k, 1, 1, 1])], name);
  const stacked = ctx.b.op('Concat', [ctx.b.op('Unsqueeze', [classes, axis2], name), tiled], name, { axis: 2 });
  const merged = ctx.b.op('Reshape', [stacked, ctx.b.int64s(`${name}.shape`, [0, 2 * k, h, wd])], name);
  return { kind: 'tensor', name: merged, dims: [BATCH_DIM, 2 * k, h, wd], layout: 'nchw' };
}

/** GroupDNetSegLayout: 'dropEdge' keeps the semantic map without its edge; 'interleaveEdge' materialises the pairs. */
registerOnnxConverter('GroupDNetSegLayout', (layer, [input], ctx) => {
  const layout = cfg(layer).layout as string;
  if (input!.kind !== 'semantic')
    throw new ConfigError(`${who(layer)}: the segmap must be exported as a semantic input (label + edge), got a plain tensor.`);
  if (!input!.src.edge) throw new ConfigError(`${who(layer)}: layout '${layout}' needs the edge input (export with edge: true).`);
  if (layout === 'dropEdge') return { ...input!, src: { ...input!.src, edge: null } };
  if (layout === 'interleaveEdge') return interleaveEdge(ctx, input!, who(layer));
  throw new ConfigError(`${who(layer)}: layout must be dropEdge or interleaveEdge, got '${layout}'.`);
});

/** Makes sure the registrations above ran (importing this module is enough). */
export function groupdnetConverters(): void {}
