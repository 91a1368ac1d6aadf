import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, IOError, labelsToSegmap, loadTorchCheckpointFile, saveNpyFile, writeFileAtomic } from '@clade/core';
import { loadImage, loadLabelPng, resizeBicubicPil, resizeNearestPil } from '@clade/data';
import { GroupDNetGenerator, createGroupDNet, numClassesOf as groupdnetClasses, resampleClass, sampleLatent } from '@clade/groupdnet';
import { SeanGenerator, buildSeanGenerator, encodeStyles, interpolateStyles, numClassesOf as seanClasses, synthesize as seanSynthesize, transferRegionStyles } from '@clade/sean';
import { loadCheckpoint, resolveRunConfig, type RunConfig, type RunConfigInput } from '@clade/trainer';
import { quantizeImage } from '@clade/runtime';
import { encode as encodePng } from 'fast-png';
import type { ModelFlags } from '../model-options';
import { presetsOf, type ModelName } from '../model-zoo';
import { parseMaxPixels } from '../run';
import { checkFiniteOutput, ensureParent } from '../output-file';

/** The flags `clade synthesize --model sean|groupdnet…` reads. */
export interface FamilySynthesizeOptions extends ModelFlags {
  model?: string;
  checkpoint?: string;
  randomInit?: boolean;
  initGain?: string;
  label: string;
  style?: string;
  styleLabel?: string;
  styleB?: string;
  styleBLabel?: string;
  transferClasses?: string;
  mix?: string;
  seed?: string;
  resampleClass?: string;
  resampleSeed?: string;
  out: string;
  outNpy?: string;
  json?: boolean;
  maxPixels?: string;
}

const positive = (v: string | undefined, flag: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${flag} must be a positive integer, got '${v}'.`);
  return n;
};

/** A label PNG of raw class ids as a one-hot [1,H,W,K] at the model's size (PIL NEAREST). */
async function segmapOf(file: string, flag: string, k: number, w: number, h: number, maxPixels: number | undefined): Promise<tf.Tensor4D> {
  let label = await loadLabelPng(file, { maxPixels });
  let bad = -1;
  for (const v of label.data) if (v >= k) bad = Math.max(bad, v);
  if (bad >= 0) throw new ConfigError(`${flag} '${file}' holds class id ${bad}; this model has ids 0..${k - 1}.`);
  if (label.width !== w || label.height !== h) label = resizeNearestPil(label, w, h);
  return tf.tidy(() => labelsToSegmap(tf.tensor3d(Int32Array.from(label.data), [1, h, w], 'int32'), k));
}

/** A photo as [1,H,W,3] in [−1, 1] at the model's size (PIL BICUBIC, as the official loader). */
async function photoOf(file: string, w: number, h: number, maxPixels: number | undefined): Promise<tf.Tensor4D> {
  let img = await loadImage(file, { maxPixels });
  if (img.width !== w || img.height !== h) img = resizeBicubicPil(img, w, h);
  return tf.tidy(() => tf.sub(tf.div(tf.tensor4d(Float32Array.from(img.data), [1, h, w, 3]), 127.5), 1) as tf.Tensor4D);
}

/**
 * A `clade train` run given as --checkpoint: its folder, or an .npz under its checkpoints/ folder
 * (run.json two levels up). Null for anything else (an official .pth).
 */
async function trainedRunOf(p: string): Promise<{ config: RunConfig; checkpoint: string } | null> {
  const isDir = existsSync(p) && statSync(p).isDirectory();
  if (!isDir && !/\.npz$/i.test(p)) return null;
  const checkpoint = isDir ? path.join(p, 'checkpoints', 'latest.npz') : p;
  const runJson = isDir ? path.join(p, 'run.json') : path.join(path.dirname(path.dirname(p)), 'run.json');
  if (!existsSync(runJson) || !existsSync(checkpoint))
    throw new IOError(`--checkpoint '${p}': a clade train run needs ${runJson} and ${checkpoint}; for official weights give their .pth.`);
  return { config: resolveRunConfig(JSON.parse(await readFile(runJson, 'utf8')) as RunConfigInput), checkpoint };
}

/** The family and variant a trained run holds, as --model names them. */
export function runModelName(config: RunConfig): string {
  if (config.model === 'sean') return config.generator.classBranch === 'clade' ? 'sean-clade' : 'sean';
  if (config.model === 'groupdnet') return config.generator.normMode === 'clade' ? 'groupdnet-clade' : 'groupdnet';
  return config.generator.normMode === 'spade' ? 'spade' : 'clade';
}

/** The generator of a trained run, its weights loaded from the run's checkpoint. */
async function runGenerator<T extends SeanGenerator | GroupDNetGenerator>(model: string, o: FamilySynthesizeOptions, run: { config: RunConfig; checkpoint: string }, make: (c: RunConfig) => T): Promise<T> {
  const trained = runModelName(run.config);
  if (trained !== model) throw new ConfigError(`--checkpoint '${o.checkpoint}' is a ${trained} run; pass --model ${trained}, got --model ${model}.`);
  for (const [flag, v] of [['--preset', o.preset], ['--ngf', o.ngf], ['--crop-size', o.cropSize], ['--random-init', o.randomInit]] as const)
    if (v !== undefined) throw new ConfigError(`${flag} does not apply to a trained run: its run.json fixes the architecture (drop ${flag}).`);
  const g = make(run.config);
  try {
    await loadCheckpoint(run.checkpoint, { models: { G: g.model }, optimizers: {} });
  } catch (e) {
    g.dispose();
    throw e;
  }
  return g;
}

/**
 * SEAN (region styles from --style, encoded inside the regions of --style-label) or GroupDNet
 * (per-class latents from --seed; --resample-class redraws one class's latent only). Weights: an
 * official .pth, a `clade train` run (folder or checkpoint .npz), or --random-init.
 */
export async function synthesizeFamily(model: Exclude<ModelName, 'spade'>, o: FamilySynthesizeOptions): Promise<{ width: number; height: number; what: string }> {
  const maxPixels = parseMaxPixels(o.maxPixels);
  const run = o.checkpoint ? await trainedRunOf(o.checkpoint) : null;
  const presets = presetsOf(model);
  if (!run && (o.preset === undefined || !presets.includes(o.preset)))
    throw new ConfigError(`--model ${model} needs --preset one of ${presets.join(', ')}, got ${o.preset === undefined ? 'none' : `'${o.preset}'`}.`);
  if (!o.checkpoint === !o.randomInit)
    throw new ConfigError(`--model ${model}: give --checkpoint <official latest_net_G.pth> or --random-init (untrained weights, for trying the architecture), one of them.`);
  const overrides = { ...(o.ngf !== undefined && { ngf: positive(o.ngf, '--ngf') }), ...(o.cropSize !== undefined && { cropSize: positive(o.cropSize, '--crop-size') }) };
  if (o.initGain !== undefined && !o.randomInit) throw new ConfigError('--init-gain shapes --random-init weights; a --checkpoint brings its own.');
  const initGain = o.initGain === undefined ? undefined : Number(o.initGain);
  if (initGain !== undefined && !(initGain > 0 && Number.isFinite(initGain))) throw new ConfigError(`--init-gain must be a positive number, got '${o.initGain}'.`);
  if (initGain !== undefined) Object.assign(overrides, { initGain });
  const seed = Number(o.seed ?? '0');
  if (!Number.isInteger(seed)) throw new ConfigError(`--seed must be an integer, got '${o.seed}'.`);
  const state = o.checkpoint && !run ? await loadTorchCheckpointFile(o.checkpoint) : null;
  const what = `${model} (${run ? `run ${o.checkpoint}` : o.preset})`;

  if (model === 'sean' || model === 'sean-clade') {
    if (o.resampleClass !== undefined) throw new ConfigError('--resample-class is for --model groupdnet; SEAN takes its styles from --style.');
    if (o.style === undefined) throw new ConfigError(`--model ${model} takes its region styles from a photo: pass --style <image> (and --style-label <png> when its mask is not --label).`);
    const g = run
      ? await runGenerator(model, o, run, (c) => new SeanGenerator({ ...(c.generator as SeanGenerator['config']), initSeed: null }))
      : buildSeanGenerator(o.preset!, { ...overrides, classBranch: model === 'sean' ? 'spade' : 'clade', initSeed: seed });
    try {
      if (state) g.loadTorchStateDict(state, `'${o.checkpoint}'`);
      const { cropSize: w } = g.config;
      const h = Math.round(w / g.config.aspectRatio);
      const k = seanClasses(g.config);
      const seg = await segmapOf(o.label, '--label', k, w, h, maxPixels);
      const styleSeg = o.styleLabel !== undefined ? await segmapOf(o.styleLabel, '--style-label', k, w, h, maxPixels) : undefined;
      const styleImage = await photoOf(o.style, w, h, maxPixels);
      let codes = encodeStyles(g, styleImage, styleSeg ?? seg);
      if (o.styleB !== undefined) {
        // Per-region edits: the codes of some classes from B (--transfer-classes), or a blend (--mix).
        const segB = o.styleBLabel !== undefined ? await segmapOf(o.styleBLabel, '--style-b-label', k, w, h, maxPixels) : seg;
        const imageB = await photoOf(o.styleB, w, h, maxPixels);
        const codesB = encodeStyles(g, imageB, segB);
        const edited = o.transferClasses !== undefined
          ? transferRegionStyles(codes, codesB, parseClasses(o.transferClasses, k))
          : interpolateStyles(codes, codesB, parseMix(o.mix));
        tf.dispose([codes, codesB, imageB, ...(segB !== seg ? [segB] : [])]);
        codes = edited;
      } else if (o.transferClasses !== undefined || o.mix !== undefined) throw new ConfigError('--transfer-classes and --mix take the second style from --style-b <image>.');
      const y = seanSynthesize(g, seg, codes, { noise: seed });
      await writeOutputs(o, y);
      tf.dispose([seg, styleImage, y, codes, ...(styleSeg ? [styleSeg] : [])]);
      return { width: w, height: h, what };
    } finally {
      g.dispose();
    }
  }

  if ([o.style, o.styleLabel, o.styleB, o.transferClasses, o.mix].some((v) => v !== undefined))
    throw new ConfigError(`--style, --style-b, --transfer-classes and --mix are for --model sean; ${model} draws per-class latents from --seed.`);
  const g = run
    ? await runGenerator(model, o, run, (c) => new GroupDNetGenerator({ ...(c.generator as GroupDNetGenerator['config']), initSeed: null }))
    : createGroupDNet(o.preset!, { ...overrides, initSeed: seed }, model);
  try {
    if (g.config.useInstance) throw new ConfigError(`--model ${model} --preset ${o.preset} takes instance maps, which clade synthesize does not read yet for GroupDNet.`);
    if (state) g.loadTorchStateDict(state, `'${o.checkpoint}'`);
    const w = g.config.cropSize;
    const h = Math.round(w / g.config.aspectRatio);
    const k = groupdnetClasses(g.config);
    const seg = await segmapOf(o.label, '--label', k, w, h, maxPixels);
    // The latent --seed draws (the one synthesize would draw); --resample-class redraws one class's part.
    let z = sampleLatent(g.plan, 1, seed);
    if (o.resampleClass !== undefined) {
      const c = Number(o.resampleClass);
      if (!Number.isInteger(c) || c < 0 || c >= k) throw new ConfigError(`--resample-class must be a class id in 0..${k - 1}, got '${o.resampleClass}'.`);
      const resampled = resampleClass(z, c, Number(o.resampleSeed ?? seed + 1));
      z.dispose();
      z = resampled;
    }
    const image = g.apply({ seg, z });
    await writeOutputs(o, image);
    tf.dispose([seg, image, z]);
    return { width: w, height: h, what };
  } finally {
    g.dispose();
  }
}

function parseClasses(v: string, k: number): number[] {
  const ids = v.split(',').map((x) => Number(x.trim()));
  if (ids.length === 0 || ids.some((j) => !Number.isInteger(j) || j < 0 || j >= k))
    throw new ConfigError(`--transfer-classes must be class ids in 0..${k - 1}, comma-separated, got '${v}'.`);
  return ids;
}

function parseMix(v: string | undefined): number {
  const t = Number(v ?? '0.5');
  if (!Number.isFinite(t) || t < 0 || t > 1) throw new ConfigError(`--mix must be a number in [0, 1] (0: --style, 1: --style-b), got '${v}'.`);
  return t;
}

/** The PNG (official quantisation) and, with --out-npy, the raw float32 output as NCHW [1,3,H,W]. */
async function writeOutputs(o: FamilySynthesizeOptions, y: tf.Tensor4D): Promise<void> {
  const [, h, w] = y.shape;
  const hwc = (await y.data()) as Float32Array;
  checkFiniteOutput(hwc, '--out', o.out);
  await ensureParent(o.out);
  await writeFileAtomic(o.out, encodePng({ width: w, height: h, data: quantizeImage(hwc), channels: 3, depth: 8 }));
  if (o.outNpy === undefined) return;
  const nchw = tf.tidy(() => tf.transpose(y, [0, 3, 1, 2]).dataSync() as Float32Array);
  await ensureParent(o.outNpy);
  await saveNpyFile(o.outNpy, { dtype: 'float32', shape: [1, 3, h, w], data: nchw });
}
