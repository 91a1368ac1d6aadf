import { cladeCost, convCost, type LayerCost } from '@clade/core';
import { sumCosts } from '@clade/core/internal';
import type { Split } from '@clade/spade-gen';
import { numClassesOf, resolveGroupDNetConfig, type ConfigInput } from './config';
import { groupdnetPlan, type GroupSpadePlan } from './plan';

// The same split as spade-gen's generatorCost.
export type { Split };

/**
 * Whole-generator cost, in the conventions of @clade/core's cost model and spade-gen's
 * `generatorCost`: `params` counts trainable scalars as PyTorch does (buffers excluded; ADE20K's
 * built-but-unused up_4 is counted, as in the state dict); `macs` is thop style (one per
 * multiply-add, k²·(Cin/g)·Cout per output pixel of a grouped conv, plus one per output of a
 * biased conv; SPADE's x̂·(1+γ)+β as 3 per element, CLADE's as 2; activations, upsampling and
 * residual adds not counted). `flops` is `macs`: the papers' "FLOPs" are MACs (this convention
 * reproduces the CLADE paper's Table I and VIII figures).
 */
export interface GroupDNetCost {
  params: Split;
  macs: Split;
  flops: Split;
  /** Parameters of blocks that are built but never run (ADE20K's up_4; our generator omits them). */
  unusedParams: number;
}

/** A grouped conv: convCost over one group's input channels (thop counts k²·Cin/g per output). */
function groupConvCost(cin: number, cout: number, groups: number, k: number, height: number, width: number, bias = true): LayerCost {
  return convCost({ cin: cin / groups, cout, kernelSize: k, height, width, bias });
}

/** GROUP_SPADE: three biased grouped 3×3 convs and x̂·(1+γ)+β. */
function groupSpadeCost(n: GroupSpadePlan, normNc: number, height: number, width: number): LayerCost {
  const shared = groupConvCost(n.segNc, n.hiddenNc, n.sharedGroups, 3, height, width);
  const gamma = groupConvCost(n.hiddenNc, normNc, n.groups, 3, height, width);
  const modulate = 3 * normNc * height * width;
  return { params: shared.params + 2 * gamma.params, macs: shared.macs + 2 * gamma.macs + modulate, paperParams: 0, paperFlops: 0 };
}

export function groupdnetCost(config: ConfigInput): GroupDNetCost {
  const c = resolveGroupDNetConfig(config);
  const plan = groupdnetPlan(c);
  const k = numClassesOf(c);
  let backbone = groupConvCost(plan.fc.cin, plan.fc.cout, plan.fc.groups, 3, plan.sh, plan.sw);
  let norm = sumCosts();
  let unusedParams = 0;
  for (const b of plan.blocks) {
    const before = backbone.params + norm.params;
    // An unused block costs parameters but no operations.
    const live = (x: LayerCost): LayerCost => (b.used ? x : { ...x, macs: 0 });
    const { height, width, groups: g } = b;
    const normOf = (nc: number) =>
      c.normMode === 'groupSpade' ? groupSpadeCost(b.norm, nc, height, width) : cladeCost({ numClasses: k, normNc: nc, height, width });
    for (const nc of [b.fin, b.fmid, ...(b.learnedShortcut ? [b.fin] : [])]) norm = sumCosts(norm, live(normOf(nc)));
    backbone = sumCosts(backbone, live(groupConvCost(b.fin, b.fmid, g, 3, height, width)));
    backbone = sumCosts(backbone, live(groupConvCost(b.fmid, b.fout, g, 3, height, width)));
    if (b.learnedShortcut) backbone = sumCosts(backbone, live(groupConvCost(b.fin, b.fout, g, 1, height, width, false)));
    if (!b.used) unusedParams += backbone.params + norm.params - before;
  }
  const last = plan.blocks.filter((b) => b.used).at(-1)!;
  backbone = sumCosts(backbone, convCost({ cin: plan.convImgNc, cout: 3, kernelSize: 3, height: last.height, width: last.width }));
  const split = (key: 'params' | 'macs'): Split => ({ total: backbone[key] + norm[key], backbone: backbone[key], norm: norm[key] });
  return { params: split('params'), macs: split('macs'), flops: split('macs'), unusedParams };
}
