/**
 * Shared types of the synthetic scene renderer: camera, lighting and the canvas every layer paints
 * into. Colours are linear RGB (sRGB squared; output takes the square root), y up, z into the scene.
 */

export type Rgb = [number, number, number];
export type Vec3 = [number, number, number];

/** Time of day / weather preset. */
export type Lighting = 'day' | 'golden' | 'overcast' | 'hazy';

/** Cloud layer style. */
export type CloudKind = 'cumulus' | 'cirrus' | 'stratus' | 'overcast' | 'clear';

export interface Light {
  lighting: Lighting;
  /** Unit vector towards the sun. */
  sun: Vec3;
  /** Direct sun radiance (linear, intensity included). */
  sunColor: Rgb;
  /** Sky fill light on an upward-facing surface. */
  ambient: Rgb;
  zenith: Rgb;
  /** Horizon colour away from the sun, and towards it (they differ most at golden hour). */
  horizon: Rgb;
  horizonSun: Rgb;
  /** Distance (m) at which aerial haze reaches 50 %. */
  hazeDist: number;
  /** Strength of the forward-scattering glow around the sun. */
  glow: number;
  clouds: {
    kind: CloudKind;
    /** 0 = clear, 1 = fully covered. */
    cover: number;
    /** Feature size on the cloud plane (arbitrary units, bigger = larger clouds). */
    scale: number;
    seed: number;
    /** Wind-like offset so scenes differ even with equal parameters. */
    offset: [number, number];
    lit: Rgb;
    shade: Rgb;
  };
}

export interface Camera {
  /** Horizon row as a fraction of the image height (0 = top). */
  horizon: number;
  /** Focal length in image heights. */
  focal: number;
  /** Eye height above the ground plane, metres. */
  height: number;
}

/**
 * The image being painted, plus per-pixel depth. Pixel (px, py) has normalised coordinates
 * u = (px + 0.5 − W/2) / H (horizontal, centred) and v = (py + 0.5) / H (down), so a scene is the
 * same at every resolution and aspect ratio (wider images just see more of it).
 */
export class Canvas {
  readonly width: number;
  readonly height: number;
  /** Linear RGB, interleaved. */
  readonly rgb: Float32Array;
  /** ADE20K class id per pixel. */
  readonly label: Uint8Array;
  /** Distance along the ground (m); Infinity for sky. */
  readonly depth: Float32Array;

  constructor(width: number, height: number) {
    this.width = width;
    this.height = height;
    this.rgb = new Float32Array(width * height * 3);
    this.label = new Uint8Array(width * height);
    this.depth = new Float32Array(width * height).fill(Infinity);
  }

  u(px: number): number {
    return (px + 0.5 - this.width / 2) / this.height;
  }

  v(py: number): number {
    return (py + 0.5) / this.height;
  }

  /** Column (float, pixel-centre convention) of horizontal coordinate u. */
  px(u: number): number {
    return u * this.height + this.width / 2 - 0.5;
  }

  /**
   * Composites colour (r, g, b) over pixel i with coverage `a` in [0, 1]; the pixel takes the
   * class and depth when the coverage reaches one half (so labels stay hard while colours blend).
   */
  put(i: number, r: number, g: number, b: number, a: number, label: number, depth: number): void {
    if (a <= 0) return;
    const k = 3 * i;
    const rgb = this.rgb;
    if (a >= 1) {
      rgb[k] = r;
      rgb[k + 1] = g;
      rgb[k + 2] = b;
    } else {
      rgb[k] = rgb[k]! + (r - rgb[k]!) * a;
      rgb[k + 1] = rgb[k + 1]! + (g - rgb[k + 1]!) * a;
      rgb[k + 2] = rgb[k + 2]! + (b - rgb[k + 2]!) * a;
    }
    if (a >= 0.5) {
      this.label[i] = label;
      this.depth[i] = depth;
    }
  }
}

/** Mutable shading result, reused to avoid allocation in pixel loops. */
export interface Shade {
  r: number;
  g: number;
  b: number;
  label: number;
}

export const newShade = (): Shade => ({ r: 0, g: 0, b: 0, label: 0 });

/** sRGB-ish hex colour → linear (gamma 2 approximation: squared). */
export function hex(h: number): Rgb {
  const r = ((h >> 16) & 255) / 255;
  const g = ((h >> 8) & 255) / 255;
  const b = (h & 255) / 255;
  return [r * r, g * g, b * b];
}

export function scale(c: Rgb, k: number): Rgb {
  return [c[0] * k, c[1] * k, c[2] * k];
}

export function lerpRgb(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}
