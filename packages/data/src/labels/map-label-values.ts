import { ConfigError } from '@clade/core';
import { assertPlane, type LabelMap } from '../planes';
import { assertLabelSpec, numClassChannels, UNKNOWN_RAW_VALUE, type LabelSpec } from './label-spec';

/** Per raw value, how many pixels carry it (ascending by value). */
export function labelHistogram(map: LabelMap): Map<number, number> {
  if (!(map.data instanceof Int32Array)) {
    const bins = new Float64Array(map.data instanceof Uint8Array ? 256 : 65536);
    for (const v of map.data) bins[v]!++;
    const out = new Map<number, number>();
    bins.forEach((n, v) => n > 0 && out.set(v, n));
    return out;
  }
  const counts = new Map<number, number>();
  for (const v of map.data) counts.set(v, (counts.get(v) ?? 0) + 1);
  return new Map([...counts].sort((a, b) => a[0] - b[0]));
}

/** Index of raw value `v` under `spec` (may be out of range; `checkLabelValues` reports that). */
function classIndex(v: number, spec: LabelSpec): number {
  if (v === UNKNOWN_RAW_VALUE) return spec.labelNc;
  if (spec.ade20kLabelShift) return v === 0 ? spec.labelNc : v - 1;
  return v;
}

/**
 * The raw values of `raw` that map outside [0, K) under `spec` (K = labelNc + dontcare), with their
 * pixel counts, ascending by value; `histogram` may be passed when already computed.
 */
export function outOfRangeValues(raw: LabelMap, spec: LabelSpec, histogram?: Map<number, number>): Array<[value: number, pixels: number]> {
  assertPlane(raw, 1, 'checkLabelValues');
  assertLabelSpec(spec, 'checkLabelValues');
  const k = numClassChannels(spec);
  return [...(histogram ?? labelHistogram(raw))].filter(([v]) => {
    const id = classIndex(v, spec);
    return id < 0 || id >= k;
  });
}

/**
 * Throws a ConfigError naming `source`, the offending raw values and their pixel counts when any
 * raw value maps outside [0, K) (K = labelNc + dontcare) — never an all-zero one-hot row.
 */
export function checkLabelValues(raw: LabelMap, spec: LabelSpec, source = '<memory>'): void {
  const bad = outOfRangeValues(raw, spec);
  if (bad.length === 0) return;
  const k = numClassChannels(spec);
  const list = bad.slice(0, 8).map(([v, n]) => `${v} (${n} px)`).join(', ');
  const more = bad.length > 8 ? ` and ${bad.length - 8} more values` : '';
  const hint = spec.containDontcare ? '' : ' (no dontcare channel, so raw 255 is out of range too)';
  throw new ConfigError(
    `mapLabelValues: label ids must be in [0, ${k - 1}] for labelNc ${spec.labelNc}${hint}; '${source}' has raw values ${list}${more}.`,
  );
}

/**
 * Raw label values → class channel indices, as the official loader computes them (REFERENCE §12.4):
 * raw 255 → labelNc (the dontcare channel), then the ADE20K shift if enabled. Out-of-range ids
 * throw (see `checkLabelValues`). Returns int32 [H,W].
 */
export function mapLabelValues(raw: LabelMap, spec: LabelSpec, source = '<memory>'): LabelMap<Int32Array> {
  checkLabelValues(raw, spec, source);
  const out = new Int32Array(raw.data.length);
  if (raw.data instanceof Int32Array) {
    for (let i = 0; i < out.length; i++) out[i] = classIndex(raw.data[i]!, spec);
  } else {
    const lut = new Int32Array(raw.data instanceof Uint8Array ? 256 : 65536);
    for (let v = 0; v < lut.length; v++) lut[v] = classIndex(v, spec);
    for (let i = 0; i < out.length; i++) out[i] = lut[raw.data[i]!]!;
  }
  return { width: raw.width, height: raw.height, data: out };
}
