import type { Camera, Light, Rgb, Shade } from './context';

const sqrt = Math.sqrt;

/**
 * Camera + light, with the helpers every layer needs: ground-plane projection, the horizon colour
 * in a direction (for aerial haze) and the sun's screen position.
 */
export class Env {
  readonly cam: Camera;
  readonly light: Light;
  /** Sun position on screen (u, v) when it is in front of the camera, else null. */
  readonly sunScreen: [number, number] | null;

  constructor(cam: Camera, light: Light) {
    this.cam = cam;
    this.light = light;
    const [sx, sy, sz] = light.sun;
    this.sunScreen = sz > 0.05 ? [(cam.focal * sx) / sz, cam.horizon - (cam.focal * sy) / sz] : null;
  }

  /** Ground distance (m) of row v below the horizon; Infinity at or above it. */
  groundZ(v: number): number {
    const d = v - this.cam.horizon;
    return d > 0 ? (this.cam.focal * this.cam.height) / d : Infinity;
  }

  /** Row of a point at distance z and height h (m) above the ground. */
  rowOf(z: number, h = 0): number {
    return this.cam.horizon + (this.cam.focal * (this.cam.height - h)) / z;
  }

  /** Cosine of the angle between the view ray through (u, v) and the sun. */
  sunCos(u: number, v: number): number {
    const dy = this.cam.horizon - v;
    const f = this.cam.focal;
    const [sx, sy, sz] = this.light.sun;
    return (u * sx + dy * sy + f * sz) / sqrt(u * u + dy * dy + f * f);
  }

  /** Cloudless sky radiance (linear) through (u, v), written into `out`. */
  skyBase(u: number, v: number, out: Shade): void {
    const L = this.light;
    const F = this.cam.focal;
    const dy = this.cam.horizon - v;
    const e = dy > 0 ? dy / F : 0;
    const t = e / (e + 0.28);
    const tt = sqrt(t);
    const cg = this.sunCos(u, v);
    const g = 1 - cg;
    // The horizon is warmer and brighter towards the sun's azimuth.
    const [sx, , sz] = L.sun;
    const ch = (u * sx + F * sz) / (sqrt(u * u + F * F) * (sqrt(sx * sx + sz * sz) + 1e-9));
    const w = (0.5 + 0.5 * ch) * (0.5 + 0.5 * ch);
    const hr = L.horizon[0] + (L.horizonSun[0] - L.horizon[0]) * w;
    const hg = L.horizon[1] + (L.horizonSun[1] - L.horizon[1]) * w;
    const hb = L.horizon[2] + (L.horizonSun[2] - L.horizon[2]) * w;
    // Mie-like forward glow (rational falloffs instead of exp/pow), strongest near the horizon.
    const near = 1 - t;
    const glow = L.glow * (0.9 / (1 + 2500 * g) + 0.3 / (1 + 30 * g) + 0.12 * near * (0.5 + 0.5 * cg));
    const [sr, sg, sb] = L.sunColor;
    const k = (glow / (sr + 1e-6)) * 0.5;
    out.r = hr + (L.zenith[0] - hr) * tt + sr * k;
    out.g = hg + (L.zenith[1] - hg) * tt + sg * k;
    out.b = hb + (L.zenith[2] - hb) * tt + sb * k;
  }

  /** Horizon radiance in the direction of column u (the colour distant things fade into). */
  hazeColor(u: number, out: Rgb): void {
    const s = HAZE_SCRATCH;
    this.skyBase(u, this.cam.horizon - 0.01, s);
    out[0] = s.r;
    out[1] = s.g;
    out[2] = s.b;
  }

  /** Fraction of aerial haze at distance z (m): z / (z + hazeDist). */
  haze(z: number): number {
    return z / (z + this.light.hazeDist);
  }
}

const HAZE_SCRATCH: Shade = { r: 0, g: 0, b: 0, label: 0 };

/** Per-column haze colours for a canvas width, computed once per layer. */
export function hazeColumns(env: Env, width: number, height: number): Float32Array {
  const out = new Float32Array(width * 3);
  const c: Rgb = [0, 0, 0];
  for (let px = 0; px < width; px++) {
    env.hazeColor((px + 0.5 - width / 2) / height, c);
    out[3 * px] = c[0];
    out[3 * px + 1] = c[1];
    out[3 * px + 2] = c[2];
  }
  return out;
}

/**
 * Lambert + sky fill for a surface normal n (unit), albedo a, sun visibility `sunVis` in [0, 1].
 * `wrap` > 0 lets light reach past the terminator (foliage scatters light through its leaves).
 */
export function lit(env: Env, nx: number, ny: number, nz: number, ar: number, ag: number, ab: number, sunVis: number, out: Shade, wrap = 0): void {
  const L = env.light;
  const [sx, sy, sz] = L.sun;
  const ns = nx * sx + ny * sy + nz * sz;
  let d = (ns + wrap) / (1 + wrap);
  // Foliage (wrap > 0) also transmits light to its shadowed side.
  if (wrap > 0 && ns < 0) d += -ns * wrap * 0.45;
  d = d > 0 ? d * sunVis : 0;
  const sky = 0.6 + 0.4 * ny; // hemisphere fill
  const bounce = (0.5 - 0.5 * ny) * (sy > 0 ? sy : 0) * 0.22; // sunlit ground lights what faces it
  out.r = ar * (L.sunColor[0] * (d + bounce) + L.ambient[0] * sky);
  out.g = ag * (L.sunColor[1] * (d + bounce) + L.ambient[1] * sky);
  out.b = ab * (L.sunColor[2] * (d + bounce * 0.8) + L.ambient[2] * sky);
}

/** Blends `out` towards haze colour (from a per-column table) by the haze fraction at z. */
export function applyHaze(env: Env, out: Shade, z: number, hazeCols: Float32Array, px: number): void {
  const f = env.haze(z);
  const k = 3 * px;
  out.r += (hazeCols[k]! - out.r) * f;
  out.g += (hazeCols[k + 1]! - out.g) * f;
  out.b += (hazeCols[k + 2]! - out.b) * f;
}
