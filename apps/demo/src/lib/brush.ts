import type { LabelMask } from './label-mask';

/** Sets every pixel whose centre lies within `radius` of (cx, cy) to `id`. Returns pixels changed. */
export function stampDisc(mask: LabelMask, cx: number, cy: number, radius: number, id: number): number {
  const { width: w, height: h, ids } = mask;
  const r = Math.max(0.5, radius);
  const r2 = r * r;
  let changed = 0;
  const y0 = Math.max(0, Math.floor(cy - r));
  const y1 = Math.min(h - 1, Math.ceil(cy + r));
  const x0 = Math.max(0, Math.floor(cx - r));
  const x1 = Math.min(w - 1, Math.ceil(cx + r));
  for (let y = y0; y <= y1; y++) {
    const dy = y + 0.5 - cy;
    for (let x = x0; x <= x1; x++) {
      const dx = x + 0.5 - cx;
      if (dx * dx + dy * dy > r2) continue;
      const i = y * w + x;
      if (ids[i] !== id) {
        ids[i] = id;
        changed++;
      }
    }
  }
  return changed;
}

/**
 * A brush segment from (x0, y0) to (x1, y1): discs every half radius along it, so fast pointer
 * moves leave a continuous line. Returns pixels changed.
 */
export function strokeSegment(mask: LabelMask, x0: number, y0: number, x1: number, y1: number, radius: number, id: number): number {
  const len = Math.hypot(x1 - x0, y1 - y0);
  const steps = Math.max(1, Math.ceil(len / Math.max(0.5, radius / 2)));
  let changed = 0;
  for (let i = 0; i <= steps; i++) {
    const t = i / steps;
    changed += stampDisc(mask, x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, radius, id);
  }
  return changed;
}
