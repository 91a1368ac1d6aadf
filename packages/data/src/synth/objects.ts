import { SYNTH_CLASSES } from './classes';
import type { Canvas, Rgb } from './context';
import { hazeColumns, lit, type Env } from './env';
import type { Caster } from './ground';
import type { Layer } from './layer';
import { cells, fbm, hash01, noise1, smoothstep, type CellHit } from './noise';

const sqrt = Math.sqrt;
const floor = Math.floor;
const ceil = Math.ceil;

export type ObjectKind = 'conifer' | 'broadleaf' | 'bush' | 'rock';

/** A tree, bush or rock standing on the ground at (X, Z) (m). */
export interface SceneObject {
  kind: ObjectKind;
  X: number;
  Z: number;
  /** Height and width (m). */
  h: number;
  w: number;
  seed: number;
  color: Rgb;
  /** Second colour: trunk (trees) or lichen (rocks). */
  color2: Rgb;
}

interface Blob {
  x: number;
  y: number;
  r: number;
}

/** Canopy blobs of a broadleaf tree or bush, in metres relative to the trunk base. */
function canopy(o: SceneObject): Blob[] {
  const n = o.kind === 'bush' ? 4 : 7;
  const cy = o.kind === 'bush' ? o.h * 0.5 : o.h * 0.62;
  const ry = o.kind === 'bush' ? o.h * 0.5 : o.h * 0.38;
  const rx = o.w * 0.5;
  const out: Blob[] = [];
  for (let k = 0; k < n; k++) {
    const a = hash01(k, 1, o.seed) * 2 - 1;
    const b = hash01(k, 2, o.seed) * 2 - 1;
    const r = (0.42 + 0.25 * hash01(k, 3, o.seed)) * (rx < ry ? rx : ry);
    out.push({ x: a * (rx - r * 0.8), y: cy + b * (ry - r * 0.8) * 0.9, r });
  }
  // A central blob guarantees a closed crown.
  out.push({ x: 0, y: cy, r: 0.62 * (rx < ry ? rx : ry) });
  return out;
}

/** Trees, bushes and rocks, drawn far to near. */
export class ObjectsLayer implements Layer {
  readonly objects: SceneObject[];
  private readonly env: Env;

  constructor(env: Env, objects: SceneObject[]) {
    this.env = env;
    this.objects = [...objects].sort((a, b) => b.Z - a.Z || a.X - b.X);
  }

  /** Shadow casters for the ground (tree crowns, bushes, rocks). */
  casters(): Caster[] {
    return this.objects.map((o) => {
      switch (o.kind) {
        case 'conifer':
          return { X: o.X, Z: o.Z, r: o.w * 0.4, h: o.h * 0.45 };
        case 'broadleaf':
          return { X: o.X, Z: o.Z, r: o.w * 0.45, h: o.h * 0.62 };
        case 'bush':
          return { X: o.X, Z: o.Z, r: o.w * 0.45, h: o.h * 0.45 };
        default:
          return { X: o.X, Z: o.Z, r: o.w * 0.4, h: o.h * 0.4 };
      }
    });
  }

  draw(cv: Canvas): void {
    const hazeCols = hazeColumns(this.env, cv.width, cv.height);
    for (const o of this.objects) this.drawObject(cv, o, hazeCols);
  }

  private drawObject(cv: Canvas, o: SceneObject, hazeCols: Float32Array): void {
    const env = this.env;
    const { width: W, height: H } = cv;
    const F = env.cam.focal;
    const s = F / o.Z; // image heights per metre at this distance
    const pm = o.Z / (F * H); // metres per pixel
    const uc = F * (o.X / o.Z);
    const vb = env.rowOf(o.Z);
    const halfW = o.w * 0.8 + pm * 2;
    const x0 = Math.max(0, floor(cv.px(uc - halfW * s)));
    const x1 = Math.min(W - 1, ceil(cv.px(uc + halfW * s)));
    const y0 = Math.max(0, floor((vb - (o.h * 1.12 + pm * 2) * s) * H));
    const y1 = Math.min(H - 1, ceil((vb + (pm * 2 + o.h * 0.02) * s) * H));
    if (x0 > x1 || y0 > y1) return;
    const haze = env.haze(o.Z);
    const shade = SHADE;
    const m = MAT;
    const draw = o.kind === 'conifer' ? conifer : o.kind === 'rock' ? rock : crown;
    const prep = o.kind === 'conifer' || o.kind === 'rock' ? null : canopy(o);
    for (let py = y0; py <= y1; py++) {
      const y = (vb - cv.v(py)) / s; // metres above the base
      for (let px = x0; px <= x1; px++) {
        const x = (cv.u(px) - uc) / s;
        draw(o, x, y, pm, prep, m);
        const a = 0.5 + m.sd / pm;
        if (a <= 0) continue;
        const inv = 1 / sqrt(m.nx * m.nx + m.ny * m.ny + m.nz * m.nz);
        lit(env, m.nx * inv, m.ny * inv, m.nz * inv, m.r, m.g, m.b, 1, shade, m.wrap);
        const k = 3 * px;
        const r = shade.r + (hazeCols[k]! - shade.r) * haze;
        const g = shade.g + (hazeCols[k + 1]! - shade.g) * haze;
        const b = shade.b + (hazeCols[k + 2]! - shade.b) * haze;
        cv.put(py * W + px, r, g, b, a > 1 ? 1 : a, m.label, o.Z);
      }
    }
  }
}

/** Signed distance (m, > 0 inside), normal (camera looks along +z) and albedo of one sample. */
interface ObjSample {
  sd: number;
  /** Light wrap (foliage scatters light). */
  wrap: number;
  nx: number;
  ny: number;
  nz: number;
  r: number;
  g: number;
  b: number;
  label: number;
}

const SHADE = { r: 0, g: 0, b: 0, label: 0 };
const MAT: ObjSample = { sd: 0, wrap: 0, nx: 0, ny: 0, nz: -1, r: 0, g: 0, b: 0, label: 0 };
const CELL: CellHit = { x: 0, y: 0, d1: 0, d2: 0, id: 0 };

/** Weight of detail of size `size` (m) at `pm` metres per pixel: 0 below ~1 px, 1 above ~3 px. */
function lod(size: number, pm: number): number {
  return smoothstep(1, 3, size / pm);
}

/** Trunk (tapering, leaning) shared by both tree kinds; sets m when the trunk is nearer than sd. */
function trunk(o: SceneObject, x: number, y: number, top: number, width: number, m: ObjSample): number {
  const lean = (hash01(1, 9, o.seed) - 0.5) * 0.1;
  const tx = x - lean * y - 0.15 * width * noise1(y / 1.5, o.seed + 4);
  const tw = width * (1.25 - 0.5 * (y / top));
  const sd = Math.min(tw - (tx < 0 ? -tx : tx), y + 0.3, top - y);
  if (sd > m.sd) {
    m.sd = sd;
    const across = tx / tw;
    m.nx = across;
    m.ny = 0;
    m.nz = -sqrt(1 - (across * across < 1 ? across * across : 1)) - 0.1;
    m.wrap = 0;
    const bark = (0.8 + 0.2 * noise1(y / 0.12 + 3 * across, o.seed + 3)) * (0.75 + 0.35 * fbm(tx / (width * 0.25), y / 0.6, o.seed + 6, 2));
    m.r = o.color2[0] * bark;
    m.g = o.color2[1] * bark;
    m.b = o.color2[2] * bark;
    m.label = SYNTH_CLASSES.tree;
  }
  return sd;
}

/** Broadleaf crown (tree or bush): big blobs for the envelope, leaf clumps for outline and light. */
function crown(o: SceneObject, x: number, y: number, pm: number, blobs: Blob[] | null, m: ObjSample): void {
  const bl = blobs!;
  const bush = o.kind === 'bush';
  // Envelope: the nearest-surface blob.
  let env = -1e9;
  let bi = 0;
  for (let k = 0; k < bl.length; k++) {
    const b = bl[k]!;
    const dx = x - b.x;
    const dy = y - b.y;
    const d = b.r - sqrt(dx * dx + dy * dy);
    if (d > env) {
      env = d;
      bi = k;
    }
  }
  // Leaf clumps: Worley cells scallop the outline; the lighting uses broad masses of foliage
  // (lit and shaded lobes) plus fine leaf noise, so the crown does not read as a pile of balls.
  const cs = bush ? Math.max(0.12, o.w * 0.12) : Math.min(1.4, Math.max(0.3, o.w * 0.09));
  const c = cells(x / cs, y / (cs * 0.85), o.seed + 11, 0.9, CELL);
  const leaf = fbm(x / (cs * 0.35), y / (cs * 0.35), o.seed + 1, 3, pm / (cs * 0.35));
  const mass = fbm(x / (o.w * 0.3), y / (o.w * 0.3), o.seed + 5, 3, pm / (o.w * 0.3));
  const detail = lod(cs, pm);
  m.sd = env + (0.45 * (0.6 - c.d1) - 0.12) * cs * (0.4 + 0.6 * detail) + 0.06 * cs * leaf + o.w * 0.05 * mass;
  m.label = bush ? SYNTH_CLASSES.plant : SYNTH_CLASSES.tree;
  m.wrap = 0.6;
  // Normal: the blob's sphere, bent by foliage masses and leaves.
  const b = bl[bi]!;
  const gx = (x - b.x) / (b.r * 1.15);
  const gy = (y - b.y) / (b.r * 1.15);
  const gq = 1 - gx * gx - gy * gy;
  const gz = -(gq > 0 ? sqrt(gq) : 0) - 0.15;
  m.nx = gx + 0.45 * mass + 0.3 * leaf * detail;
  m.ny = gy + 0.15 + 0.35 * mass;
  m.nz = gz;
  // Self-shadowing: dark pockets where the masses recede, darker low in the crown; leaf speckle.
  const pocket = smoothstep(-0.1, -0.5, mass + 0.3 * leaf);
  const low = smoothstep(b.y - b.r, b.y + b.r * 0.6, y);
  const speck = fbm(x / (cs * 0.12), y / (cs * 0.12), o.seed + 7, 2, pm / (cs * 0.12));
  const ao = (1 - 0.5 * pocket) * (0.62 + 0.38 * low) * (0.78 + 0.35 * leaf * detail + 0.2 * speck) * (c.id < 0.08 ? 1 - 0.4 * detail : 1);
  const hue = c.id - 0.5;
  m.r = o.color[0] * ao * (1 + 0.25 * hue * detail);
  m.g = o.color[1] * ao * (1 + 0.1 * hue * detail);
  m.b = o.color[2] * ao;
  if (!bush) trunk(o, x, y, o.h * 0.55, o.w * 0.045, m);
}

/** Conifer: drooping tiers with ragged branch tips, needle clumps, trunk at the base. */
function conifer(o: SceneObject, x: number, y: number, pm: number, _b: Blob[] | null, m: ObjSample): void {
  const y0 = o.h * 0.08;
  const rel = (y - y0) / (o.h - y0);
  const tiers = 6 + floor(hash01(2, 9, o.seed) * 7);
  const ax = x < 0 ? -x : x;
  const R = o.w * 0.5;
  // Tiers droop towards their tips and wander, so their lower edges are neither flat nor straight.
  const tr = rel * tiers + (0.7 * ax) / R + 0.35 * noise1(x / (R * 0.3 + 0.15), o.seed + 12);
  const k = floor(tr);
  const t = tr - k; // 0 at a tier's drooping tips, 1 just under the tier above
  const side = x < 0 ? 0 : 1;
  const wk = 0.8 + 0.35 * hash01(k, side, o.seed + 5);
  const taper = rel < 0 ? 1 : rel > 1 ? 0 : 1 - rel;
  const tip = noise1(y / 0.22 + side * 17, o.seed + 6);
  const needle = fbm(x / 0.12, y / 0.12, o.seed + 7, 2, pm / 0.12);
  const hw = R * taper * wk * (0.55 + 0.45 * (1 - t) * (1 - t)) * (1 + 0.15 * tip) + R * 0.04;
  // Horizontal distance to the crown's edge, bounded above by the tip and below by the lowest tier
  // (taper is clamped, so hw stays a width outside the crown's height range too).
  let sd = (taper > 0 ? hw : R * 0.04) - ax + 0.04 * R * needle;
  if (o.h - y < sd) sd = o.h - y;
  if (y - y0 < sd) sd = y - y0;
  m.sd = sd;
  m.label = SYNTH_CLASSES.tree;
  m.wrap = 0.45;
  // Branch masses within each tier (fBm stretched along the branches) and fine needles.
  const across = hw > 0 ? x / hw : 0;
  const branch = fbm(x / (R * 0.18 + 0.1), t * 1.5 + k * 3.7, o.seed + 8, 3, pm / (R * 0.18 + 0.1));
  const detail = lod(0.15, pm);
  m.nx = across * 0.8 + 0.35 * branch + 0.25 * needle * detail;
  m.ny = 0.3 + 0.6 * (1 - t) + 0.2 * branch;
  m.nz = -0.6;
  // Under each tier's overhang is dark; the drooping tips catch the light.
  const edge = ax / (hw > 0.01 ? hw : 0.01);
  const ao =
    (0.35 + 0.65 * (1 - t) * (1 - t)) *
    (0.6 + 0.4 * (edge < 1 ? edge : 1)) *
    (0.8 + 0.2 * branch) *
    (0.8 + 0.3 * needle * detail);
  const tipGlow = (1 - t) * 0.25;
  m.r = o.color[0] * ao * (1 + tipGlow * 0.6);
  m.g = o.color[1] * ao * (1 + tipGlow);
  m.b = o.color[2] * ao;
  trunk(o, x, y, o.h * 0.35, o.w * 0.05, m);
}

/** Boulder: a lumpy, partly buried envelope with angular facets, grain and lichen. */
function rock(o: SceneObject, x: number, y: number, pm: number, _b: Blob[] | null, m: ObjSample): void {
  const R = o.w * 0.5;
  const cy = o.h * 0.3;
  const lx = x / R;
  const ly = (y - cy) / (o.h * 0.7);
  const lump = fbm(lx * 1.2, ly * 1.2, o.seed, 3, pm / R);
  const fs = 0.3;
  const c = cells(lx / fs, ly / fs, o.seed + 1, 1, CELL);
  const facet = c.d2 - c.d1; // 0 on facet edges
  const d = sqrt(lx * lx + ly * ly);
  m.sd = Math.min((1 + 0.18 * lump - d - 0.03 * (1 - smoothstep(0, 0.3, facet))) * R, y + 0.04 * R);
  m.label = SYNTH_CLASSES.rock;
  m.wrap = 0.15;
  const detail = lod(fs * R, pm);
  const tx = (hash01(floor(c.id * 65536), 1, o.seed) - 0.5) * 0.7 * detail;
  const ty = (hash01(floor(c.id * 65536), 2, o.seed) - 0.5) * 0.6 * detail;
  const q = 1 - lx * lx - ly * ly;
  m.nx = lx * 0.9 + tx + 0.3 * lump;
  m.ny = ly * 0.9 + 0.35 + ty;
  m.nz = -(q > 0 ? sqrt(q) : 0) - 0.3;
  const grain = fbm(x / 0.05, y / 0.05, o.seed + 2, 2, pm / 0.05);
  const lichen = smoothstep(0.25, 0.55, fbm(x / 0.35, y / 0.35, o.seed + 3, 3, pm / 0.35)) * smoothstep(-0.3, 0.5, ly);
  const crevice = 1 - 0.18 * detail * (1 - smoothstep(0, 0.08, facet));
  const tone = (0.92 + 0.1 * (c.id - 0.5) * detail + 0.14 * grain) * crevice * (0.75 + 0.25 * smoothstep(-1, 0.4, ly));
  m.r = (o.color[0] + (o.color2[0] - o.color[0]) * lichen) * tone;
  m.g = (o.color[1] + (o.color2[1] - o.color[1]) * lichen) * tone;
  m.b = (o.color[2] + (o.color2[2] - o.color[2]) * lichen) * tone;
}
