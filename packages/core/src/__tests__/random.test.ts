import { mulberry32, seededNormal } from '../random';

describe('seeded random streams', () => {
  it('mulberry32 gives the reference stream', () => {
    // Reference: the published mulberry32 recurrence evaluated with Python integers (mod 2³²) for seed 1.
    const r = mulberry32(1);
    expect([r(), r(), r()]).toEqual([0.6270739405881613, 0.002735721180215478, 0.5274470399599522]);
    // Seeds are taken mod 2³² (unsigned and signed spellings of one seed give one stream).
    const [a, b] = [mulberry32(2 ** 32 - 5), mulberry32(-5)];
    expect([a(), a()]).toEqual([b(), b()]);
  });

  it('seededNormal: reproducible per seed, a prefix of a longer draw, N(0, std²)', () => {
    const z = seededNormal(4096, 7);
    expect(Array.from(seededNormal(5, 7))).toEqual(Array.from(z.subarray(0, 5)));
    expect(seededNormal(5, 8)[0]).not.toBe(z[0]);
    const moments = (a: Float32Array) => {
      const mean = a.reduce((s, v) => s + v, 0) / a.length;
      return [mean, Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length)];
    };
    const [m1, s1] = moments(z);
    expect(Math.abs(m1!)).toBeLessThan(0.06);
    expect(Math.abs(s1! - 1)).toBeLessThan(0.06);
    const [, s3] = moments(seededNormal(4096, 7, 3));
    expect(Math.abs(s3! - 3)).toBeLessThan(0.18);
  });
});
