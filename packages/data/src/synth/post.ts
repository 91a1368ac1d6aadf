import type { Canvas } from './context';
import { hash2 } from './noise';

const sqrt = Math.sqrt;

/**
 * Linear radiance → 8-bit sRGB-ish: exposure, a soft shoulder (extended Reinhard, white point 2.2),
 * gentle vignette, gamma 2 (square root) and ±1 LSB of hashed film grain.
 */
export function develop(cv: Canvas, exposure: number, seed: number): Uint8Array {
  const { width: W, height: H, rgb } = cv;
  const out = new Uint8Array(W * H * 3);
  const w2 = 1 / (2.2 * 2.2);
  const diag2 = (W * W + H * H) / 4;
  for (let py = 0; py < H; py++) {
    const dy = py + 0.5 - H / 2;
    for (let px = 0; px < W; px++) {
      const i = py * W + px;
      const dx = px + 0.5 - W / 2;
      const vig = exposure * (1 - 0.22 * ((dx * dx + dy * dy) / diag2));
      const h = hash2(px, py, seed);
      for (let c = 0; c < 3; c++) {
        let x = rgb[3 * i + c]! * vig;
        if (x < 0) x = 0;
        x = (x * (1 + x * w2)) / (1 + x);
        let s = sqrt(x) * 255 + (((h >>> (c * 8)) & 255) / 255 - 0.5) * 2.2;
        s = s < 0 ? 0 : s > 255 ? 255 : s;
        out[3 * i + c] = (s + 0.5) | 0;
      }
    }
  }
  return out;
}
