import { IOError } from '@clade/core';

/** One sample on disk. Paths are absolute or relative to the working directory, as listed. */
export interface SamplePair {
  /** Stable sample id (the pairing key: a file stem, or city_seq_frame for Cityscapes). */
  id: string;
  /** Label map PNG (raw class ids). */
  label: string;
  /** Photo; absent only when a listing was asked not to require images (label-only test sets). */
  image?: string;
  /** Instance map PNG, when the dataset uses instances. */
  instance?: string;
}

/** A sample left out of a listing, and why. */
export interface SkippedSample {
  id: string;
  reason: string;
}

/** The deterministic result of listing a dataset: pairs sorted by id. */
export interface DatasetListing {
  pairs: SamplePair[];
  /** Only non-empty with `skipMissing`: samples that lacked a partner file. */
  skipped: SkippedSample[];
}

export interface PairingOptions {
  /** Skip (and report in `skipped`) samples with a missing partner instead of throwing. Default false. */
  skipMissing?: boolean;
  /** Whether every label needs an image. Default true; false for label-only test sets. */
  requireImages?: boolean;
}

/** Files keyed by sample id; duplicate ids are an error naming both files. */
export function keyFiles(files: readonly string[], keyOf: (f: string) => string, what: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const f of files) {
    const k = keyOf(f);
    const prev = m.get(k);
    if (prev !== undefined) throw new IOError(`${what}: two files share the sample id '${k}': '${prev}' and '${f}'.`);
    m.set(k, f);
  }
  return m;
}

const list = (ids: string[]) => `${ids.slice(0, 5).join(', ')}${ids.length > 5 ? `, … (${ids.length} in all)` : ''}`;

/**
 * Joins labels with images (and instances when `instances` is given) on their ids. Every label
 * needs an image (unless `requireImages` is false) and, when instances are used, an instance map;
 * every image needs a label. Mismatches throw an IOError listing the ids, or with `skipMissing`
 * are left out and reported. Pairs come sorted by id (code point order).
 */
export function joinPairs(
  what: string,
  labels: Map<string, string>,
  images: Map<string, string>,
  instances: Map<string, string> | null,
  options: PairingOptions = {},
): DatasetListing {
  const { skipMissing = false, requireImages = true } = options;
  const problems: Array<{ id: string; reason: string }> = [];
  const pairs: SamplePair[] = [];
  for (const id of [...labels.keys()].sort()) {
    const image = images.get(id);
    const instance = instances?.get(id);
    if (image === undefined && requireImages) problems.push({ id, reason: 'no image' });
    else if (instances && instance === undefined) problems.push({ id, reason: 'no instance map' });
    else pairs.push({ id, label: labels.get(id)!, ...(image && { image }), ...(instance && { instance }) });
  }
  for (const id of [...images.keys()].sort()) if (!labels.has(id)) problems.push({ id, reason: 'no label' });
  if (problems.length > 0 && !skipMissing) {
    const byReason = new Map<string, string[]>();
    for (const p of problems) byReason.set(p.reason, [...(byReason.get(p.reason) ?? []), p.id]);
    const parts = [...byReason].map(([r, ids]) => `${ids.length} with ${r} (${list(ids)})`);
    throw new IOError(`${what}: unpaired samples: ${parts.join('; ')}. Pass skipMissing to skip them.`);
  }
  return { pairs, skipped: problems };
}
