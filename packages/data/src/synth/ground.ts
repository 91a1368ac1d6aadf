import { SYNTH_CLASSES } from './classes';
import type { Canvas, Rgb } from './context';
import { applyHaze, hazeColumns, lit, type Env } from './env';
import { edgeCoverage, edgeRows, markBelow, type Layer } from './layer';
import { cells, fbm, hash01, logd, noise1, noise2, smoothstep, type CellHit } from './noise';

const sqrt = Math.sqrt;
const floor = Math.floor;

export type GroundMaterial = 'grass' | 'sand' | 'earth' | 'flowers';

/** Colours of the ground materials for one scene (linear RGB albedo). */
export interface GroundPalette {
  grass: Rgb;
  grassDry: Rgb;
  sand: Rgb;
  earth: Rgb;
  flower: Rgb;
}

/** Something that casts a shadow on the ground: a canopy of radius r (m) centred h m above (X, Z). */
export interface Caster {
  X: number;
  Z: number;
  r: number;
  h: number;
}

export interface GroundSpec {
  /** Distance (m) of the band's far edge, meandering by ±amp (fraction) with frequency freq (per unit u). */
  z: number;
  amp: number;
  freq: number;
  seed: number;
  base: GroundMaterial;
  /** Patches of another material covering about `amount` of the area, features ≈ `size` m. */
  patch?: { material: GroundMaterial; amount: number; size: number };
  /** A strip of another material along the far edge (a beach), `width` m deep. */
  edge?: { material: GroundMaterial; width: number; wet: boolean };
  palette: GroundPalette;
}

const LABEL: Record<GroundMaterial, number> = {
  grass: SYNTH_CLASSES.grass,
  sand: SYNTH_CLASSES.sand,
  earth: SYNTH_CLASSES.earth,
  flowers: SYNTH_CLASSES.flower,
};

/** Scratch albedo + bump normal of a material sample. */
interface Mat {
  r: number;
  g: number;
  b: number;
  nx: number;
  nz: number;
  label: number;
}

/**
 * Albedo and bump of a ground material at (X, Z). `fx`, `fz` are the pixel footprint (m) across and
 * along the view direction (perspective makes fz ≫ fx near the horizon); each noise is band-limited
 * by the footprint measured in its own (anisotropic) lattice units. Grass and flowers stand up, so
 * their small-scale texture uses (X, Zs) with Zs = c·ln Z, in which a pixel is fx × fx: blades and
 * blossoms keep their shape instead of being flattened by perspective.
 */
function material(m: GroundMaterial, P: GroundPalette, seed: number, X: number, Z: number, Zs: number, fx: number, fz: number, wet: number, out: Mat): void {
  out.nx = 0;
  out.nz = 0;
  out.label = LABEL[m];
  const fp = fx > fz ? fx : fz; // isotropic footprint (m)
  switch (m) {
    case 'grass':
    case 'flowers': {
      const lo = fbm(X / 18, Z / 18, seed, 2, fp / 18);
      const mid = fbm(X / 3, Z / 3, seed + 1, 2, fp / 3);
      const t = smoothstep(-0.5, 0.6, lo * 0.8 + mid * 0.45);
      // Tufts with irregular dark hollows, then blades (vertical streaks), all upright.
      const tuft = fbm(X / 0.28, Zs / 0.28, seed + 3, 3, fx / 0.28);
      const blade = fbm(X / 0.02, Zs / 0.05, seed + 2, 2, fx / 0.02);
      const hollow = smoothstep(-0.15, -0.55, tuft);
      const tone = (1 + 0.25 * tuft + 0.3 * blade) * (0.93 + 0.14 * mid) * (1 - 0.3 * hollow);
      out.r = (P.grass[0] + (P.grassDry[0] - P.grass[0]) * t) * tone;
      out.g = (P.grass[1] + (P.grassDry[1] - P.grass[1]) * t) * tone;
      out.b = (P.grass[2] + (P.grassDry[2] - P.grass[2]) * t) * tone;
      out.nx = 0.3 * blade + 0.25 * tuft;
      out.nz = 0.2 * tuft;
      if (m === 'flowers') {
        // Blossoms: hashed dots on a 9 cm lattice, denser in clusters; beyond resolution, their tint.
        const cell = 0.09;
        const fpc = fx / cell;
        const dens = 0.4 + 0.45 * smoothstep(-0.3, 0.5, fbm(X / 0.8, Zs / 0.8, seed + 6, 2, fx / 0.8));
        let f = dens * 0.5; // average cover of the blossoms
        if (fpc < 2) {
          const cx = floor(X / cell);
          const cz = floor(Zs / cell);
          const hj = hash01(cx, cz, seed + 7);
          const ox = X / cell - cx - 0.25 - 0.5 * hj;
          const oz = Zs / cell - cz - 0.25 - 0.5 * hash01(cz, cx, seed + 8);
          const d2 = ox * ox + oz * oz;
          const rad = 0.05 + 0.08 * hj;
          const dot = hash01(cx, cz, seed + 4) < dens ? 1 - smoothstep(rad, rad + 0.05 + 0.25 * fpc, d2) : 0;
          const w = smoothstep(1, 2, fpc);
          f = dot * (1 - w) + f * w;
          const shade = 0.8 + 0.4 * hash01(cx, cz, seed + 5);
          out.r += (P.flower[0] * shade - out.r) * f;
          out.g += (P.flower[1] * shade - out.g) * f;
          out.b += (P.flower[2] * shade - out.b) * f;
        } else {
          out.r += (P.flower[0] - out.r) * f;
          out.g += (P.flower[1] - out.g) * f;
          out.b += (P.flower[2] - out.b) * f;
        }
      }
      break;
    }
    case 'sand': {
      // Wind ripples: crests across the view, ~12 cm apart, wandering; only where resolvable.
      const warp = fbm(X / 4, Z / 4, seed + 6, 2, fp / 4);
      const rip = noise2(X / 0.6 + warp * 2, Z / 0.12 + warp * 6, seed + 7) * (1 - smoothstep(0.25, 0.6, fx / 0.6 > fz / 0.12 ? fx / 0.6 : fz / 0.12));
      const lo = fbm(X / 8, Z / 8, seed + 8, 3, fp / 8);
      const mid = fbm(X / 1.2, Z / 1.2, seed + 10, 2, fp / 1.2);
      const grain = fbm(X / 0.015, Z / 0.015, seed + 9, 1, fp / 0.015);
      const bumps = fbm(X / 0.25, Z / 0.25, seed + 11, 3, fp / 0.25);
      const tone = (1 + 0.1 * lo + 0.06 * mid + 0.1 * grain + 0.05 * rip + 0.07 * bumps) * (1 - 0.45 * wet);
      out.r = P.sand[0] * tone * (1 - 0.08 * wet);
      out.g = P.sand[1] * tone;
      out.b = P.sand[2] * tone * (1 + 0.06 * wet);
      out.nz = 0.1 * rip + 0.05 * mid;
      out.nx = 0.05 * mid + 0.12 * bumps;
      break;
    }
    default: {
      // Dry earth: tonal blotches, clods, pebbles, and a few tufts of grass.
      const lo = fbm(X / 4, Z / 4, seed + 10, 3, fp / 4);
      const clod = fbm(X / 0.15, Z / 0.15, seed + 11, 3, fp / 0.15);
      const fpp = fp / 0.05;
      const peb = hash01(floor(X / 0.05), floor(Z / 0.05), seed + 12);
      const pv = fpp < 1 ? (peb > 0.93 ? 0.35 * (1 - fpp) : 0) + 0.02 * fpp : 0.02;
      const tone = (1 + 0.18 * lo + 0.22 * clod) * (1 + pv) * (1 - 0.35 * wet);
      out.r = P.earth[0] * tone;
      out.g = P.earth[1] * tone;
      out.b = P.earth[2] * tone;
      const tufts = smoothstep(0.25, 0.6, fbm(X / 0.5, Zs / 0.5, seed + 13, 3, fx / 0.5)) * 0.6;
      out.r += (P.grassDry[0] * 0.8 - out.r) * tufts;
      out.g += (P.grassDry[1] * 0.8 - out.g) * tufts;
      out.b += (P.grassDry[2] * 0.8 - out.b) * tufts;
      out.nx = 0.3 * clod;
      out.nz = 0.25 * clod;
    }
  }
}

/** Canopy shadows on the ground: each caster's shadow centre and reach, precomputed per draw. */
class Shadows {
  private readonly cx: Float64Array;
  private readonly cz: Float64Array;
  private readonly r: Float64Array;
  private readonly reach: Float64Array;
  private readonly ax: number;
  private readonly az: number;
  private readonly sy: number;
  readonly n: number;

  constructor(env: Env, casters: readonly Caster[]) {
    const [sx, sy0, sz] = env.light.sun;
    // Weak or very low sun: no crisp shadows worth drawing.
    const strong = env.light.sunColor[1] > 0.8 && sy0 > 0.02;
    this.n = strong ? casters.length : 0;
    const sy = sy0 > 0.2 ? sy0 : 0.2;
    const hl = sqrt(sx * sx + sz * sz) || 1;
    this.ax = sx / hl;
    this.az = sz / hl;
    this.sy = sy;
    this.cx = new Float64Array(this.n);
    this.cz = new Float64Array(this.n);
    this.r = new Float64Array(this.n);
    this.reach = new Float64Array(this.n);
    for (let k = 0; k < this.n; k++) {
      const c = casters[k]!;
      this.cx[k] = c.X - (sx * c.h) / sy;
      this.cz[k] = c.Z - (sz * c.h) / sy;
      this.r[k] = c.r;
      this.reach[k] = c.r / sy + c.r;
    }
  }

  /** 1 = lit, down to 0.25 in a canopy's core shadow. */
  at(X: number, Z: number): number {
    let vis = 1;
    for (let k = 0; k < this.n; k++) {
      const dx = X - this.cx[k]!;
      const dz = Z - this.cz[k]!;
      const reach = this.reach[k]!;
      if (dx > reach || dx < -reach || dz > reach || dz < -reach) continue;
      const along = (dx * this.ax + dz * this.az) * this.sy;
      const across = dx * this.az - dz * this.ax;
      const d = sqrt(along * along + across * across);
      const r = this.r[k]!;
      const s = smoothstep(r * 0.55, r * 1.1, d);
      if (s < vis) vis = s;
    }
    return 0.25 + 0.75 * vis;
  }
}

/** A ground plane region from a (meandering) far edge down to the bottom of the image. */
export class GroundBand implements Layer {
  readonly spec: GroundSpec;
  private readonly env: Env;
  casters: Caster[] = [];
  private rows: Float64Array | null = null;

  constructor(env: Env, spec: GroundSpec) {
    this.env = env;
    this.spec = spec;
  }

  /** Distance (m) of the far edge in column u. */
  zTop(u: number): number {
    const s = this.spec;
    if (s.amp === 0) return s.z;
    const n = fbm(u * s.freq, 0.5, s.seed + 77, 3);
    return s.z * (1 + s.amp * n);
  }

  top(u: number): number {
    return this.env.rowOf(this.zTop(u));
  }

  private edgeRows(cv: Canvas): Float64Array {
    if (!this.rows || this.rows.length !== cv.width) this.rows = edgeRows(cv, (u) => this.top(u));
    return this.rows;
  }

  cover(cv: Canvas, mask: Uint8Array): void {
    markBelow(cv, this.edgeRows(cv), mask);
  }

  /** Beach width (m) and patch field at (X, Z) relative to the far edge `zt`. */
  private fields(X: number, Z: number, zt: number, fp: number): Fields {
    const s = this.spec;
    let edge = -1;
    if (s.edge) {
      // The strip's depth is a fraction of the edge distance, so on screen it follows the
      // shoreline instead of swinging wildly where the shore comes close.
      let f = (s.edge.width / s.z) * (1 + 0.3 * fbm(X / (s.edge.width * 6), 0.5, s.seed + 3, 2));
      if (f > 0.85) f = 0.85;
      edge = (Z - zt * (1 - f)) / (fp > 1e-6 ? fp : 1e-6);
    }
    let patch = -1;
    if (s.patch) {
      const p = s.patch;
      const n = fbm(X / p.size, Z / p.size, s.seed + 4, 4, fp / p.size);
      patch = n - (0.45 - 0.9 * p.amount);
    }
    FIELDS.edge = edge;
    FIELDS.patch = patch;
    return FIELDS;
  }

  labelAt(u: number, v: number): number {
    const zt = this.zTop(u);
    if (v < this.env.rowOf(zt)) return -1;
    const Z = this.env.groundZ(v);
    const X = (u * Z) / this.env.cam.focal;
    const f = this.fields(X, Z, zt, 0.01);
    const s = this.spec;
    if (f.edge > 0 && s.edge) return LABEL[s.edge.material];
    if (f.patch > 0 && s.patch) return LABEL[s.patch.material];
    return LABEL[s.base];
  }

  draw(cv: Canvas, hidden: Uint8Array): void {
    const env = this.env;
    const s = this.spec;
    const { width: W, height: H } = cv;
    const F = env.cam.focal;
    const c = env.cam.height;
    const rows = this.edgeRows(cv);
    const hazeCols = hazeColumns(env, W, H);
    const shadows = new Shadows(env, this.casters);
    const A: Mat = { r: 0, g: 0, b: 0, nx: 0, nz: 0, label: 0 };
    const B: Mat = { r: 0, g: 0, b: 0, nx: 0, nz: 0, label: 0 };
    const o = { r: 0, g: 0, b: 0, label: 0 };
    for (let px = 0; px < W; px++) {
      const u = cv.u(px);
      const zt = this.zTop(u);
      const r0 = Math.max(0, floor(rows[px]! - 1));
      for (let py = r0; py < H; py++) {
        if (hidden[py * W + px]) continue;
        const a = edgeCoverage(rows, px, py);
        if (a <= 0) continue;
        const v = cv.v(py);
        let Z = env.groundZ(v);
        if (!(Z < zt * 1.5)) Z = zt * 1.5; // the AA row just above the edge
        const X = (u * Z) / F;
        const Zs = c * logd(Z);
        const fpx = Z / (F * H);
        const fpz = (Z * Z) / (F * c * H);
        const fp = fpx > fpz ? fpx : fpz;
        const f = this.fields(X, Z, zt, fpz);
        // Wetness: sand (or earth) close to water is darker.
        const wet = s.edge?.wet ? 1 - smoothstep(0, zt * Math.min(0.3, (s.edge.width / s.z) * 0.35), zt - Z) : 0;
        // Pick the material(s): the beach strip wins over patches, patches over the base.
        let mA: GroundMaterial = s.base;
        let mB: GroundMaterial | null = null;
        let t = 0; // weight of mB
        if (s.edge && f.edge > -1) {
          if (f.edge >= 1) mA = s.edge.material;
          else {
            mB = s.edge.material;
            t = 0.5 + 0.5 * f.edge;
          }
        }
        if (s.patch && mA === s.base && mB === null && f.patch > -0.12) {
          const p = s.patch;
          if (f.patch >= 0.12) mA = p.material;
          else {
            // Near the boundary: anti-alias with the field's change over one pixel.
            const n2 = fbm((X + fpx) / p.size, Z / p.size, s.seed + 4, 4, fp / p.size) - (0.45 - 0.9 * p.amount);
            const n3 = fbm(X / p.size, (Z + fpz) / p.size, s.seed + 4, 4, fp / p.size) - (0.45 - 0.9 * p.amount);
            const gx = n2 - f.patch;
            const gz = n3 - f.patch;
            const g = sqrt(gx * gx + gz * gz) + 1e-9;
            const ap = Math.min(1, Math.max(0, 0.5 + f.patch / g));
            if (ap >= 1) mA = p.material;
            else if (ap > 0) {
              mB = p.material;
              t = ap;
            }
          }
        }
        material(mA, s.palette, s.seed, X, Z, Zs, fpx, fpz, wet, A);
        let ar = A.r;
        let ag = A.g;
        let ab = A.b;
        let nx = A.nx;
        let nz = A.nz;
        let label = A.label;
        if (mB !== null && t > 0) {
          material(mB, s.palette, s.seed, X, Z, Zs, fpx, fpz, wet, B);
          ar += (B.r - ar) * t;
          ag += (B.g - ag) * t;
          ab += (B.b - ab) * t;
          nx += (B.nx - nx) * t;
          nz += (B.nz - nz) * t;
          if (t >= 0.5) label = B.label;
        }
        const inv = 1 / sqrt(nx * nx + 1 + nz * nz);
        const vis = shadows.n > 0 ? shadows.at(X, Z) : 1;
        lit(env, nx * inv, inv, nz * inv, ar, ag, ab, vis, o);
        applyHaze(env, o, Z, hazeCols, px);
        cv.put(py * W + px, o.r, o.g, o.b, a, label, Z);
      }
    }
  }
}

export interface ForestSpec {
  /** Distance (m) of the tree line. */
  z: number;
  /** Tree spacing, heights (m) and the share of conifers. */
  spacing: number;
  hMin: number;
  hMax: number;
  conifer: number;
  seed: number;
  leaf: Rgb;
  needle: Rgb;
  /** Gaps: fraction of the width without trees (0 = a continuous wall). */
  gaps: number;
}

/** A distant wall of trees (a tree line or the edge of a wood), label `tree`. */
export class ForestBand implements Layer {
  readonly spec: ForestSpec;
  private readonly env: Env;
  private rows: Float64Array | null = null;

  constructor(env: Env, spec: ForestSpec) {
    this.env = env;
    this.spec = spec;
  }

  /** Tree j of the line (two interleaved rows: even j front, odd j back): centre, height, half-width, type. */
  private tree(j: number, out: TreeRec): void {
    const s = this.spec;
    const r1 = hash01(j, 1, s.seed);
    const r2 = hash01(j, 2, s.seed);
    const r3 = hash01(j, 3, s.seed);
    const back = (j & 1) === 1;
    out.cx = (j * 0.5 + 0.1 + 0.8 * r1) * s.spacing;
    const gap = 0.5 + 0.5 * noise1((j * s.spacing) / 120, s.seed + 5);
    const grow = gap < s.gaps ? 0.3 + 0.4 * r2 : 1;
    out.h = (s.hMin + (s.hMax - s.hMin) * r2 * r2) * grow * (back ? 1.12 : 1);
    out.con = r3 < s.conifer;
    out.w = out.h * (out.con ? 0.2 + 0.1 * r1 : 0.32 + 0.12 * r3) + s.spacing * 0.2;
    out.back = back;
    out.id = r3;
  }

  /** Canopy top (m) at X, with the dominant tree's offset (−1..1 across it), type and row. */
  private profile(X: number, fine: number, res: TreeRec & { off: number }): void {
    const s = this.spec;
    const j0 = floor((2 * X) / s.spacing);
    let best = -1;
    const t = TREE;
    res.con = false;
    res.back = true;
    res.off = 0;
    res.id = 0;
    for (let j = j0 - 5; j <= j0 + 3; j++) {
      this.tree(j, t);
      const d = (X - t.cx) / t.w;
      if (d <= -1 || d >= 1) continue;
      const ad = d < 0 ? -d : d;
      let h: number;
      if (t.con) {
        // Spire with drooping tiers and a ragged edge.
        const tier = 1 - 0.14 * (((1 - ad) * 6) % 1);
        h = t.h * (1 - ad) * tier * (1 + 0.08 * fine);
      } else h = t.h * (0.55 + 0.45 * sqrt(1 - ad * ad)) * (1 + 0.06 * fine) - t.h * 0.12 * ad * ad;
      // Front-row trees win ties within a metre: they occlude the back row.
      const hh = t.back ? h - 0.5 : h;
      if (hh > best) {
        best = hh;
        res.off = d;
        res.con = t.con;
        res.back = t.back;
        res.id = t.id;
        res.h = h;
      }
    }
    const floorH = s.hMin * 0.4 * (0.9 + 0.1 * fine);
    if (best < floorH) {
      res.h = floorH;
      res.off = 0;
      res.con = false;
      res.back = true;
    }
  }

  /**
   * The crown seen at (X, y) (y = height above ground): the tree whose crown contains the point,
   * front row first. Writes its sphere/cone normal, row, type and id; returns false in the dark
   * understory between crowns.
   */
  private crownAt(X: number, y: number, res: CrownHit): boolean {
    const s = this.spec;
    const j0 = floor((2 * X) / s.spacing);
    const t = TREE;
    let best = 0;
    for (let j = j0 - 5; j <= j0 + 3; j++) {
      this.tree(j, t);
      const dx = (X - t.cx) / t.w;
      if (dx <= -1 || dx >= 1) continue;
      let q: number;
      let nx: number;
      let ny: number;
      if (t.con) {
        const rel = y / t.h;
        if (rel < 0.05 || rel > 1) continue;
        const hw = 1 - rel;
        const ax = dx < 0 ? -dx : dx;
        q = hw > 0 ? 1 - ax / hw : -1;
        nx = dx / (hw > 0.05 ? hw : 0.05);
        ny = 0.45;
      } else {
        const cy = t.h * 0.56;
        const dy = (y - cy) / (t.h * 0.44);
        q = 1 - dx * dx - dy * dy;
        nx = dx;
        ny = dy + 0.2;
      }
      if (q <= 0) continue;
      const score = q + (t.back ? 0 : 0.35);
      if (score > best) {
        best = score;
        res.nx = nx;
        res.ny = ny;
        res.nz = -sqrt(q > 1 ? 1 : q) - 0.25;
        res.con = t.con;
        res.back = t.back;
        res.id = t.id;
      }
    }
    return best > 0;
  }

  top(u: number): number {
    const X = (u * this.spec.z) / this.env.cam.focal;
    this.profile(X, noise1(X / 1.2, this.spec.seed + 9), PROF);
    return this.env.rowOf(this.spec.z, PROF.h);
  }

  private edgeRows(cv: Canvas): Float64Array {
    if (!this.rows || this.rows.length !== cv.width) this.rows = edgeRows(cv, (u) => this.top(u));
    return this.rows;
  }

  cover(cv: Canvas, mask: Uint8Array): void {
    // The wall stops at its ground line; the band in front covers what is below.
    markBelow(cv, this.edgeRows(cv), mask, Math.floor(this.env.rowOf(this.spec.z) * cv.height));
  }

  labelAt(u: number, v: number): number {
    const top = this.top(u);
    return v >= top && v <= this.env.rowOf(this.spec.z) ? SYNTH_CLASSES.tree : -1;
  }

  draw(cv: Canvas, hidden: Uint8Array): void {
    const env = this.env;
    const s = this.spec;
    const { width: W, height: H } = cv;
    const F = env.cam.focal;
    const rows = this.edgeRows(cv);
    const hazeCols = hazeColumns(env, W, H);
    const o = { r: 0, g: 0, b: 0, label: 0 };
    const fp = s.z / (F * H);
    const ground = env.rowOf(s.z) * H + 2;
    const cs = s.spacing * 0.16;
    const detail = smoothstep(1, 3, cs / fp);
    const c = CELL_F;
    for (let px = 0; px < W; px++) {
      const u = cv.u(px);
      const X = (u * s.z) / F;
      const r0 = Math.max(0, floor(rows[px]! - 1));
      const r1 = Math.min(H, Math.ceil(ground));
      for (let py = r0; py < r1; py++) {
        if (hidden[py * W + px]) continue;
        const a = edgeCoverage(rows, px, py);
        if (a <= 0) continue;
        const y = env.cam.height - ((cv.v(py) - env.cam.horizon) * s.z) / F; // height above ground
        const inCrown = this.crownAt(X, y, HIT);
        // Foliage clumps (only where resolvable) and broad tonal variation.
        let cx = 0;
        let cy = 0;
        let cq = 0.5;
        const con = HIT.con;
        if (detail > 0) {
          cells(X / cs, y / (cs * (con ? 0.6 : 0.9)), s.seed + 13, 0.9, c);
          cx = (X / cs - c.x) / 0.6;
          cy = (y / (cs * (con ? 0.6 : 0.9)) - c.y) / 0.6;
          const q = 1 - cx * cx - cy * cy;
          cq = q > 0 ? q : 0;
        }
        const tone = fbm(X / 5, y / 5, s.seed + 1, 3, fp / 5);
        let nx0: number;
        let ny0: number;
        let nz0: number;
        let ao: number;
        let hue = 0;
        if (inCrown) {
          nx0 = HIT.nx * 0.8 + 0.5 * cx * detail + 0.15 * tone;
          ny0 = HIT.ny * 0.8 + 0.4 * cy * detail;
          nz0 = HIT.nz - 0.3 * sqrt(cq) * detail;
          ao = (HIT.back ? 0.7 : 1) * (1 - detail * 0.4 * (1 - cq)) * (0.85 + 0.15 * tone) * (0.55 + 0.45 * smoothstep(0, s.hMin, y));
          hue = HIT.id - 0.5;
        } else {
          // Understory: shade between and below the crowns.
          nx0 = 0.2 * tone;
          ny0 = 0.1;
          nz0 = -1;
          ao = 0.3 + 0.1 * tone;
        }
        const inv = 1 / sqrt(nx0 * nx0 + ny0 * ny0 + nz0 * nz0);
        const base = con ? s.needle : s.leaf;
        lit(env, nx0 * inv, ny0 * inv, nz0 * inv, base[0] * ao * (1 + 0.3 * hue), base[1] * ao * (1 + 0.12 * hue), base[2] * ao, 1, o, 0.5);
        applyHaze(env, o, s.z, hazeCols, px);
        cv.put(py * W + px, o.r, o.g, o.b, a, SYNTH_CLASSES.tree, s.z);
      }
    }
  }
}

interface CrownHit {
  nx: number;
  ny: number;
  nz: number;
  con: boolean;
  back: boolean;
  id: number;
}

const HIT: CrownHit = { nx: 0, ny: 0, nz: -1, con: false, back: false, id: 0 };

interface TreeRec {
  cx: number;
  h: number;
  w: number;
  con: boolean;
  back: boolean;
  id: number;
}

const TREE: TreeRec = { cx: 0, h: 0, w: 0, con: false, back: false, id: 0 };
const PROF: TreeRec & { off: number } = { cx: 0, h: 0, w: 0, con: false, back: false, id: 0, off: 0 };
const CELL_F: CellHit = { x: 0, y: 0, d1: 0, d2: 0, id: 0 };

interface Fields {
  edge: number;
  patch: number;
}

const FIELDS: Fields = { edge: 0, patch: 0 };
