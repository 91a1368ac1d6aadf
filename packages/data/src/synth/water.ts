import type { Canvas, Rgb } from './context';
import { applyHaze, hazeColumns, type Env } from './env';
import { edgeCoverage, edgeRows, markBelow, type Layer } from './layer';
import { fbm, ipow, smoothstep } from './noise';

const sqrt = Math.sqrt;
const floor = Math.floor;

export interface WaterSpec {
  /** ADE20K class: water (lakes), sea, river. */
  label: number;
  /** Distance (m) of the far edge (the far shore, or the horizon for the sea). */
  z: number;
  deep: Rgb;
  shallow: Rgb;
  /** Wave feature size (m), slope amplitude and horizontal elongation. */
  waveSize: number;
  waveAmp: number;
  stretch: number;
  seed: number;
  /** Whitecaps and surf. */
  sea: boolean;
}

/**
 * A water surface from its far edge down: reflects what is already painted above it (mirrored
 * about the far edge, displaced by ripple normals), with Fresnel, sun glint, shallows and surf
 * along the near shore.
 */
export class WaterBand implements Layer {
  readonly spec: WaterSpec;
  private readonly env: Env;
  /** Far edge distance (m) of the land in front, per column u, for shallows and surf. */
  shore: ((u: number) => number) | null = null;
  private rows: Float64Array | null = null;

  constructor(env: Env, spec: WaterSpec) {
    this.env = env;
    this.spec = spec;
  }

  top(): number {
    return this.env.rowOf(this.spec.z);
  }

  private edgeRows(cv: Canvas): Float64Array {
    if (!this.rows || this.rows.length !== cv.width) this.rows = edgeRows(cv, () => this.top());
    return this.rows;
  }

  cover(cv: Canvas, mask: Uint8Array): void {
    markBelow(cv, this.edgeRows(cv), mask);
  }

  labelAt(u: number, v: number): number {
    return v >= this.top() ? this.spec.label : -1;
  }

  /** Wave height (m) at (X, Z), band-limited to the pixel footprint (fx across, fz along the view). */
  private wave(X: number, Z: number, fx: number, fz: number): number {
    const s = this.spec;
    const sz = s.waveSize;
    const sx = sz * s.stretch;
    const fp = fx / sx > fz / sz ? fx / sx : fz / sz;
    // Swell plus isotropic small ripples (a quarter of the size).
    const fr = fx > fz ? fx : fz;
    return (fbm(X / sx, Z / sz, s.seed, 4, fp) + 0.35 * fbm(X / (sz * 0.25), Z / (sz * 0.25), s.seed + 1, 3, fr / (sz * 0.25))) * sz * s.waveAmp;
  }

  draw(cv: Canvas, hidden: Uint8Array): void {
    const env = this.env;
    const s = this.spec;
    const L = env.light;
    const { width: W, height: H } = cv;
    const F = env.cam.focal;
    const c = env.cam.height;
    const vh = env.cam.horizon;
    const rows = this.edgeRows(cv);
    const topPx = this.top() * H;
    const hazeCols = hazeColumns(env, W, H);
    const src = cv.rgb.slice(); // reflections read the scene behind, not the water being painted
    const [sx, sy, sz] = L.sun;
    // Body colour lit by sky and a little sun.
    const lightK = (ch: 0 | 1 | 2) => L.ambient[ch] * 0.9 + L.sunColor[ch] * 0.12 * (sy > 0 ? sy : 0);
    const deep: Rgb = [s.deep[0] * lightK(0), s.deep[1] * lightK(1), s.deep[2] * lightK(2)];
    const shal: Rgb = [s.shallow[0] * lightK(0), s.shallow[1] * lightK(1), s.shallow[2] * lightK(2)];
    const foamC: Rgb = [
      0.85 * (L.ambient[0] + L.sunColor[0] * 0.5 * sy),
      0.85 * (L.ambient[1] + L.sunColor[1] * 0.5 * sy),
      0.85 * (L.ambient[2] + L.sunColor[2] * 0.5 * sy),
    ];
    for (let px = 0; px < W; px++) {
      const u = cv.u(px);
      const zs = this.shore ? this.shore(u) : 0;
      const r0 = Math.max(0, floor(rows[px]! - 1));
      for (let py = r0; py < H; py++) {
        const i = py * W + px;
        if (hidden[i]) continue;
        const a = edgeCoverage(rows, px, py);
        if (a <= 0) continue;
        const v = cv.v(py);
        let Z = env.groundZ(v);
        if (!(Z < s.z)) Z = s.z;
        const X = (u * Z) / F;
        const fpx = Z / (F * H);
        const fpz = (Z * Z) / (F * c * H);
        const fp = fpx > fpz ? fpx : fpz;
        // Ripple normal from finite differences over at least a pixel (distant water smooths out).
        const ex = fpx > s.waveSize * 0.02 ? fpx : s.waveSize * 0.02;
        const ez = fpz > s.waveSize * 0.02 ? fpz : s.waveSize * 0.02;
        const w0 = this.wave(X, Z, fpx, fpz);
        const dwx = (this.wave(X + ex, Z, fpx, fpz) - w0) / ex;
        const dwz = (this.wave(X, Z + ez, fpx, fpz) - w0) / ez;
        const inv = 1 / sqrt(dwx * dwx + 1 + dwz * dwz);
        const nx = -dwx * inv;
        const ny = inv;
        const nz = -dwz * inv;
        // View ray (eye → surface) and its reflection.
        const dy = -(v - vh);
        const vl = 1 / sqrt(u * u + dy * dy + F * F);
        const vx = u * vl;
        const vy = dy * vl;
        const vz = F * vl;
        const vn = vx * nx + vy * ny + vz * nz;
        const rx = vx - 2 * vn * nx;
        const ry = vy - 2 * vn * ny;
        const rz = vz - 2 * vn * nz;
        // Screen offset of the reflected ray relative to a flat mirror's, applied to the mirror image.
        let ur = u;
        let vr = 2 * vh - v;
        if (rz > 0.05) {
          ur = (F * rx) / rz;
          vr = vh - (F * ry) / rz;
        }
        const sampleY = 2 * topPx - (py + 0.5) + (vr - (2 * vh - v)) * H;
        const sampleX = px + (ur - u) * H;
        let rr: number;
        let rg: number;
        let rb: number;
        {
          let yy = sampleY - 0.5;
          if (yy < 0) yy = 0;
          if (yy > topPx - 1) yy = topPx - 1 > 0 ? topPx - 1 : 0;
          let xx = sampleX;
          if (xx < 0) xx = 0;
          if (xx > W - 1) xx = W - 1;
          const y0 = floor(yy);
          const x0 = floor(xx + 0.5);
          const fy = yy - y0;
          const y1 = y0 + 1 < H ? y0 + 1 : y0;
          const k0 = 3 * (y0 * W + x0);
          const k1 = 3 * (y1 * W + x0);
          rr = src[k0]! + (src[k1]! - src[k0]!) * fy;
          rg = src[k0 + 1]! + (src[k1 + 1]! - src[k0 + 1]!) * fy;
          rb = src[k0 + 2]! + (src[k1 + 2]! - src[k0 + 2]!) * fy;
        }
        // Fresnel (Schlick).
        let cosT = -vn;
        if (cosT < 0) cosT = 0;
        const fr = 0.02 + 0.98 * ipow(1 - cosT, 5);
        // Shallows near the shore in front.
        const d = Z - zs;
        const sh = this.shore ? 1 - smoothstep(0, s.sea ? 12 : 5, d) : 0;
        const br = deep[0] + (shal[0] - deep[0]) * sh;
        const bg = deep[1] + (shal[1] - deep[1]) * sh;
        const bb = deep[2] + (shal[2] - deep[2]) * sh;
        const k = fr * (1 - 0.5 * sh);
        let r = br + (rr - br) * k;
        let g = bg + (rg - bg) * k;
        let b = bb + (rb - bb) * k;
        // Sun glint: a sharp highlight plus a broad sheen.
        const rs = rx * sx + ry * sy + rz * sz;
        if (rs > 0 && sy > 0) {
          // The sun's mirror image is already in the reflected sky; add glitter from ripples only.
          const spec = ipow(rs, 2048) * 12 + ipow(rs, 48) * 0.12;
          r += L.sunColor[0] * spec * fr;
          g += L.sunColor[1] * spec * fr;
          b += L.sunColor[2] * spec * fr;
        }
        if (s.sea) {
          // Whitecaps in open water and surf lines towards the beach.
          const caps = smoothstep(0.45, 0.7, fbm(X / 9, Z / 3, s.seed + 3, 3, fp / 3)) * 0.35;
          let surf = 0;
          if (this.shore && d < 40) {
            const phase = fbm(X / 25, 0.5, s.seed + 4, 2) * 4 + d / 7;
            const band = phase - floor(phase);
            surf = smoothstep(0.75, 0.95, band) * (1 - smoothstep(5, 40, d)) * smoothstep(-0.3, 0.4, fbm(X / 4, Z / 1.5, s.seed + 5, 3, fp / 1.5));
            surf += 1 - smoothstep(0, 1.2 + 0.8 * fbm(X / 3, 0.5, s.seed + 6, 2), d);
          }
          const f = Math.min(1, caps + surf);
          r += (foamC[0] - r) * f;
          g += (foamC[1] - g) * f;
          b += (foamC[2] - b) * f;
        }
        const o = OUT;
        o.r = r;
        o.g = g;
        o.b = b;
        applyHaze(env, o, Z, hazeCols, px);
        cv.put(i, o.r, o.g, o.b, a, s.label, Z);
      }
    }
  }
}

const OUT = { r: 0, g: 0, b: 0, label: 0 };
