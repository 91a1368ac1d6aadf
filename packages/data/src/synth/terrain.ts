import { SYNTH_CLASSES } from './classes';
import { newShade, type Canvas, type Rgb, type Shade } from './context';
import { applyHaze, hazeColumns, lit, type Env } from './env';
import type { Layer } from './layer';
import { fbm, noise2, ridged, smoothstep } from './noise';

const sqrt = Math.sqrt;
const floor = Math.floor;
const ceil = Math.ceil;

/** A mountain range: ridged multifractal heights rising from distance z0. */
export interface MountainSpec {
  /** Distance (m) where the range starts rising, and over which it reaches full height. */
  z0: number;
  ramp: number;
  /** Peak height scale (m). */
  height: number;
  /** Horizontal feature size (m). */
  scale: number;
  seed: number;
  /** Snow line and tree line as fractions of `height` (> 1: none). */
  snowLine: number;
  treeLine: number;
  /** 0: across the view; ±1: only on the right/left of screen position `edge` (a headland). */
  side: number;
  edge: number;
  rock: Rgb;
  rock2: Rgb;
  forest: Rgb;
  meadow: Rgb;
}

/** Rolling hills: smooth fBm heights. */
export interface HillSpec {
  z0: number;
  ramp: number;
  height: number;
  scale: number;
  seed: number;
  grass: Rgb;
  grass2: Rgb;
  forest: Rgb;
  /** Fraction of the hills covered by woods (colour only; they stay label `hill`). */
  woods: number;
}

export interface TerrainSpec {
  zStart: number;
  zEnd: number;
  /** What flat ground between the ranges is (label and albedo), e.g. grass. */
  floor: { label: number; color: Rgb };
  mountain?: MountainSpec;
  hills?: HillSpec;
}

interface Heights {
  m: number;
  h: number;
  /** Ridge sharpness at the point (0 in gullies, ~1 on crests), for ambient occlusion. */
  crest: number;
}

/** Bound on terrain slope used to skip hidden stretches of a column (rare steeper spikes may be missed). */
const MAX_SLOPE = 1.5;
const EARTH_CURVE = 1 / (2 * 6.4e6 * 1.15); // curvature with standard refraction

/** Terrain heights (m) at ground point (X, Z); `fp` = pixel footprint (m) for band limiting. */
function heights(t: TerrainSpec, focal: number, X: number, Z: number, fp: number, out: Heights, octaves = 10): void {
  out.m = 0;
  out.h = 0;
  out.crest = 0.5;
  const M = t.mountain;
  if (M && Z > M.z0) {
    let mask = smoothstep(M.z0, M.z0 + M.ramp, Z);
    if (M.side !== 0) mask *= smoothstep(-0.12, 0.12, M.side * ((focal * X) / Z - M.edge));
    if (mask > 0) {
      const s = M.scale;
      const xs = X / s;
      const zs = Z / s;
      const massif = 0.55 + 0.55 * fbm(xs * 0.33, zs * 0.33, M.seed + 1, octaves < 3 ? octaves : 3);
      const r = ridged(xs, zs, M.seed, octaves, fp / s);
      out.crest = r;
      const m = M.height * mask * massif * (r * r * 1.3 + 0.05);
      out.m = m < M.height * 1.5 ? m : M.height * 1.5;
    }
  }
  const Hs = t.hills;
  if (Hs && Z > Hs.z0) {
    const mask = smoothstep(Hs.z0, Hs.z0 + Hs.ramp, Z);
    const n = fbm(X / Hs.scale, Z / Hs.scale, Hs.seed, octaves < 7 ? octaves : 7, fp / Hs.scale, 0.42);
    const b = 0.5 + 0.6 * n;
    const hh = Hs.height * mask * (b > 0 ? b * b : 0);
    out.h = hh < Hs.height * 1.25 ? hh : Hs.height * 1.25;
  }
}

/**
 * Voxel-space terrain: each column marches a ray from near to far, projecting terrain heights and
 * keeping the highest row drawn so far (occlusion). Every pixel remembers the nearest surface
 * point covering it, the next one behind it and how much of the pixel each covers, so silhouettes
 * against the sky and against farther ridges are anti-aliased while labels stay hard.
 */
export class TerrainLayer implements Layer {
  readonly spec: TerrainSpec;
  private readonly env: Env;
  private fz = new Float32Array(0);
  private bz = new Float32Array(0);
  private covF = new Float32Array(0);
  private covT = new Float32Array(0);
  private yMin = 0;

  constructor(env: Env, spec: TerrainSpec) {
    this.env = env;
    this.spec = spec;
  }

  prepare(cv: Canvas): void {
    const env = this.env;
    const t = this.spec;
    const { width: W, height: H } = cv;
    const F = env.cam.focal;
    const c = env.cam.height;
    const vh = env.cam.horizon;
    const n = W * H;
    const fz = (this.fz = new Float32Array(n));
    const bz = (this.bz = new Float32Array(n));
    const covF = (this.covF = new Float32Array(n));
    const covT = (this.covT = new Float32Array(n));
    const hs: Heights = { m: 0, h: 0, crest: 0 };
    const maxH = Math.max((t.mountain?.height ?? 0) * 1.5, (t.hills?.height ?? 0) * 1.25);
    const k = 2 / (F * H); // ~1.5 pixels of parallax per step on slope-1 terrain
    let yMin = H;
    for (let px = 0; px < W; px++) {
      const u = cv.u(px);
      let yTop = env.rowOf(t.zStart) * H;
      let z = t.zStart;
      while (z < t.zEnd) {
        // Nothing farther can rise above yTop: stop.
        if (yTop <= (vh - (F * (maxH - c)) / z) * H) break;
        heights(t, F, (u * z) / F, z, z / (F * H), hs);
        const h = (hs.m > hs.h ? hs.m : hs.h) - z * z * EARTH_CURVE;
        const row = (vh + (F * (c - h)) / z) * H;
        if (row >= yTop) {
          // Hidden. With terrain slopes below MAX_SLOPE, the surface cannot reach the line of
          // sight through yTop before z + gap / (MAX_SLOPE − that line's slope): skip ahead.
          const need = c - ((yTop / H - vh) * z) / F; // height needed at z to reach row yTop
          const rise = -(yTop / H - vh) / F; // d need / dz
          const jump = (0.9 * (need - h)) / (MAX_SLOPE - rise);
          z += jump > z * k ? jump : z * k;
          continue;
        }
        const r0 = row < 0 ? 0 : floor(row);
        const r1 = Math.min(H, ceil(yTop));
        for (let r = r0; r < r1; r++) {
          const top = r > row ? r : row;
          const bot = r + 1 < yTop ? r + 1 : yTop;
          const part = bot - top;
          if (part <= 0) continue;
          const i = r * W + px;
          if (covT[i] === 0) {
            fz[i] = z;
            covF[i] = part;
          } else if (bz[i] === 0) bz[i] = z;
          covT[i] = covT[i]! + part;
        }
        yTop = row;
        if (yTop <= 0) break;
        z += z * k;
      }
      if (yTop < yMin) yMin = yTop;
    }
    this.yMin = yMin;
  }

  cover(cv: Canvas, mask: Uint8Array): void {
    const covT = this.covT;
    for (let i = 0; i < covT.length; i++) if (covT[i]! >= 0.999) mask[i] = 1;
  }

  draw(cv: Canvas, hidden: Uint8Array): void {
    const env = this.env;
    const t = this.spec;
    const { width: W, height: H } = cv;
    const { fz, bz, covF, covT } = this;
    const hazeCols = hazeColumns(env, W, H);
    const front = newShade();
    const back = newShade();
    for (let py = Math.max(0, floor(this.yMin)); py < H; py++) {
      for (let px = 0; px < W; px++) {
        const i = py * W + px;
        const cov = covT[i]!;
        if (cov <= 0 || hidden[i]) continue;
        const u = cv.u(px);
        shadeTerrain(env, t, u, fz[i]!, H, px, hazeCols, front);
        let r = front.r;
        let g = front.g;
        let b = front.b;
        let label = front.label;
        const cf = covF[i]!;
        if (bz[i]! > 0 && cov - cf > 0.02) {
          shadeTerrain(env, t, u, bz[i]!, H, px, hazeCols, back);
          const wf = cf / cov;
          r = back.r + (r - back.r) * wf;
          g = back.g + (g - back.g) * wf;
          b = back.b + (b - back.b) * wf;
          if (wf < 0.5) label = back.label;
        }
        cv.put(i, r, g, b, cov > 1 ? 1 : cov, label, fz[i]!);
      }
    }
  }
}

const HS: Heights = { m: 0, h: 0, crest: 0 };
const HX: Heights = { m: 0, h: 0, crest: 0 };
const HZ: Heights = { m: 0, h: 0, crest: 0 };

/** Shades the terrain point seen in column u at distance z (lighting, materials, haze). */
function shadeTerrain(env: Env, t: TerrainSpec, u: number, z: number, H: number, px: number, hazeCols: Float32Array, out: Shade): void {
  const F = env.cam.focal;
  const X = (u * z) / F;
  const fp = z / (F * H);
  heights(t, F, X, z, fp, HS);
  const eps = fp > 2 ? fp : 2;
  heights(t, F, X + eps, z, fp, HX);
  heights(t, F, X, z + eps, fp, HZ);
  const isMountain = HS.m >= HS.h;
  const h0 = isMountain ? HS.m : HS.h;
  const dx = ((isMountain ? HX.m : HX.h) - h0) / eps;
  const dz = ((isMountain ? HZ.m : HZ.h) - h0) / eps;
  const inv = 1 / sqrt(dx * dx + 1 + dz * dz);
  const nx = -dx * inv;
  const ny = inv;
  const nz = -dz * inv;
  const [sx, sy, sz] = env.light.sun;
  // Cast shadows only matter under a strong sun.
  const direct = nx * sx + ny * sy + nz * sz > 0;
  const vis = !direct ? 0 : env.light.sunColor[1] < 0.8 ? 1 : sunVisibility(env, t, X, z, h0);
  let ar: number;
  let ag: number;
  let ab: number;
  if (h0 < 3) {
    const q = 0.85 + 0.3 * fbm(X / 120, z / 120, 77, 4, fp / 120);
    ar = t.floor.color[0] * q;
    ag = t.floor.color[1] * q;
    ab = t.floor.color[2] * q;
    out.label = t.floor.label;
  } else if (isMountain) {
    const M = t.mountain!;
    const a = h0 / M.height;
    const wob = fbm(X / 300, z / 300, M.seed + 9, 4, fp / 300);
    // Rock with sedimentary banding and large-scale colour variation.
    const band = noise2(h0 / 45 + wob * 1.5, 0.5, M.seed + 11);
    const tone = 0.5 + 0.5 * fbm(X / 1500, z / 1500, M.seed + 12, 3);
    const rk = smoothstep(-0.6, 0.6, band * 0.7 + (tone - 0.5));
    ar = M.rock[0] + (M.rock2[0] - M.rock[0]) * rk;
    ag = M.rock[1] + (M.rock2[1] - M.rock[1]) * rk;
    ab = M.rock[2] + (M.rock2[2] - M.rock[2]) * rk;
    // Vegetation: forest low down on gentle slopes, meadow above it.
    const veg = smoothstep(M.treeLine + 0.06, M.treeLine - 0.06, a + 0.12 * wob) * smoothstep(0.55, 0.8, ny);
    const meadow = smoothstep(M.treeLine + 0.25, M.treeLine + 0.05, a + 0.1 * wob) * smoothstep(0.7, 0.9, ny) * (1 - veg);
    ar += (M.meadow[0] - ar) * meadow + (M.forest[0] - ar) * veg;
    ag += (M.meadow[1] - ag) * meadow + (M.forest[1] - ag) * veg;
    ab += (M.meadow[2] - ab) * meadow + (M.forest[2] - ab) * veg;
    // Snow lies above the snow line, lower on flat ground and in gullies, not on steep faces.
    const snow = smoothstep(-0.04, 0.04, a - M.snowLine + 0.15 * wob + 0.35 * (ny - 0.65) + 0.1 * (0.5 - HS.crest));
    ar += (0.86 - ar) * snow;
    ag += (0.9 - ag) * snow;
    ab += (0.96 - ab) * snow;
    const ao = 0.65 + 0.35 * smoothstep(0.1, 0.6, HS.crest);
    ar *= ao;
    ag *= ao;
    ab *= ao;
    out.label = SYNTH_CLASSES.mountain;
  } else {
    const Hs = t.hills!;
    // Meadows of varying dryness, woods in soft-edged patches, single trees as dark specks.
    const p = fbm(X / 220, z / 220, Hs.seed + 5, 5, fp / 220);
    const q = 0.5 + 0.5 * fbm(X / 60, z / 60, Hs.seed + 6, 5, fp / 60);
    const fine = fbm(X / 8, z / 8, Hs.seed + 7, 3, fp / 8);
    ar = (Hs.grass[0] + (Hs.grass2[0] - Hs.grass[0]) * q) * (1 + 0.12 * fine);
    ag = (Hs.grass[1] + (Hs.grass2[1] - Hs.grass[1]) * q) * (1 + 0.12 * fine);
    ab = (Hs.grass[2] + (Hs.grass2[2] - Hs.grass[2]) * q) * (1 + 0.12 * fine);
    const woods = smoothstep(0.62 - Hs.woods, 0.8 - Hs.woods, 0.5 + 0.5 * p + 0.15 * fine);
    const specks = smoothstep(0.5, 0.9, fine) * smoothstep(4, 12, 8 / fp) * 0.5;
    const wv = woods > specks ? woods : specks;
    const wt = (0.8 + 0.4 * fine);
    ar += (Hs.forest[0] * wt - ar) * wv;
    ag += (Hs.forest[1] * wt - ag) * wv;
    ab += (Hs.forest[2] * wt - ab) * wv;
    out.label = SYNTH_CLASSES.hill;
  }
  lit(env, nx, ny, nz, ar, ag, ab, vis, out);
  applyHaze(env, out, z, hazeCols, px);
}

/** Soft shadow: march towards the sun over coarse terrain heights. */
function sunVisibility(env: Env, t: TerrainSpec, X: number, Z: number, h0: number): number {
  const [sx, sy, sz] = env.light.sun;
  if (sy <= 0) return 0;
  const F = env.cam.focal;
  let vis = 1;
  let s = 30;
  const hs = HSH;
  for (let k = 0; k < 9; k++) {
    const x = X + sx * s;
    const z = Z + sz * s;
    if (z < t.zStart) break;
    heights(t, F, x, z, s, hs, 4);
    const h = hs.m > hs.h ? hs.m : hs.h;
    const d = h0 + sy * s - h;
    const v = (8 * d) / s;
    if (v < vis) vis = v;
    if (vis <= 0) return 0;
    s *= 1.85;
  }
  return vis > 1 ? 1 : vis;
}
const HSH: Heights = { m: 0, h: 0, crest: 0 };
