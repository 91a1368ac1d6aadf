import { blockNamesOf, presetInfo, type GeneratorConfig, type NormMode, type PresetName } from '@clade/spade-gen';

/** An official state dict as far as config inference needs it: key → PyTorch shape. */
export type OfficialStateShapes = ReadonlyMap<string, { readonly shape: readonly number[] }>;

/** What the caller already knows (e.g. from explicit options), which some inferences depend on. */
export interface KnownGeneratorFields {
  preset: PresetName;
  containDontcare?: boolean;
  labelNc?: number;
  useInstance?: boolean;
}

/**
 * Generator fields read off an official SPADE/CLADE state dict: the norm of each block, ngf, VAE
 * and z size, 'most' upsampling (up_4), SPADE's hidden width and, where it can be told, the
 * instance-edge channel and (custom preset) the label count. 'normal' and 'more' have the same
 * weights, so upsampling otherwise stays the preset's. Fields it cannot tell are left out.
 */
export function inferGeneratorConfig(state: OfficialStateShapes, known: KnownGeneratorFields): Partial<GeneratorConfig> {
  const has = (k: string) => state.has(k);
  const out: Partial<GeneratorConfig> = {};
  const shape = (k: string) => state.get(k)?.shape;
  const head = shape('head_0.conv_0.weight_orig') ?? shape('head_0.conv_0.weight');
  if (head && head[0]! % 16 === 0) out.ngf = head[0]! / 16;
  const fc = shape('fc.weight');
  if (fc?.length === 2) {
    out.useVae = true;
    out.zDim = fc[1]!;
  } else if (fc?.length === 4) out.useVae = false;
  const blocks = blockNamesOf('most').filter((b) => has(`${b}.norm_0.param_free_norm.running_mean`) || has(`${b}.conv_0.bias`));
  if (blocks.includes('up_4')) out.numUpsamplingLayers = 'most';

  const norms = blocks.map((b): NormMode | null => {
    const n = `${b}.norm_0`;
    if (has(`${n}.mlp_shared.0.weight`)) return 'spade';
    if (has(`${n}.class_specified_affine.dist_conv_w.weight`)) return 'cladeIcpe';
    if (has(`${n}.class_specified_affine.weight`)) return 'clade';
    return null;
  });
  if (norms.length >= 7 && norms.every((m) => m !== null)) {
    if (norms.every((m) => m === norms[0])) {
      out.normMode = norms[0]!;
      out.normPerBlock = null;
    } else out.normPerBlock = norms as NormMode[];
  }
  const spadeBlock = blocks.find((_, i) => norms[i] === 'spade');
  const cladeBlock = blocks.find((_, i) => norms[i] === 'clade' || norms[i] === 'cladeIcpe');
  const mlp = spadeBlock ? shape(`${spadeBlock}.norm_0.mlp_shared.0.weight`) : undefined;
  if (mlp) out.spadeHiddenNc = mlp[0]!;

  // Semantic channels S = K + edge; classes K = labelNc + dontcare.
  const s = mlp?.[1] ?? (fc?.length === 4 ? fc[1] : undefined);
  const k = cladeBlock ? shape(`${cladeBlock}.norm_0.class_specified_affine.weight`)?.[0] : undefined;
  let edge: boolean | undefined;
  if (cladeBlock) edge = has(`${cladeBlock}.norm_0.inst_conv.weight`);
  const p = presetInfo(known.preset);
  const dc = (known.containDontcare ?? p.generator.containDontcare) ? 1 : 0;
  if (edge === undefined && s !== undefined) {
    // SPADE only: S = labelNc + dontcare + edge, so the edge shows when labelNc is known.
    const labelNc = p.name === 'custom' ? known.labelNc : p.generator.labelNc;
    const extra = labelNc === undefined ? undefined : s - labelNc - dc;
    if (extra === 0 || extra === 1) edge = extra === 1;
  }
  if (p.name === 'custom' && known.labelNc === undefined) {
    if (k !== undefined) out.labelNc = k - dc;
    else if (s !== undefined) out.labelNc = s - dc - ((edge ?? known.useInstance) ? 1 : 0);
  }
  if (edge !== undefined) out.useInstance = edge;
  if (out.labelNc !== undefined && !(out.labelNc >= 1)) delete out.labelNc;
  return out;
}
