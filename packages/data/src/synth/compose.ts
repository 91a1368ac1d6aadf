import { SYNTH_CLASSES } from './classes';
import { hex, lerpRgb, scale, type Lighting, type Rgb } from './context';
import { Env } from './env';
import { ForestBand, GroundBand, type GroundMaterial, type GroundPalette } from './ground';
import type { Layer } from './layer';
import { sampleLight } from './light';
import { ObjectsLayer, type ObjectKind, type SceneObject } from './objects';
import type { Random } from './random';
import { SkyLayer } from './sky';
import { TerrainLayer, type TerrainSpec } from './terrain';
import { WaterBand } from './water';

/** Scene compositions the generator draws from. */
export const SCENE_KINDS = ['lake', 'meadow', 'coast', 'hills'] as const;
export type SceneKind = (typeof SCENE_KINDS)[number];

export const LIGHTINGS: readonly Lighting[] = ['day', 'golden', 'overcast', 'hazy'];

/** A sampled scene: its layers back to front, plus what was chosen. */
export interface Composition {
  kind: SceneKind;
  lighting: Lighting;
  env: Env;
  layers: Layer[];
  exposure: number;
}

function jitter(rng: Random, c: Rgb, amount: number): Rgb {
  return [c[0] * (1 + rng.range(-amount, amount)), c[1] * (1 + rng.range(-amount, amount)), c[2] * (1 + rng.range(-amount, amount))];
}

function groundPalette(rng: Random): GroundPalette {
  const dry = rng.range(0, 1);
  const lush = lerpRgb(hex(0x58893a), hex(0x6b8f2f), rng.float());
  return {
    grass: jitter(rng, lerpRgb(lush, hex(0x8e9446), dry * 0.45), 0.06),
    grassDry: jitter(rng, lerpRgb(hex(0x8a9a48), hex(0xb3a45e), dry), 0.06),
    sand: jitter(rng, lerpRgb(hex(0xd6c29a), hex(0xc9ad84), rng.float()), 0.04),
    earth: jitter(rng, lerpRgb(hex(0x8a7358), hex(0x9a8466), rng.float()), 0.05),
    flower: rng.pick([hex(0xf0d030), hex(0xf2f2ee), hex(0xa070d8), hex(0xd8403a), hex(0xf08a30)]),
  };
}

/**
 * Samples a whole scene from `rng`: composition, time of day, terrain, bands and objects. Every
 * random draw happens here, independent of the output resolution.
 */
export function compose(rng: Random): Composition {
  const kind = rng.pick(SCENE_KINDS, [3, 3, 2.5, 2]);
  const lighting = rng.pick(LIGHTINGS, [5, 3, 1.5, 1.5]);
  const light = sampleLight(rng, lighting);
  const horizon = kind === 'coast' ? rng.range(0.4, 0.62) : rng.range(0.36, 0.56);
  // Eye height: mostly standing, sometimes from a hillside or a cliff (sees more of the land).
  const r = rng.float();
  const camH = 1.6 + r * r * (kind === 'meadow' ? 8 : 22);
  const env = new Env({ horizon, focal: 1.4, height: camH }, light);
  /** Distance (m) of the ground seen dv image heights below the horizon. */
  const zAt = (dv: number) => (1.4 * camH) / dv;
  const F = env.cam.focal;
  const P = groundPalette(rng);
  const autumn = rng.chance(0.15);
  const leaf = jitter(rng, autumn ? rng.pick([hex(0xa07a2a), hex(0xa8542c), hex(0x7f8a2c)]) : lerpRgb(hex(0x3f6a28), hex(0x55752c), rng.float()), 0.08);
  const needle = jitter(rng, lerpRgb(hex(0x2c4c34), hex(0x3a5634), rng.float()), 0.08);
  const trunk = jitter(rng, hex(0x4d3c2e), 0.1);
  const rockC = jitter(rng, rng.pick([hex(0x9a958c), hex(0xa08f7a), hex(0x8e8d90)]), 0.06);

  // ---- far distance: mountains and/or hills -------------------------------------------------
  const layers: Layer[] = [new SkyLayer(env)];
  let zFar: number; // distance of the first band in front of the terrain
  switch (kind) {
    case 'lake':
      zFar = zAt(rng.range(0.006, 0.045));
      break;
    case 'coast':
      zFar = 60000;
      break;
    default:
      zFar = zAt(rng.range(0.004, 0.05));
  }
  const zNear = zFar; // far edge of the nearest-but-one band: where the terrain starts
  const wantMountains = kind === 'lake' ? rng.chance(0.85) : kind === 'meadow' ? rng.chance(0.75) : kind === 'coast' ? rng.chance(0.45) : rng.chance(0.35);
  const wantHills = kind === 'hills' || (kind !== 'coast' && rng.chance(0.45)) || (kind === 'coast' && !wantMountains && rng.chance(0.5));
  const floorLabel = SYNTH_CLASSES.grass;
  const terrain: TerrainSpec = {
    zStart: kind === 'coast' ? rng.range(1500, 4000) : zNear,
    zEnd: 50000,
    floor: { label: floorLabel, color: P.grass },
  };
  const side = kind === 'coast' ? rng.pick([-1, 1]) : 0;
  const edge = side === 0 ? 0 : rng.range(-0.35, 0.25);
  if (wantMountains) {
    const z0 = kind === 'coast' ? terrain.zStart : Math.max(zNear * rng.range(1.5, 4), rng.range(2000, 7000));
    const ramp = z0 * rng.range(0.3, 1.2);
    const apparent = rng.range(0.12, 0.36) * (kind === 'coast' ? 0.6 : 1);
    const height = (apparent * (z0 + ramp)) / F;
    terrain.mountain = {
      z0,
      ramp,
      height,
      scale: height * rng.range(1.6, 3.2),
      seed: rng.seed(),
      snowLine: rng.chance(lighting === 'golden' ? 0.5 : 0.6) ? rng.range(0.35, 0.75) : rng.range(1.1, 1.5),
      treeLine: rng.range(0.12, 0.4),
      side,
      edge,
      rock: jitter(rng, rng.pick([hex(0x6e6a66), hex(0x75695c), hex(0x5f6066)]), 0.06),
      rock2: jitter(rng, rng.pick([hex(0x8a7c6c), hex(0x8f8983), hex(0x7b6d60)]), 0.06),
      forest: scale(needle, 0.9),
      meadow: jitter(rng, hex(0x707a45), 0.08),
    };
  }
  if (wantHills) {
    const z0 = kind === 'coast' ? terrain.zStart : Math.max(zNear * rng.range(1.05, 1.6), 300);
    const ramp = z0 * rng.range(0.2, 0.8);
    const apparent = kind === 'hills' ? rng.range(0.06, 0.2) : rng.range(0.04, 0.12);
    const height = (apparent * (z0 + ramp)) / F / 0.4; // the squared fBm profile averages ≈ 0.3
    terrain.hills = {
      z0,
      ramp,
      height,
      scale: height * rng.range(4, 10),
      seed: rng.seed(),
      grass: scale(P.grass, 0.95),
      grass2: scale(P.grassDry, 0.9),
      forest: scale(needle, 1.1),
      woods: rng.range(0, 0.35),
    };
    if (side !== 0) {
      // Coastal hills form the same headland as the mountains would.
      terrain.hills.z0 = terrain.zStart;
    }
  }
  if (terrain.mountain || terrain.hills) {
    if (kind === 'coast' && terrain.hills && !terrain.mountain) {
      // Hills alone would cover the whole horizon: confine them to the headland via a mountain-free mask.
      terrain.hills.z0 = terrain.zStart;
    }
    layers.push(new TerrainLayer(env, terrain));
  }

  // ---- middle distance: tree line, water ----------------------------------------------------
  const forest = (z: number) =>
    new ForestBand(env, {
      z,
      spacing: rng.range(4, 9),
      hMin: rng.range(8, 14),
      hMax: rng.range(16, 28),
      conifer: rng.pick([0.05, 0.5, 0.95]),
      seed: rng.seed(),
      leaf: scale(leaf, 0.85),
      needle,
      gaps: rng.range(0, 0.45),
    });
  let water: WaterBand | null = null;
  let ground: GroundBand;
  const objects: SceneObject[] = [];
  if (kind === 'lake' || kind === 'coast') {
    if (kind === 'lake' && rng.chance(0.75)) layers.push(forest(zFar));
    else if (kind === 'lake') {
      // A bare far shore: a strip of meadow/beach in front of the terrain.
      layers.push(new GroundBand(env, { z: zFar * 1.6, amp: 0, freq: 1, seed: rng.seed(), base: 'grass', palette: P }));
    }
    const sea = kind === 'coast';
    water = new WaterBand(env, {
      label: sea ? SYNTH_CLASSES.sea : SYNTH_CLASSES.water,
      z: zFar,
      deep: sea
        ? jitter(rng, rng.pick([hex(0x0f3b5c), hex(0x134a5e), hex(0x1b3f55)]), 0.1)
        : jitter(rng, rng.pick([hex(0x1b3436), hex(0x1a2f40), hex(0x24382c)]), 0.1),
      shallow: sea ? jitter(rng, hex(0x4aa3a0), 0.1) : jitter(rng, lerpRgb(P.sand, hex(0x56704c), 0.5), 0.1),
      waveSize: sea ? rng.range(2, 5) : rng.range(0.6, 2.5),
      waveAmp: sea ? rng.range(0.12, 0.3) : rng.range(0.02, 0.12),
      stretch: rng.range(2, 5),
      seed: rng.seed(),
      sea,
    });
    layers.push(water);
    const dvFar = sea ? 0 : env.rowOf(zFar) - horizon;
    const zShore = zAt(Math.min(0.97 - horizon, sea ? rng.range(0.04, 0.3) : dvFar + rng.range(0.05, 0.32)));
    const beach = sea || rng.chance(0.45);
    const base: GroundMaterial = sea ? (rng.chance(0.65) ? 'sand' : 'grass') : 'grass';
    ground = new GroundBand(env, {
      z: zShore,
      amp: rng.range(0.08, sea ? 0.3 : 0.5),
      freq: rng.range(0.8, 3),
      seed: rng.seed(),
      base,
      patch: base === 'sand' ? (rng.chance(0.3) ? { material: 'grass', amount: rng.range(0.05, 0.25), size: rng.range(4, 12) } : undefined)
        : rng.chance(0.6) ? { material: rng.pick<GroundMaterial>(['earth', 'flowers']), amount: rng.range(0.08, 0.3), size: rng.range(3, 10) } : undefined,
      edge: beach ? { material: 'sand', width: Math.min(zShore * 0.5, rng.range(3, sea ? 40 : 12)), wet: true } : undefined,
      palette: P,
    });
    water.shore = (u) => ground.zTop(u);
    layers.push(ground);
  } else {
    const hasForest = rng.chance(kind === 'meadow' ? 0.75 : 0.5);
    if (hasForest) layers.push(forest(zFar));
    ground = new GroundBand(env, {
      z: zFar,
      amp: hasForest ? 0 : rng.range(0, 0.1),
      freq: rng.range(0.5, 2),
      seed: rng.seed(),
      base: 'grass',
      patch: rng.chance(0.65)
        ? { material: rng.pick<GroundMaterial>(['flowers', 'earth'], [3, 1]), amount: rng.range(0.06, 0.3), size: rng.range(4, 16) }
        : undefined,
      palette: P,
    });
    layers.push(ground);
  }

  // ---- foreground objects -------------------------------------------------------------------
  const surfaceAt = (u: number, v: number): number => {
    for (let k = layers.length - 1; k >= 0; k--) {
      const l = layers[k]!.labelAt?.(u, v) ?? -1;
      if (l >= 0) return l;
    }
    return -1;
  };
  const zMaxObj = kind === 'coast' || kind === 'lake' ? Math.min(zFar * 0.9, ground.spec.z * 1.6) : zFar * 0.9;
  const place = (kindO: ObjectKind, allowed: readonly number[], u: number, Z: number): boolean => {
    if (!(Z > 3 + camH * 2 && Z < zMaxObj)) return false;
    const v = env.rowOf(Z);
    if (!allowed.includes(surfaceAt(u, v))) return false;
    const X = (u * Z) / F;
    let h: number;
    let w: number;
    let color: Rgb;
    let color2: Rgb = trunk;
    switch (kindO) {
      case 'conifer':
        h = rng.range(7, 28);
        w = h * rng.range(0.28, 0.42);
        color = jitter(rng, needle, 0.12);
        break;
      case 'broadleaf':
        h = rng.range(5, 18);
        w = h * rng.range(0.55, 0.95);
        color = jitter(rng, leaf, 0.12);
        break;
      case 'bush':
        h = rng.range(0.5, 2.2);
        w = h * rng.range(1.2, 2.2);
        color = jitter(rng, scale(leaf, 0.9), 0.15);
        break;
      default:
        h = 0.15 + 1.6 * rng.float() * rng.float();
        w = h * rng.range(1.2, 2.2);
        color = jitter(rng, rockC, 0.08);
        color2 = jitter(rng, hex(0x8d8a58), 0.1);
    }
    // Trees right in front of the lens would fill the frame with a blur of foliage: keep them back.
    if (Z < h * 1.1 && (kindO === 'conifer' || kindO === 'broadleaf')) return false;
    objects.push({ kind: kindO, X, Z, h, w, seed: rng.seed(), color, color2 });
    return true;
  };
  const rowToZ = (v: number) => env.groundZ(v);
  const vTop = env.rowOf(zMaxObj);
  const randomZ = () => rowToZ(vTop + (1.02 - vTop) * rng.float() * rng.float() + 0.002);
  const land = [SYNTH_CLASSES.grass, SYNTH_CLASSES.earth, SYNTH_CLASSES.flower];
  const conShare = rng.pick([0.1, 0.5, 0.9]);
  const treeKind = (): ObjectKind => (rng.chance(conShare) ? 'conifer' : 'broadleaf');
  // Groves of trees.
  const groves = kind === 'coast' ? rng.int(0, 2) : rng.int(1, 6);
  for (let g = 0; g < groves; g++) {
    const u0 = rng.range(-1.2, 1.2);
    const Z0 = randomZ();
    const n = rng.int(1, 9);
    for (let k = 0; k < n; k++) place(treeKind(), land, u0 + rng.gauss() * 0.08, Z0 * (1 + rng.gauss() * 0.12));
  }
  // A framing tree near one edge.
  if (kind !== 'coast' && rng.chance(0.3)) {
    const sideU = rng.pick([-1, 1]) * rng.range(0.5, 0.85);
    place(treeKind(), land, sideU, camH * 2 + rng.range(10, 22));
  }
  // Bushes and rocks.
  const nb = rng.int(0, kind === 'coast' ? 4 : 14);
  for (let k = 0; k < nb; k++) place('bush', land, rng.range(-1.3, 1.3), randomZ());
  const nr = rng.int(0, kind === 'coast' ? 14 : 8);
  // Rocks also stand in the shallows (the surf breaks around them).
  const rockGround = [...land, SYNTH_CLASSES.sand, SYNTH_CLASSES.sea, SYNTH_CLASSES.water];
  const rockU = rng.range(-1, 1);
  for (let k = 0; k < nr; k++) {
    const clustered = rng.chance(0.6);
    place('rock', rockGround, clustered ? rockU + rng.gauss() * 0.25 : rng.range(-1.3, 1.3), randomZ());
  }
  if (objects.length > 0) {
    const objs = new ObjectsLayer(env, objects);
    ground.casters = objs.casters();
    layers.push(objs);
  }
  const exposure = lighting === 'overcast' ? 1.15 : lighting === 'golden' ? 1.0 : 1.05;
  return { kind, lighting, env, layers, exposure };
}
