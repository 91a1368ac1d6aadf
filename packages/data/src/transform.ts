import { cropPlane, flipPlaneLR } from './plane-ops';
import { assertPlane, type LabelData, type LabelMap, type RgbImage } from './planes';
import { resizeBicubicPil8 } from './resize/pil-resample';
import { resizeNearestPil } from './resize/pil-nearest';
import type { TransformStep } from './geometry';

/** Applies `steps` to a label or instance map: PIL NEAREST resizes, zero-padded crops, flips. */
export function transformLabelMap<D extends LabelData>(map: LabelMap<D>, steps: readonly TransformStep[]): LabelMap<D> {
  assertPlane(map, 1, 'transformLabelMap');
  let cur = map;
  for (const s of steps) {
    if (s.op === 'resize') cur = resizeNearestPil(cur, s.width, s.height);
    else if (s.op === 'crop') cur = { width: s.width, height: s.height, data: cropPlane(cur.data, cur.width, cur.height, 1, s) };
    else cur = { ...cur, data: flipPlaneLR(cur.data, cur.width, cur.height, 1) };
  }
  return cur;
}

/** Applies `steps` to an RGB image: PIL BICUBIC resizes, zero-padded crops, flips. */
export function transformImage(image: RgbImage, steps: readonly TransformStep[]): RgbImage {
  assertPlane(image, 3, 'transformImage');
  let cur = image;
  for (const s of steps) {
    if (s.op === 'resize')
      cur = { width: s.width, height: s.height, data: resizeBicubicPil8(cur.data, cur.width, cur.height, 3, s.width, s.height) };
    else if (s.op === 'crop') cur = { width: s.width, height: s.height, data: cropPlane(cur.data, cur.width, cur.height, 3, s) };
    else cur = { ...cur, data: flipPlaneLR(cur.data, cur.width, cur.height, 3) };
  }
  return cur;
}
