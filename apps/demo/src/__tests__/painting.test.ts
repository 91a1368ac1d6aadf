import { stampDisc, strokeSegment } from '../lib/brush';
import { floodFill } from '../lib/flood-fill';
import { classCounts, createMask, resizeMaskNearest, type LabelMask } from '../lib/label-mask';
import { UndoStack } from '../lib/undo-stack';

const fromRows = (rows: string[]): LabelMask => {
  const m = createMask(rows[0]!.length, rows.length);
  rows.forEach((r, y) => [...r].forEach((ch, x) => (m.ids[y * m.width + x] = Number(ch))));
  return m;
};
const toRows = (m: LabelMask): string[] =>
  Array.from({ length: m.height }, (_, y) => Array.from(m.ids.subarray(y * m.width, (y + 1) * m.width)).join(''));

describe('floodFill', () => {
  it('fills the 4-connected region only, around a U-shaped wall', () => {
    const m = fromRows(['00000', '01110', '01010', '01110', '00000']);
    expect(floodFill(m, 0, 0, 2)).toBe(16);
    expect(toRows(m)).toEqual(['22222', '21112', '21012', '21112', '22222']);
  });

  it('does not leak through diagonal gaps', () => {
    const m = fromRows(['010', '101', '010']);
    expect(floodFill(m, 1, 1, 4)).toBe(1); // the centre 0 touches the corner 0s only diagonally
    expect(toRows(m)).toEqual(['010', '141', '010']);
  });

  it('is a no-op for the same class or outside the mask, and handles a large region', () => {
    const m = fromRows(['11', '11']);
    expect(floodFill(m, 0, 0, 1)).toBe(0);
    expect(floodFill(m, -1, 5, 2)).toBe(0);
    const big = createMask(512, 512, 7);
    expect(floodFill(big, 100, 100, 8)).toBe(512 * 512);
  });
});

describe('brush', () => {
  it('stamps a disc of pixel centres within the radius', () => {
    const m = createMask(7, 7);
    expect(stampDisc(m, 3.5, 3.5, 1.5, 5)).toBe(9);
    expect(toRows(m)).toEqual(['0000000', '0000000', '0055500', '0055500', '0055500', '0000000', '0000000']);
    expect(stampDisc(m, 3.5, 3.5, 1.5, 5)).toBe(0);
  });

  it('draws a continuous segment, clipped at the border', () => {
    const m = createMask(20, 5);
    strokeSegment(m, -3, 2.5, 25, 2.5, 1, 9);
    expect(toRows(m)[2]).toBe('9'.repeat(20));
    expect(classCounts(m).get(9)).toBe(60); // rows 1..3: a 1-px-radius disc covers 3 rows
  });
});

describe('resizeMaskNearest', () => {
  it('uses the floor rule', () => {
    expect(toRows(resizeMaskNearest(fromRows(['12', '34']), 4, 4))).toEqual(['1122', '1122', '3344', '3344']);
    expect(toRows(resizeMaskNearest(fromRows(['1234', '5678']), 2, 1))).toEqual(['13']);
  });
});

describe('UndoStack', () => {
  it('undoes and redoes snapshots; a new edit drops the redo branch', () => {
    const u = new UndoStack<string>(3);
    expect(u.undo('a')).toBeNull();
    u.record('a'); // a → b
    u.record('b'); // b → c
    expect(u.undo('c')).toBe('b');
    expect(u.undo('b')).toBe('a');
    expect(u.canUndo).toBe(false);
    expect(u.redo('a')).toBe('b');
    u.record('b'); // b → d
    expect(u.canRedo).toBe(false);
    expect(u.undo('d')).toBe('b');
  });

  it('keeps at most `limit` steps and rejects a bad limit', () => {
    const u = new UndoStack<number>(2);
    [1, 2, 3].forEach((s) => u.record(s));
    expect(u.undo(4)).toBe(3);
    expect(u.undo(3)).toBe(2);
    expect(u.undo(2)).toBeNull();
    expect(() => new UndoStack(0)).toThrow(/limit must be a positive integer, got 0/);
  });
});
