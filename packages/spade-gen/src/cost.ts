import { cladeCost, convCost, spadeCost, type LayerCost } from '@clade/core';
import { sumCosts } from '@clade/core/internal';
import { numClassesOf, resolveGeneratorConfig, semanticNcOf, type GeneratorConfig } from './config';
import { generatorPlan } from './plan';

/** Totals split into the backbone (fc, block convs, conv_img) and the normalization layers. */
export interface Split {
  total: number;
  backbone: number;
  norm: number;
}

/**
 * Whole-generator cost. `params` counts trainable scalars exactly as PyTorch does (buffers
 * excluded). `macs` follows the convention of @clade/core's cost model (thop style: one per
 * multiply-add, one per biased conv output; activations, upsampling and residual adds are not
 * counted). `paperFlops` sums the paper's per-layer formulas. Conv weights that see CLADE's
 * extra edge channel count as backbone.
 */
export interface GeneratorCost {
  params: Split;
  macs: Split;
  paperFlops: Split;
}

export function generatorCost(config: Partial<GeneratorConfig> & { labelNc: number }): GeneratorCost {
  const c = resolveGeneratorConfig(config);
  const plan = generatorPlan(c);
  const s = semanticNcOf(c);
  const k = numClassesOf(c);
  let backbone = sumCosts();
  let norm = sumCosts();

  if (c.useVae) {
    const units = 16 * c.ngf * plan.sh * plan.sw;
    const linear = c.zDim * units;
    backbone = sumCosts(backbone, { params: linear + units, macs: linear + units, paperParams: linear, paperFlops: linear });
  } else {
    backbone = sumCosts(backbone, convCost({ cin: s, cout: 16 * c.ngf, kernelSize: 3, height: plan.sh, width: plan.sw }));
  }

  for (const b of plan.blocks) {
    const { height, width } = b;
    const e = b.norm !== 'spade' && c.useInstance ? 1 : 0;
    const normOf = (normNc: number) =>
      b.norm === 'spade'
        ? spadeCost({ semanticNc: s, normNc, height, width, hiddenNc: c.spadeHiddenNc })
        : cladeCost({ numClasses: k, normNc, height, width, useInstance: c.useInstance, icpe: b.norm === 'cladeIcpe' });
    norm = sumCosts(norm, normOf(b.fin));
    norm = sumCosts(norm, normOf(b.fmid));
    backbone = sumCosts(backbone, convCost({ cin: b.fin + e, cout: b.fmid, kernelSize: 3, height, width }));
    backbone = sumCosts(backbone, convCost({ cin: b.fmid + e, cout: b.fout, kernelSize: 3, height, width }));
    if (b.learnedShortcut) {
      norm = sumCosts(norm, normOf(b.fin));
      backbone = sumCosts(backbone, convCost({ cin: b.fin + e, cout: b.fout, kernelSize: 1, height, width, bias: false }));
    }
  }
  const last = plan.blocks[plan.blocks.length - 1]!;
  backbone = sumCosts(backbone, convCost({ cin: plan.finalNc, cout: 3, kernelSize: 3, height: last.height, width: last.width }));

  const split = (key: keyof LayerCost): Split => ({ total: backbone[key] + norm[key], backbone: backbone[key], norm: norm[key] });
  return { params: split('params'), macs: split('macs'), paperFlops: split('paperFlops') };
}
