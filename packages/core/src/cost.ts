/**
 * Parameter and FLOP counts of the normalization layers, exact and as the CLADE paper's
 * equations (3)–(11), (16)–(17) count them.
 *
 * Conventions (one for the whole project):
 * - `params`: every trainable scalar (biases included; running statistics are buffers, not counted).
 * - `macs`: multiply-accumulates, thop style: k²·Cin·Cout per conv output pixel, plus one per
 *   output element of a biased conv; an elementwise multiply or add counts as one.
 *   FLOPs = 2 × MACs where a figure in "FLOPs" of the hardware kind is wanted.
 * - `paperParams` / `paperFlops`: the paper's formulas (no biases; the paper's "FLOPs" are MACs
 *   for convs, and it counts CLADE's value assignment as one operation per element).
 */
export interface LayerCost {
  params: number;
  macs: number;
  paperParams: number;
  paperFlops: number;
}

/** Layer costs added field by field (none: all zero): a network's total, or one part of it. */
export function sumCosts(...costs: LayerCost[]): LayerCost {
  const total: LayerCost = { params: 0, macs: 0, paperParams: 0, paperFlops: 0 };
  for (const c of costs) {
    total.params += c.params;
    total.macs += c.macs;
    total.paperParams += c.paperParams;
    total.paperFlops += c.paperFlops;
  }
  return total;
}

export interface ConvCostArgs {
  cin: number;
  cout: number;
  kernelSize: number;
  /** Output size. */
  height: number;
  width: number;
  bias?: boolean;
}

/** A stride-1 conv: Eq. (3) and (6). */
export function convCost({ cin, cout, kernelSize: k, height, width, bias = true }: ConvCostArgs): LayerCost {
  const weights = k * k * cin * cout;
  const hw = height * width;
  return {
    params: weights + (bias ? cout : 0),
    macs: weights * hw + (bias ? cout * hw : 0),
    paperParams: weights,
    paperFlops: weights * hw,
  };
}

export interface SpadeCostArgs {
  /** Channels of the segmap S (N_c in the paper). */
  semanticNc: number;
  /** Channels of x (C_in of the following conv). */
  normNc: number;
  /** Feature size H×W. */
  height: number;
  width: number;
  /** C_m, default 128. */
  hiddenNc?: number;
  /** k_m, default 3. */
  kernelSize?: number;
}

/** SPADE: Eq. (4) and (7), and the exact count (3 biased convs + x̂·(1+γ)+β). */
export function spadeCost({ semanticNc: s, normNc: c, height, width, hiddenNc: cm = 128, kernelSize: k = 3 }: SpadeCostArgs): LayerCost {
  const hw = height * width;
  const shared = convCost({ cin: s, cout: cm, kernelSize: k, height, width });
  const gamma = convCost({ cin: cm, cout: c, kernelSize: k, height, width });
  const modulate = 3 * c * hw; // 1 + γ, ·, + β
  return {
    params: shared.params + 2 * gamma.params,
    macs: shared.macs + 2 * gamma.macs + modulate,
    paperParams: k * k * (s * cm + 2 * cm * c),
    paperFlops: k * k * (s * cm + 2 * cm * c) * hw,
  };
}

export interface CladeCostArgs {
  /** Table rows K (N_c in the paper). */
  numClasses: number;
  /** Channels of x (C_in). */
  normNc: number;
  height: number;
  width: number;
  /** Edge 1×1 conv present. */
  useInstance?: boolean;
  /** CLADE-ICPE's two 2→1 1×1 convs present. */
  icpe?: boolean;
}

/** CLADE: Eq. (8)–(9); CLADE-ICPE per Eq. (16)–(17). */
export function cladeCost({ numClasses: k, normNc: c, height, width, useInstance = false, icpe = false }: CladeCostArgs): LayerCost {
  const hw = height * width;
  const edge = useInstance ? 2 : 0;
  const icpeParams = icpe ? 6 : 0;
  // ICPE: two 1×1 convs 2→1 (2 MACs + bias each), two "1 +", two products with the tables.
  const icpeMacs = icpe ? (2 * 3 + 2) * hw + 2 * c * hw : 0;
  return {
    params: 2 * k * c + edge + icpeParams,
    macs: 2 * c * hw + (useInstance ? 2 * hw : 0) + icpeMacs,
    paperParams: 2 * k * c + (icpe ? 4 : 0),
    paperFlops: icpe ? (4 * c + 4) * hw : 2 * c * hw,
  };
}
