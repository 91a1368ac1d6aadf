import { ADE20K_CLASS_NAMES, ADE20K_PALETTE, SYNTH_CLASSES } from '@clade/data';

/** One paintable class: its raw ADE20K value, name and SPADE colour. */
export interface ClassInfo {
  readonly id: number;
  readonly name: string;
  readonly rgb: readonly [number, number, number];
  /** In the bundled model's training data (the synthetic outdoor scenes): shown first. */
  readonly featured: boolean;
}

/** The largest raw ADE20K class value (0 = other, 1..150 classes). */
export const MAX_ADE20K_ID = 150;

/** What the eraser paints: ADE20K's "other / unlabelled" value. */
export const ERASE_ID = 0;

// The order the palette shows the synthetic classes in: big areas first.
const FEATURED_ORDER: readonly (keyof typeof SYNTH_CLASSES)[] = [
  'sky', 'tree', 'grass', 'mountain', 'water', 'sea', 'river', 'hill', 'field', 'earth', 'rock', 'sand', 'path', 'plant', 'flower',
];

export function colorOf(id: number): [number, number, number] {
  const c = ADE20K_PALETTE.colors;
  return [c[3 * id]!, c[3 * id + 1]!, c[3 * id + 2]!];
}

/** Every ADE20K class: the synthetic-scene classes first (in FEATURED_ORDER), then the rest by id, 'other' last. */
export function demoClasses(): ClassInfo[] {
  const featuredIds = FEATURED_ORDER.map((n) => SYNTH_CLASSES[n]);
  const featured = new Set<number>(featuredIds);
  const info = (id: number): ClassInfo => ({ id, name: ADE20K_CLASS_NAMES[id]!, rgb: colorOf(id), featured: featured.has(id) });
  const rest: number[] = [];
  for (let id = 1; id <= MAX_ADE20K_ID; id++) if (!featured.has(id)) rest.push(id);
  return [...featuredIds, ...rest, ERASE_ID].map(info);
}

export const rgbKey = (r: number, g: number, b: number): number => (r << 16) | (g << 8) | b;

/** Colour → id for exact matches of the ADE20K/SPADE palette (its 151 colours are distinct). */
export function colorLookup(): Map<number, number> {
  const m = new Map<number, number>();
  for (let id = 0; id <= MAX_ADE20K_ID; id++) {
    const [r, g, b] = colorOf(id);
    m.set(rgbKey(r, g, b), id);
  }
  return m;
}

/** The palette id whose colour is closest (squared RGB distance) to (r, g, b). */
export function nearestColorId(r: number, g: number, b: number): number {
  let best = 0;
  let bestD = Infinity;
  for (let id = 0; id <= MAX_ADE20K_ID; id++) {
    const [pr, pg, pb] = colorOf(id);
    const d = (pr - r) ** 2 + (pg - g) ** 2 + (pb - b) ** 2;
    if (d < bestD) {
      bestD = d;
      best = id;
    }
  }
  return best;
}
