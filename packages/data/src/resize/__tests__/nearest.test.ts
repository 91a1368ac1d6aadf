import { floorNearestIndices, pilNearestIndices, resizeNearestPil } from '../../index';

describe('pilNearestIndices (REFERENCE §12.3)', () => {
  it('keeps the running sum: 8 → 300 output 37 reads source 0 (closed form reads 1)', () => {
    const idx = pilNearestIndices(8, 300);
    expect(idx[37]).toBe(0);
    expect(Math.trunc((37 + 0.5) * (8 / 300))).toBe(1);
  });

  it('reads 1, 3, 6, 8, 11 for 640 → 256 (the floor rule reads 0, 2, 5, 7, 10)', () => {
    expect(Array.from(pilNearestIndices(640, 256).slice(0, 5))).toEqual([1, 3, 6, 8, 11]);
    expect(Array.from(floorNearestIndices(640, 256).slice(0, 5))).toEqual([0, 2, 5, 7, 10]);
  });

  it('is the identity for equal sizes and stays in range', () => {
    expect(Array.from(pilNearestIndices(5, 5))).toEqual([0, 1, 2, 3, 4]);
    for (const [i, o] of [[3, 7], [7, 3], [1000, 333], [5, 8], [1, 4]] as const) {
      const idx = pilNearestIndices(i, o);
      expect(Math.max(...idx)).toBeLessThan(i);
      expect(Math.min(...idx)).toBeGreaterThanOrEqual(0);
    }
  });

  it('rejects non-positive sizes', () => {
    expect(() => pilNearestIndices(0, 4)).toThrow(/pilNearestIndices: size must be positive integers/);
  });
});

describe('floorNearestIndices (PyTorch nearest, REFERENCE §1)', () => {
  it('reads the top-left pixel of each block', () => {
    expect(Array.from(floorNearestIndices(16, 6))).toEqual([0, 2, 5, 8, 10, 13]);
    expect(Array.from(floorNearestIndices(256, 8))).toEqual([0, 32, 64, 96, 128, 160, 192, 224]);
    expect(Array.from(floorNearestIndices(3, 7))).toEqual([0, 0, 0, 1, 1, 2, 2]);
  });
});

describe('resizeNearestPil', () => {
  it('keeps the sample type (8, 16 and 32-bit maps)', () => {
    const u16 = { width: 2, height: 2, data: Uint16Array.from([1000, 2000, 3000, 33001]) };
    const out = resizeNearestPil(u16, 4, 3);
    expect(out.data).toBeInstanceOf(Uint16Array);
    expect(Array.from(out.data)).toEqual([1000, 1000, 2000, 2000, 3000, 3000, 33001, 33001, 3000, 3000, 33001, 33001]);
    const i32 = resizeNearestPil({ width: 2, height: 1, data: Int32Array.from([70000, -1]) }, 1, 1);
    expect(i32.data).toBeInstanceOf(Int32Array);
  });

  it('checks the data length', () => {
    expect(() => resizeNearestPil({ width: 3, height: 3, data: new Uint8Array(8) }, 2, 2)).toThrow(
      /resizeNearestPil: data must hold 1x3x3 = 9 values, got 8/,
    );
  });
});
