import { instanceEdges } from '../index';

describe('instanceEdges (4-neighbour rule)', () => {
  it('marks both pixels of every differing horizontal or vertical pair, not diagonals', () => {
    const t = { width: 4, height: 3, data: Uint8Array.from([0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0]) };
    expect(Array.from(instanceEdges(t))).toEqual([0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 0]);
  });

  it('is all zero on a constant map and works on 16-bit ids', () => {
    expect(Array.from(instanceEdges({ width: 3, height: 2, data: new Uint16Array(6).fill(26001) }))).toEqual([0, 0, 0, 0, 0, 0]);
    const t = { width: 2, height: 1, data: Uint16Array.from([26001, 26002]) };
    expect(Array.from(instanceEdges(t))).toEqual([1, 1]);
  });
});
