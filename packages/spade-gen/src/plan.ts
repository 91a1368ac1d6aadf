import { blockNamesOf, blockNormsOf, startSizeOf, type GeneratorConfig, type NormMode } from './config';

/** One SPADEResnetBlock as the official generator lays it out. */
export interface BlockPlan {
  name: string;
  norm: NormMode;
  fin: number;
  fout: number;
  fmid: number;
  learnedShortcut: boolean;
  /** ×2 nearest upsampling right before the block. */
  upsampleBefore: boolean;
  /** Feature size inside the block. */
  height: number;
  width: number;
}

/** The layout of a generator: the input projection size, the blocks and the final width. */
export interface GeneratorPlan {
  sh: number;
  sw: number;
  blocks: BlockPlan[];
  /** Channels into conv_img: ngf (ngf/2 for 'most'). */
  finalNc: number;
}

/** The one place the generator's widths, resolutions and upsampling points are derived. */
export function generatorPlan(c: GeneratorConfig): GeneratorPlan {
  const nf = c.ngf;
  const { sh, sw } = startSizeOf(c);
  const widths: Record<string, [number, number]> = {
    head_0: [16 * nf, 16 * nf],
    G_middle_0: [16 * nf, 16 * nf],
    G_middle_1: [16 * nf, 16 * nf],
    up_0: [16 * nf, 8 * nf],
    up_1: [8 * nf, 4 * nf],
    up_2: [4 * nf, 2 * nf],
    up_3: [2 * nf, nf],
    up_4: [nf, Math.floor(nf / 2)],
  };
  const norms = blockNormsOf(c);
  let h = sh;
  let w = sw;
  const blocks = blockNamesOf(c.numUpsamplingLayers).map((name, i): BlockPlan => {
    // Upsample before G_middle_0, before G_middle_1 only for 'more'/'most', and before every up_k.
    const upsampleBefore =
      name === 'G_middle_0' || name.startsWith('up_') || (name === 'G_middle_1' && c.numUpsamplingLayers !== 'normal');
    if (upsampleBefore) {
      h *= 2;
      w *= 2;
    }
    const [fin, fout] = widths[name]!;
    return { name, norm: norms[i]!, fin, fout, fmid: Math.min(fin, fout), learnedShortcut: fin !== fout, upsampleBefore, height: h, width: w };
  });
  return { sh, sw, blocks, finalNc: c.numUpsamplingLayers === 'most' ? Math.floor(nf / 2) : nf };
}
