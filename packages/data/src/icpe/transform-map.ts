import { ConfigError } from '@clade/core';
import { cropPlane, flipPlaneLR, flipPlaneUD } from '../plane-ops';
import { assertPlane, type PositionalMap } from '../planes';
import { floorNearestIndices } from '../resize/floor-nearest';
import { pilNearestIndices } from '../resize/pil-nearest';
import type { TransformStep } from '../geometry';

export interface TransformPositionalMapOptions {
  /**
   * Index rule of the map's resize. Default 'floor' (official: PyTorch nearest, REFERENCE §5.2
   * and §18 #4), which can sit one pixel off the label's PIL-NEAREST resize; 'pil' uses the label's rule.
   */
  resizeRule?: 'floor' | 'pil';
  /**
   * Default false, the official training behaviour (§18 #5): when the sample is flipped left-right
   * the map is flipped top-bottom and no channel changes sign. true flips it left-right and negates
   * the horizontal channel, so the map follows the image. Evaluation never flips, so this matters
   * only for training parity with the released ICPE checkpoints' recipe.
   */
  flipFix?: boolean;
}

function mapChannels(m: PositionalMap, f: (plane: Float32Array, c: number) => Float32Array, w: number, h: number): PositionalMap {
  const n = m.width * m.height;
  const a = f(m.data.subarray(0, n), 0);
  const b = f(m.data.subarray(n, 2 * n), 1);
  const data = new Float32Array(2 * w * h);
  data.set(a, 0);
  data.set(b, w * h);
  return { width: w, height: h, data };
}

/**
 * Makes a positional map follow its image and label through `steps` (REFERENCE §5.2): nearest
 * resize (floor rule by default), the same crop window (zero outside the map), and the flip
 * (official quirk by default, see `flipFix`).
 */
export function transformPositionalMap(
  map: PositionalMap, steps: readonly TransformStep[], options: TransformPositionalMapOptions = {},
): PositionalMap {
  assertPlane(map, 2, 'transformPositionalMap');
  const { resizeRule = 'floor', flipFix = false } = options;
  if (resizeRule !== 'floor' && resizeRule !== 'pil')
    throw new ConfigError(`transformPositionalMap: resizeRule must be one of floor, pil; got '${String(resizeRule)}'.`);
  const indices = resizeRule === 'floor' ? floorNearestIndices : pilNearestIndices;
  let cur = map;
  for (const s of steps) {
    const { width: w, height: h } = cur;
    if (s.op === 'resize') {
      const rows = indices(h, s.height);
      const cols = indices(w, s.width);
      cur = mapChannels(cur, (p) => {
        const out = new Float32Array(s.width * s.height);
        for (let y = 0; y < s.height; y++) {
          const src = rows[y]! * w;
          for (let x = 0; x < s.width; x++) out[y * s.width + x] = p[src + cols[x]!]!;
        }
        return out;
      }, s.width, s.height);
    } else if (s.op === 'crop') {
      cur = mapChannels(cur, (p) => cropPlane(p, w, h, 1, s), s.width, s.height);
    } else if (flipFix) {
      cur = mapChannels(cur, (p, c) => {
        const out = flipPlaneLR(p, w, h, 1);
        if (c === 1) for (let i = 0; i < out.length; i++) out[i] = out[i] === 0 ? 0 : -out[i]!;
        return out;
      }, w, h);
    } else {
      cur = mapChannels(cur, (p) => flipPlaneUD(p, w, h), w, h);
    }
  }
  return cur;
}
