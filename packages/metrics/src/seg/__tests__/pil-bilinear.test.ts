import { createHash } from 'node:crypto';
import { resizeBilinearPil } from '../../index';
import { hashedUniform } from '../../__tests__/helpers/hashed';
import golden from './fixtures/pil_bilinear.json';

// Goldens: scripts/goldens/pil_bilinear.py (Pillow version in the JSON).
describe('resizeBilinearPil equals Pillow Image.BILINEAR', () => {
  it.each(golden.cases.map((c) => [`${c.width}x${c.height} → ${c.outWidth}x${c.outHeight}`, c] as const))('%s', (_, c) => {
    const data = new Uint8Array(c.width * c.height * 3);
    for (let i = 0; i < c.width * c.height; i++)
      for (let ch = 0; ch < 3; ch++) data[i * 3 + ch] = Math.floor(hashedUniform(c.seed, i, ch) * 256);
    const out = resizeBilinearPil({ width: c.width, height: c.height, data }, c.outWidth, c.outHeight);
    expect(Array.from(out.data.subarray(0, 12))).toEqual(c.first);
    expect(createHash('sha256').update(out.data).digest('hex')).toBe(c.sha256);
  });

  it('rejects bad sizes', () => {
    expect(() => resizeBilinearPil({ width: 2, height: 2, data: new Uint8Array(12) }, 0, 3)).toThrow(/positive integers/);
    expect(() => resizeBilinearPil({ width: 2, height: 2, data: new Uint8Array(5) }, 3, 3)).toThrow(/must hold 3x2x2 = 12 values, got 5/);
  });
});
