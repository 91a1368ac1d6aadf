/** A label map being painted: one raw ADE20K value per pixel (0 = other, 1..150 classes), row-major. */
export interface LabelMask {
  readonly width: number;
  readonly height: number;
  readonly ids: Uint8Array;
}

export function createMask(width: number, height: number, fill = 0): LabelMask {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new RangeError(`createMask: width and height must be positive integers, got ${width}x${height}.`);
  return { width, height, ids: new Uint8Array(width * height).fill(fill) };
}

export function cloneMask(m: LabelMask): LabelMask {
  return { width: m.width, height: m.height, ids: m.ids.slice() };
}

/** Floor-rule nearest-neighbour resize (what tfjs resizeNearestNeighbor and the generator use). */
export function resizeMaskNearest(m: LabelMask, width: number, height: number): LabelMask {
  if (m.width === width && m.height === height) return cloneMask(m);
  const out = createMask(width, height);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(m.height - 1, Math.floor((y * m.height) / height));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(m.width - 1, Math.floor((x * m.width) / width));
      out.ids[y * width + x] = m.ids[sy * m.width + sx]!;
    }
  }
  return out;
}

/** Pixels per class id, for the "what is in the mask" line and tests. */
export function classCounts(m: LabelMask): Map<number, number> {
  const counts = new Map<number, number>();
  for (const v of m.ids) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}
