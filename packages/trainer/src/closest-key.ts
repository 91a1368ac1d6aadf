/**
 * Edit distance for "did you mean" hints on config keys. Optimal string alignment (restricted
 * Damerau–Levenshtein): insertions, deletions, substitutions and swaps of two adjacent characters
 * cost 1, since a swap ('maxIteartions') is as common a typo as a missing letter.
 */
export function editDistance(a: string, b: string): number {
  // rows[i][j]: distance between a's first i and b's first j characters.
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  return rows[a.length]![b.length]!;
}

/**
 * Edits that still read as a typo of a key this long: 1 up to 3 characters (two edits turn 'lr'
 * into any two letters), then 2, then a third of the length for long keys, where a third
 * still leaves most of the word ('inceptionWeight' → 'inceptionWeights').
 */
export function typoBudget(length: number): number {
  return length <= 3 ? 1 : Math.max(2, Math.floor(length / 3));
}

/**
 * The known key closest to `key`, or null when none is within its typo budget. Case is ignored
 * when measuring ('labelnc' → 'labelNc'); ties go to the first in `known`.
 */
export function closestKey(key: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d <= typoBudget(candidate.length) && d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}
