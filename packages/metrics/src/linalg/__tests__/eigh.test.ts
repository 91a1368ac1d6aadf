import { congruence, eigenSqrtFactor, eigh, eigvalsh, pivotedCholesky } from '../../index';
import { hashedUniform } from '../../__tests__/helpers/hashed';

function randomSymmetric(n: number, seed: number): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      const v = hashedUniform(seed, i, j) - 0.5;
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  return a;
}

/** X Xᵀ for X n×k: PSD of rank min(n, k). */
function randomPsd(n: number, k: number, seed: number): Float64Array {
  const s = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let c = 0; c < k; c++) acc += (hashedUniform(seed, i, c) - 0.5) * (hashedUniform(seed, j, c) - 0.5);
      s[i * n + j] = acc;
    }
  return s;
}

function maxResidual(a: Float64Array, n: number, values: Float64Array, vectors: Float64Array): number {
  let m = 0;
  for (let i = 0; i < n; i++)
    for (let r = 0; r < n; r++) {
      let acc = 0;
      for (let k = 0; k < n; k++) acc += a[r * n + k]! * vectors[i * n + k]!;
      m = Math.max(m, Math.abs(acc - values[i]! * vectors[i * n + r]!));
    }
  return m;
}

describe('eigh / eigvalsh', () => {
  it.each([1, 2, 3, 17, 64])('decomposes a random symmetric n×n matrix, n = %i (A v = λ v, VᵀV = I)', (n) => {
    const a = randomSymmetric(n, 100 + n);
    const { values, vectors } = eigh(a, n);
    expect(maxResidual(a, n, values, vectors)).toBeLessThan(1e-13);
    let orth = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let k = 0; k < n; k++) acc += vectors[i * n + k]! * vectors[j * n + k]!;
        orth = Math.max(orth, Math.abs(acc - (i === j ? 1 : 0)));
      }
    expect(orth).toBeLessThan(1e-13);
    for (let i = 1; i < n; i++) expect(values[i]!).toBeGreaterThanOrEqual(values[i - 1]!);
    const only = eigvalsh(a, n);
    for (let i = 0; i < n; i++) expect(Math.abs(only[i]! - values[i]!)).toBeLessThan(1e-13);
    // trace is preserved
    let tr = 0;
    let sum = 0;
    for (let i = 0; i < n; i++) { tr += a[i * n + i]!; sum += values[i]!; }
    expect(Math.abs(tr - sum)).toBeLessThan(1e-12);
  });

  it('handles diagonal, zero and repeated-eigenvalue matrices', () => {
    expect(Array.from(eigvalsh(Float64Array.from([3, 0, 0, 0, 1, 0, 0, 0, 2]), 3))).toEqual([1, 2, 3]);
    expect(Array.from(eigvalsh(new Float64Array(16), 4))).toEqual([0, 0, 0, 0]);
    const id = eigh(Float64Array.from([2, 0, 0, 2]), 2);
    expect(Array.from(id.values)).toEqual([2, 2]);
    expect(eigvalsh(new Float64Array(0), 0).length).toBe(0);
  });

  it('rejects bad shapes and non-finite entries', () => {
    expect(() => eigh(new Float64Array(5), 2)).toThrow(/n·n matrix/);
    expect(() => eigvalsh(Float64Array.from([1, NaN, NaN, 1]), 2)).toThrow(/non-finite/);
  });
});

describe('PSD factors', () => {
  it.each([
    ['full rank', 12, 30],
    ['rank deficient', 12, 5],
  ])('%s: both factors reproduce S = FᵀF with the numerical rank', (_, n, k) => {
    const s = randomPsd(n, k, 7);
    for (const fac of [pivotedCholesky(s, n), eigenSqrtFactor(s, n)]) {
      expect(fac.rank).toBe(Math.min(n, k));
      let err = 0;
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let acc = 0;
          for (let c = 0; c < fac.rank; c++) acc += fac.f[c * n + i]! * fac.f[c * n + j]!;
          err = Math.max(err, Math.abs(acc - s[i * n + j]!));
        }
      expect(err).toBeLessThan(1e-13);
    }
  });

  it('gives the same congruence spectrum from either factor', () => {
    const n = 10;
    const s1 = randomPsd(n, 6, 3);
    const s2 = randomPsd(n, 20, 4);
    const a = pivotedCholesky(s1, n);
    const b = eigenSqrtFactor(s1, n);
    const ea = eigvalsh(congruence(a.f, a.rank, s2, n), a.rank);
    const eb = eigvalsh(congruence(b.f, b.rank, s2, n), b.rank);
    for (let i = 0; i < ea.length; i++) expect(Math.abs(ea[i]! - eb[i]!)).toBeLessThan(1e-12);
  });
});
