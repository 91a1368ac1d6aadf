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

/**
 * Raw label values → class channel indices, as the official loader computes them (REFERENCE §12.4):
 * raw 255 → labelNc (the dontcare channel), then the ADE20K shift if enabled. Any resulting index
 * ≥ K (= labelNc + dontcare) is an error naming `source`, the raw values and their pixel counts —
 * never an all-zero one-hot row. Returns int32 [H,W].
 */
export function mapLabelValues(raw: LabelMap, spec: LabelSpec, source = '<memory>'): LabelMap<Int32Array> {
  assertPlane(raw, 1, 'mapLabelValues');
  assertLabelSpec(spec, 'mapLabelValues');
  const k = numClassChannels(spec);
  const { labelNc, ade20kLabelShift = false } = spec;
  const out = new Int32Array(raw.data.length);
  const bad = new Map<number, number>();
  for (let i = 0; i < out.length; i++) {
    const v = raw.data[i]!;
    let id = v === UNKNOWN_RAW_VALUE ? labelNc : v;
    if (ade20kLabelShift && v !== UNKNOWN_RAW_VALUE) id = v === 0 ? labelNc : v - 1;
    if (id < 0 || id >= k) bad.set(v, (bad.get(v) ?? 0) + 1);
    out[i] = id;
  }
  if (bad.size > 0) {
    const list = [...bad].sort((a, b) => a[0] - b[0]).slice(0, 8).map(([v, n]) => `${v} (${n} px)`).join(', ');
    const more = bad.size > 8 ? ` and ${bad.size - 8} more values` : '';
    const hint = spec.containDontcare ? '' : ' (no dontcare channel, so raw 255 is out of range too)';
    throw new ConfigError(
      `mapLabelValues: label ids must be in [0, ${k - 1}] for labelNc ${labelNc}${hint}; '${source}' has raw values ${list}${more}.`,
    );
  }
  return { width: raw.width, height: raw.height, data: out };
}
