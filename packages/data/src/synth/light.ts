import type { CloudKind, Light, Lighting, Rgb } from './context';
import { hex, lerpRgb, scale } from './context';
import type { Random } from './random';

const sqrt = Math.sqrt;

/** Per-channel multiplicative jitter so no two skies have exactly the same tint. */
function tint(rng: Random, c: Rgb, amount: number): Rgb {
  const k = 1 + rng.range(-amount, amount);
  return [c[0] * k * (1 + rng.range(-amount, amount)), c[1] * k * (1 + rng.range(-amount, amount)), c[2] * k * (1 + rng.range(-amount, amount))];
}

/**
 * Samples the time of day and weather: sun direction, sky gradient, light colours, haze and
 * clouds. `front` biases the sun into the field of view (back-lit scenes).
 */
export function sampleLight(rng: Random, lighting: Lighting): Light {
  // Sun elevation (sine) and azimuth (unit vector in the ground plane; z = into the scene).
  let elev: number;
  let az = rng.dir2();
  const towardsCamera = rng.chance(lighting === 'golden' ? 0.55 : 0.25);
  if (towardsCamera) {
    // Sun ahead, within about ±35° of the view axis so it (or its glow) is in frame.
    const x = rng.range(-0.6, 0.6);
    const l = sqrt(x * x + 1);
    az = [x / l, 1 / l];
  } else if (az[1] > 0.3) {
    az = [az[0], -az[1]]; // mostly side or back light: the scene is lit
  }
  switch (lighting) {
    case 'golden':
      elev = rng.range(0.03, 0.16);
      break;
    case 'overcast':
      elev = rng.range(0.4, 0.8);
      break;
    case 'hazy':
      elev = rng.range(0.2, 0.6);
      break;
    default:
      elev = towardsCamera ? rng.range(0.25, 0.45) : rng.range(0.4, 0.85);
  }
  const c = sqrt(1 - elev * elev);
  const sun: [number, number, number] = [az[0] * c, elev, az[1] * c];

  let zenith: Rgb;
  let horizon: Rgb;
  let horizonSun: Rgb;
  let sunColor: Rgb;
  let ambient: Rgb;
  let hazeDist: number;
  let glow: number;
  let cloudKind: CloudKind;
  let cover: number;
  let cloudLit: Rgb;
  let cloudShade: Rgb;
  switch (lighting) {
    case 'golden': {
      const warm = rng.range(0, 1);
      zenith = tint(rng, lerpRgb(hex(0x3f68ad), hex(0x52689e), warm), 0.06);
      horizon = tint(rng, lerpRgb(hex(0xbfc8d4), hex(0xd8c6bb), warm), 0.04);
      horizonSun = tint(rng, lerpRgb(hex(0xf6c27e), hex(0xf7a062), warm), 0.05);
      sunColor = scale(lerpRgb(hex(0xffc890), hex(0xff9a55), warm), rng.range(2.3, 2.8));
      ambient = scale(lerpRgb(hex(0x8f9bc0), hex(0x9a90b0), warm), 0.42);
      hazeDist = rng.range(6000, 14000);
      glow = rng.range(0.4, 0.7);
      cloudKind = rng.pick<CloudKind>(['cirrus', 'cumulus', 'stratus', 'clear'], [2, 4, 1, 1]);
      cover = rng.range(0.15, 0.6);
      cloudLit = scale(lerpRgb(hex(0xffd2a6), hex(0xffb080), warm), 1.3);
      cloudShade = scale(hex(0x8a7f98), 0.55);
      break;
    }
    case 'overcast':
      zenith = tint(rng, hex(0x98a1ab), 0.05);
      horizon = tint(rng, hex(0xc9ced2), 0.04);
      horizonSun = scale(horizon, 1.04);
      sunColor = scale(hex(0xf2f0ea), rng.range(0.35, 0.6));
      ambient = scale(hex(0xc4cad2), rng.range(0.75, 0.9));
      hazeDist = rng.range(3500, 7000);
      glow = 0.08;
      cloudKind = 'overcast';
      cover = 1;
      cloudLit = scale(hex(0xd4d8dc), 1.0);
      cloudShade = scale(hex(0x8c939b), 0.8);
      break;
    case 'hazy':
      zenith = tint(rng, hex(0x7ea7d4), 0.06);
      horizon = tint(rng, hex(0xdfe5e8), 0.03);
      horizonSun = tint(rng, hex(0xf0ebe0), 0.03);
      sunColor = scale(hex(0xfff0d8), rng.range(1.8, 2.3));
      ambient = scale(hex(0xa8b6c8), 0.55);
      hazeDist = rng.range(1600, 3500);
      glow = 0.35;
      cloudKind = rng.pick<CloudKind>(['cumulus', 'stratus', 'clear'], [3, 1, 2]);
      cover = rng.range(0.1, 0.4);
      cloudLit = scale(hex(0xf4f4f2), 1.05);
      cloudShade = scale(hex(0xa9b2bf), 0.8);
      break;
    default: {
      const deep = rng.range(0, 1);
      zenith = tint(rng, lerpRgb(hex(0x3d7fd0), hex(0x2a62b8), deep), 0.06);
      horizon = tint(rng, lerpRgb(hex(0xc0d8ee), hex(0xa9c8e6), deep), 0.04);
      horizonSun = lerpRgb(horizon, hex(0xeef0ee), 0.5);
      sunColor = scale(hex(0xfff4e2), rng.range(2.4, 2.9));
      ambient = scale(hex(0x9fb6d4), 0.5);
      hazeDist = rng.range(9000, 22000);
      glow = 0.3;
      cloudKind = rng.pick<CloudKind>(['cumulus', 'cirrus', 'stratus', 'clear'], [7, 1.5, 0.5, 1]);
      cover = rng.range(0.1, 0.65);
      cloudLit = scale(hex(0xffffff), 1.15);
      cloudShade = scale(hex(0x9aa8bc), 0.75);
    }
  }
  return {
    lighting,
    sun,
    sunColor,
    ambient,
    zenith,
    horizon,
    horizonSun,
    hazeDist,
    glow,
    clouds: {
      kind: cloudKind,
      cover,
      scale: rng.range(0.7, 1.4),
      seed: rng.seed(),
      offset: [rng.range(-500, 500), rng.range(-500, 500)],
      lit: cloudLit,
      shade: cloudShade,
    },
  };
}
