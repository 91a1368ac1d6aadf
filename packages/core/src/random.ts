// Seeded random streams shared by the packages, the demo and the tests: one implementation, so a
// seed means the same draws everywhere. Locals, not globals, in the hot loops: global lookups are
// very slow inside vm realms (jest), where SEAN's K·512² projection weights are drawn this way.
const { sqrt, log, cos, sin, imul, PI } = Math;

/** mulberry32: a small, fast 32-bit generator, uniform in [0, 1), deterministic for an integer seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = imul(a ^ (a >>> 15), a | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n draws of N(0, std²) from mulberry32(seed) by Box–Muller (two draws per pair of uniforms). */
export function seededNormal(n: number, seed: number, std = 1): Float32Array {
  const uniform = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = std * sqrt(-2 * log(1 - uniform())); // 1 - u ∈ (0, 1]: log stays finite
    const a = 2 * PI * uniform();
    out[i] = r * cos(a);
    if (i + 1 < n) out[i + 1] = r * sin(a);
  }
  return out;
}
