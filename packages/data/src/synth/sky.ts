import { SYNTH_CLASSES } from './classes';
import { newShade, type Canvas } from './context';
import type { Env } from './env';
import type { Layer } from './layer';
import { fbm, smoothstep } from './noise';

const sqrt = Math.sqrt;
const SKY = SYNTH_CLASSES.sky;

/**
 * Cloud density in [0, 1] at cloud-plane point (x, z) in units of the cloud scale; `fp` is the pixel
 * footprint in the same units.
 */
function cloudDensity(env: Env, x: number, z: number, fp: number): number {
  const C = env.light.clouds;
  const s = C.seed;
  const cover = C.cover;
  switch (C.kind) {
    case 'cumulus': {
      // Domain-warped fBm, thresholded: puffy heaps with soft, detailed edges.
      const wx = fbm(x * 0.5, z * 0.5, s + 1, 3, fp * 0.5);
      const wz = fbm(x * 0.5 + 5.2, z * 0.5 + 1.3, s + 2, 3, fp * 0.5);
      const n = fbm(x + 0.9 * wx, z + 0.9 * wz, s, 6, fp);
      const th = 0.32 - 0.55 * cover;
      return smoothstep(th, th + 0.28, n);
    }
    case 'cirrus': {
      // Wisps: strongly anisotropic, high-frequency streaks.
      const w = fbm(x * 0.3, z * 0.3, s + 3, 3, fp * 0.3);
      const n = fbm(x * 0.5 + w, z * 2.5 + 1.5 * w, s, 6, fp * 2.5);
      const m = fbm(x * 0.2, z * 0.6, s + 4, 3, fp * 0.6);
      const th = 0.3 - 0.5 * cover;
      return smoothstep(th, th + 0.5, n + 0.5 * m) * 0.8;
    }
    case 'stratus': {
      const n = fbm(x * 0.4, z * 2.5, s, 6, fp * 2.5);
      const th = 0.25 - 0.6 * cover;
      return smoothstep(th, th + 0.45, n) * 0.85;
    }
    case 'overcast': {
      const n = fbm(x * 0.6, z * 1.2, s, 6, fp * 1.2);
      return 0.8 + 0.2 * smoothstep(-0.5, 0.5, n);
    }
    default:
      return 0;
  }
}

/** Paints the whole canvas with sky (gradient, sun glow and disc, clouds in perspective). */
export function drawSky(cv: Canvas, env: Env, hidden: Uint8Array): void {
  const { width: W, height: H } = cv;
  const L = env.light;
  const C = L.clouds;
  const F = env.cam.focal;
  const vh = env.cam.horizon;
  const o = newShade();
  const [sx, , sz] = L.sun;
  const sl = sqrt(sx * sx + sz * sz) || 1;
  const toSunX = sx / sl;
  const toSunZ = sz / sl;
  const sun = env.sunScreen;
  const discR = 0.011; // ~0.45° at this focal length
  // Everything below this row is covered by ground or water; paint the horizon colour there.
  const lastSkyRow = Math.min(H, Math.ceil((vh + 0.03) * H));
  for (let py = 0; py < H; py++) {
    const v = cv.v(py);
    const dy = vh - v;
    const e = dy > 0 ? dy / F : 0;
    // Cloud plane: distance grows as 1/elevation, so clouds shrink and crowd towards the horizon.
    // Cloud-plane distance ∝ elevation^-0.75 (a flat plane would be ^-1; clouds are thick, so
    // they foreshorten less).
    const ee = e + 0.012;
    const q = sqrt(ee);
    const dist = 1 / (q * sqrt(q));
    const fpz = (0.75 * dist) / (ee * F * H); // footprint along the depth axis (dominant near the horizon)
    const fade = smoothstep(0.0, 0.14, e);
    for (let px = 0; px < W; px++) {
      const i = py * W + px;
      if (hidden[i]) continue;
      const u = cv.u(px);
      env.skyBase(u, v, o);
      if (py >= lastSkyRow) {
        cv.put(i, o.r, o.g, o.b, 1, SKY, Infinity);
        continue;
      }
      let r = o.r;
      let g = o.g;
      let b = o.b;
      // Sun disc with a bright soft core (over the glow already in skyBase).
      if (sun) {
        const du = u - sun[0];
        const dv = v - sun[1];
        const d = sqrt(du * du + dv * dv);
        if (d < discR * 4) {
          const core = 1 - smoothstep(discR * 0.8, discR * 1.1, d);
          const halo = 1 - smoothstep(0, discR * 4, d);
          const k = core * 6 + halo * halo * 1.5;
          r += L.sunColor[0] * k;
          g += L.sunColor[1] * k;
          b += L.sunColor[2] * k;
        }
      }
      if (C.kind !== 'clear' && e > 0) {
        const cs = C.scale * 1.6;
        const x = ((u / F) * dist) / cs + C.offset[0];
        const z = dist / cs + C.offset[1];
        const fp = Math.max(dist / (F * H), fpz) / cs;
        const d0 = cloudDensity(env, x, z, fp);
        if (d0 > 0.002) {
          // Self-shadowing: density a little towards the sun (in the cloud plane and "up").
          const step = 0.18;
          const d1 = cloudDensity(env, x + toSunX * step, z + toSunZ * step * 1.6, fp * 4);
          let light = 1 - 1.4 * (d1 - d0 * 0.5);
          light = light < 0.15 ? 0.15 : light > 1 ? 1 : light;
          const thick = d0 * d0;
          const cg = env.sunCos(u, v);
          const silver = L.glow * (0.6 / (1 + 60 * (1 - cg))) * (1 - d0) * 4;
          let cr = C.shade[0] + (C.lit[0] - C.shade[0]) * light * (1 - 0.35 * thick) + L.sunColor[0] * silver;
          let cgc = C.shade[1] + (C.lit[1] - C.shade[1]) * light * (1 - 0.35 * thick) + L.sunColor[1] * silver;
          let cb = C.shade[2] + (C.lit[2] - C.shade[2]) * light * (1 - 0.35 * thick) + L.sunColor[2] * silver;
          // Distant clouds take on the horizon colour.
          const hz = 1 - fade;
          cr += (o.r - cr) * hz * 0.85;
          cgc += (o.g - cgc) * hz * 0.85;
          cb += (o.b - cb) * hz * 0.85;
          const a = d0 * (0.35 + 0.65 * fade);
          // Clouds in front of the sun dim the disc.
          r += (cr - r) * a;
          g += (cgc - g) * a;
          b += (cb - b) * a;
        }
      }
      cv.put(i, r, g, b, 1, SKY, Infinity);
    }
  }
}

/** The sky as the backmost layer. */
export class SkyLayer implements Layer {
  private readonly env: Env;

  constructor(env: Env) {
    this.env = env;
  }

  draw(cv: Canvas, hidden: Uint8Array): void {
    drawSky(cv, this.env, hidden);
  }
}
