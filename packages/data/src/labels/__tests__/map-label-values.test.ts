import { ConfigError } from '@clade/core';
import { labelHistogram, mapLabelValues, numClassChannels } from '../../index';

const map = (vals: number[]) => ({ width: vals.length, height: 1, data: Uint8Array.from(vals) });

describe('mapLabelValues (REFERENCE §12.4, §13)', () => {
  it('COCO-Stuff: 255 → 182 (dontcare), 0..181 unchanged', () => {
    const out = mapLabelValues(map([0, 181, 255, 7]), { labelNc: 182, containDontcare: true });
    expect(Array.from(out.data)).toEqual([0, 181, 182, 7]);
    expect(numClassChannels({ labelNc: 182, containDontcare: true })).toBe(183);
  });

  it('ADE20K faithful (default): channel = raw value; with the shift: raw − 1, raw 0 → 150', () => {
    const spec = { labelNc: 150, containDontcare: true };
    expect(Array.from(mapLabelValues(map([0, 1, 150]), spec).data)).toEqual([0, 1, 150]);
    expect(Array.from(mapLabelValues(map([0, 1, 150]), { ...spec, ade20kLabelShift: true }).data)).toEqual([150, 0, 149]);
  });

  it('without dontcare, 255 and ids ≥ labelNc are errors naming the file, ids and pixel counts', () => {
    const spec = { labelNc: 35, containDontcare: false };
    expect(Array.from(mapLabelValues(map([0, 33, 34]), spec).data)).toEqual([0, 33, 34]);
    let err: unknown;
    try {
      mapLabelValues(map([1, 40, 255, 255]), spec, 'a/b_labelIds.png');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe(
      'mapLabelValues: label ids must be in [0, 34] for labelNc 35 (no dontcare channel, so ' +
        "raw 255 is out of range too); 'a/b_labelIds.png' has raw values 40 (1 px), 255 (2 px).",
    );
  });

  it('histogram counts raw values in ascending order', () => {
    expect([...labelHistogram(map([3, 1, 3, 255]))]).toEqual([[1, 1], [3, 2], [255, 1]]);
  });
});
