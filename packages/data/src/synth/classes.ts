/**
 * The ADE20K (SceneParsing, 150 classes) ids the synthetic scenes use, as stored in ADE20K label
 * PNGs: raw values, 0 = other, 1..150 = classes (names from `objectInfo150.txt`). ADE20K has no
 * snow or cloud class: snow caps are part of `mountain`, clouds part of `sky`.
 */
export const SYNTH_CLASSES = {
  sky: 3,
  tree: 5,
  grass: 10,
  earth: 14,
  mountain: 17,
  plant: 18,
  water: 22,
  sea: 27,
  field: 30,
  rock: 35,
  sand: 47,
  path: 53,
  river: 61,
  flower: 67,
  hill: 69,
} as const;

export type SynthClassName = keyof typeof SYNTH_CLASSES;

/** ADE20K names (first synonym of objectInfo150.txt) of the ids above, by id. */
export const SYNTH_CLASS_NAMES: Readonly<Record<number, string>> = {
  3: 'sky',
  5: 'tree',
  10: 'grass',
  14: 'earth',
  17: 'mountain',
  18: 'plant',
  22: 'water',
  27: 'sea',
  30: 'field',
  35: 'rock',
  47: 'sand',
  53: 'path',
  61: 'river',
  67: 'flower',
  69: 'hill',
};
