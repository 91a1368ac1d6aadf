import type { LabelMask } from './label-mask';

/**
 * Paint bucket: sets the 4-connected region of (x, y)'s class to `id`, in place. Scanline fill with
 * an explicit stack, so a 1024² region needs no recursion. Returns the number of pixels changed.
 */
export function floodFill(mask: LabelMask, x: number, y: number, id: number): number {
  const { width: w, height: h, ids } = mask;
  x = Math.floor(x);
  y = Math.floor(y);
  if (x < 0 || y < 0 || x >= w || y >= h) return 0;
  const target = ids[y * w + x]!;
  if (target === id) return 0;
  let changed = 0;
  const stack: number[] = [x, y];
  while (stack.length > 0) {
    const sy = stack.pop()!;
    let sx = stack.pop()!;
    const row = sy * w;
    if (ids[row + sx] !== target) continue;
    while (sx > 0 && ids[row + sx - 1] === target) sx--;
    let upOpen = false;
    let downOpen = false;
    for (; sx < w && ids[row + sx] === target; sx++) {
      ids[row + sx] = id;
      changed++;
      // Push one seed per run of target pixels above and below, not one per pixel.
      if (sy > 0) {
        const up = ids[row - w + sx] === target;
        if (up && !upOpen) stack.push(sx, sy - 1);
        upOpen = up;
      }
      if (sy < h - 1) {
        const down = ids[row + w + sx] === target;
        if (down && !downOpen) stack.push(sx, sy + 1);
        downOpen = down;
      }
    }
  }
  return changed;
}
