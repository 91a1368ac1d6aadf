import { connectedComponents8, positionalMap, transformPositionalMap, type PositionalMap } from '../../index';

// REFERENCE §5.1 worked example (5×5, values rounded to 5 decimals).
const LABEL = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 2, 0, 1, 0, 2, 2, 0, 0, 1, 0, 0];
const V = [
  -0.33333, -0.33333, -0.33333, 0, 0, 0.99999, 0, 0, 0, 0, 0, 0, 0, -0.99998, -0.99998,
  0, -0.99998, 0, 0.99998, 0.99998, 0, 0, 0.99998, 0, 0,
];
const H = [
  -0.6, 0.2, 0.99999, 0, 0, -0.6, 0, 0, 0, 0, 0, 0, 0, -0.99998, 0.99998,
  0, -0.99998, 0, -0.99998, 0.99998, 0, 0, 0.99998, 0, 0,
];

describe('positionalMap (REFERENCE §5.1)', () => {
  const label = { width: 5, height: 5, data: Uint8Array.from(LABEL) };

  it('reproduces the worked 5×5 example', () => {
    const m = positionalMap(label);
    expect(m.data).toBeInstanceOf(Float32Array);
    const round = (a: ArrayLike<number>) => Array.from(a, (v) => Math.round(v * 1e5) / 1e5 + 0);
    expect(round(m.data.subarray(0, 25))).toEqual(V);
    expect(round(m.data.subarray(25))).toEqual(H);
  });

  it('finds 8-connected components per raw value (label 1 has two, joined only diagonally)', () => {
    const cc = connectedComponents8(label, 0);
    expect(cc.count).toBe(3);
    expect(Array.from(cc.area)).toEqual([4, 4, 2]);
    expect(cc.ids[3 * 5 + 1]).toBe(cc.ids[4 * 5 + 2]);
    expect(cc.ids[0]).not.toBe(cc.ids[3 * 5 + 1]);
    expect(cc.ids[3]).toBe(-1);
  });

  it("skips nothing with skipValue null, and 'largest' keeps one component per value", () => {
    const all = positionalMap(label, { skipValue: null });
    expect(all.data[3]).not.toBe(0); // raw 0 now has offsets
    const largest = positionalMap(label, { components: 'largest' });
    expect(largest.data[0]).toBeCloseTo(-0.33333, 5); // the L-shape (area 4, first in raster order)
    expect(largest.data[3 * 5 + 1]).toBe(0); // the second component of label 1 (area 2) gets none
    expect(largest.data[2 * 5 + 3]).toBeCloseTo(-0.99998, 5);
  });

  it('gives (0,0) to one-pixel components and the raw offsets with normalize false', () => {
    const one = positionalMap({ width: 3, height: 1, data: Uint8Array.from([0, 7, 0]) });
    expect(Array.from(one.data)).toEqual([0, 0, 0, 0, 0, 0]);
    const raw = positionalMap({ width: 3, height: 1, data: Uint8Array.from([4, 4, 4]) }, { normalize: false });
    expect(Array.from(raw.data)).toEqual([0, 0, 0, -1, 0, 1]);
  });
});

describe('transformPositionalMap (REFERENCE §5.2)', () => {
  // 2×3 map, channel 0 = 0..5, channel 1 = 10..15
  const m: PositionalMap = { width: 3, height: 2, data: Float32Array.from([0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15]) };

  it('official flip quirk: flips top-bottom, no sign change (default)', () => {
    const f = transformPositionalMap(m, [{ op: 'flip' }]);
    expect(Array.from(f.data)).toEqual([3, 4, 5, 0, 1, 2, 13, 14, 15, 10, 11, 12]);
  });

  it('flipFix: flips left-right and negates the horizontal channel', () => {
    const f = transformPositionalMap(m, [{ op: 'flip' }], { flipFix: true });
    expect(Array.from(f.data)).toEqual([2, 1, 0, 5, 4, 3, -12, -11, -10, -15, -14, -13]);
  });

  it('resizes with the floor rule by default, PIL rule on request, and crops with zero padding', () => {
    const wide: PositionalMap = { width: 4, height: 1, data: Float32Array.from([0, 1, 2, 3, 0, 1, 2, 3]) };
    const floor = transformPositionalMap(wide, [{ op: 'resize', width: 2, height: 1 }]);
    expect(Array.from(floor.data)).toEqual([0, 2, 0, 2]);
    const pil = transformPositionalMap(wide, [{ op: 'resize', width: 2, height: 1 }], { resizeRule: 'pil' });
    expect(Array.from(pil.data)).toEqual([1, 3, 1, 3]);
    const crop = transformPositionalMap(m, [{ op: 'crop', x: 1, y: 1, width: 3, height: 2 }]);
    expect(Array.from(crop.data)).toEqual([4, 5, 0, 0, 0, 0, 14, 15, 0, 0, 0, 0]);
  });

  it('rejects an unknown resize rule', () => {
    expect(() => transformPositionalMap(m, [], { resizeRule: 'bilinear' as 'pil' })).toThrow(
      /resizeRule must be one of floor, pil; got 'bilinear'/,
    );
  });
});
