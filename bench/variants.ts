import type { GeneratorConfig, NormMode } from '@clade/spade-gen';

/**
 * The generator variants the speed benches compare (paper Tables II–IV, VI): the three norms, a
 * SPADE with its hidden width cut to 16 so its MACs come near CLADE's (Table IV's SPADE-light:
 * 59.8 G at ADE20K 256², ngf 64, vs the paper's 58.0), and SPADE in ResBlks 1–4 + CLADE in 5–7
 * (Table VI's S(1-4)+C(5-7)).
 */
export const VARIANTS = ['spade', 'clade', 'cladeIcpe', 'spadeLight', 'mixed'] as const;
export type Variant = (typeof VARIANTS)[number];

const MIXED: NormMode[] = ['spade', 'spade', 'spade', 'spade', 'clade', 'clade', 'clade'];

/** The generator config fields of a variant (on top of the bench's dataset, ngf and size). */
export function variantConfig(v: Variant): Partial<GeneratorConfig> {
  if (v === 'spadeLight') return { normMode: 'spade', spadeHiddenNc: 16 };
  if (v === 'mixed') return { normMode: 'clade', normPerBlock: MIXED };
  return { normMode: v };
}

/** The same variant for bench/torch/generator.py. */
export function variantTorchArgs(v: Variant): string[] {
  if (v === 'spadeLight') return ['--norm', 'spade', '--hidden', '16'];
  if (v === 'mixed') return ['--norm', 'clade', '--per-block', MIXED.join(',')];
  return ['--norm', v];
}

/** Whether the variant reads the positional map (CLADE-ICPE). */
export const usesDist = (v: Variant): boolean => v === 'cladeIcpe';

/** `--norms a,b` (default `fallback`), validated: one line naming the flag, value and choices. */
export function parseVariants(flag: string | undefined, fallback: readonly Variant[]): Variant[] {
  if (!flag) return [...fallback];
  const list = flag.split(',').filter(Boolean);
  for (const v of list)
    if (!(VARIANTS as readonly string[]).includes(v)) throw new Error(`bench: --norms takes ${VARIANTS.join(', ')}, got '${v}'.`);
  return list as Variant[];
}
