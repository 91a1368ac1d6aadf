import { performance } from 'node:perf_hooks';
import { initBackend } from '@clade/backend';
import { ConfigError, ShapeError, loadNpyFile, saveNpyFile, seededNormal, writeFileAtomic, type NdArray } from '@clade/core';
import { countNonFinite } from '@clade/core/internal';
import {
  EVAL_PARAMS,
  encodeRgbPng,
  imageToFloat,
  loadImage,
  loadLabelPng,
  planTransform,
  transformImage,
  type PositionalMap,
  type PreprocessConfig,
} from '@clade/data';
import { reparameterize, type GeneratorConfig } from '@clade/spade-gen';
import * as tf from '@tensorflow/tfjs-core';
import type { Command } from 'commander';
import { loadGenerator } from '../checkpoint';
import { checkEncoderFits, encodeImage, loadEncoder } from '../encoder-checkpoint';
import { addModelOptions, describeConfig } from '../model-options';
import { MODEL_NAMES, parseModel, type ModelName } from '../model-zoo';
import { checkFiniteOutput, checkOutputFiles, ensureParent } from '../output-file';
import { synthesizeGroupDNet, synthesizeSean, type FamilySynthesisResult } from './synthesize-family';
import { synthesizeFolderCommand } from './synthesize-folder';
import { folderOptions, groupdnetOptions, oneFile, seanOptions, spadeOptions, type SpadeSynthesizeOptions, type SynthesizeFlags } from './synthesize-options';
import { generatorSpec, testPreprocess, tfjsSynthesizer, type LoadedEncoder, type LoadedGenerator, type SynthesisRequest } from '@clade/runtime';
import { encoderDirOf, loadEncoderDir, ortSynthesizer } from '@clade/runtime/node';
import { backendOptions, parseMaxPixels, runCommand } from '../run';

/** A float input's values as float32, all finite (a NaN latent would pass as a black image). */
function toFloat32(a: NdArray, file: string, flag: string): Float32Array {
  if (a.dtype !== 'float32' && a.dtype !== 'float64') throw new ConfigError(`${flag} '${file}' must hold float32 (or float64), got ${a.dtype}.`);
  const data = a.dtype === 'float32' ? (a.data as Float32Array) : Float32Array.from(a.data as Float64Array);
  const { first } = countNonFinite(data);
  if (first >= 0)
    throw new ConfigError(`${flag} '${file}' holds a non-finite value (${data[first]} at index ${first}, as float32); every value must be finite.`);
  return data;
}

/** Reads an official positional map: float [1,2,H,W] (or [2,H,W]) → planar [2,H,W]. */
async function loadDistNpy(file: string): Promise<PositionalMap> {
  const a = await loadNpyFile(file);
  const s = a.shape;
  const ok = (s.length === 4 && s[0] === 1 && s[1] === 2) || (s.length === 3 && s[0] === 2);
  if (!ok) throw new ShapeError(`--dist-map '${file}' must be NCHW [1,2,H,W] (or [2,H,W]), got [${s.join(',')}].`);
  return { height: s[s.length - 2]!, width: s[s.length - 1]!, data: toFloat32(a, file, '--dist-map') };
}

async function loadZNpy(file: string, zDim: number): Promise<Float32Array> {
  const a = await loadNpyFile(file);
  const s = a.shape;
  if (!((s.length === 2 && s[0] === 1 && s[1] === zDim) || (s.length === 1 && s[0] === zDim)))
    throw new ShapeError(`--z '${file}' must be [1,${zDim}] (or [${zDim}]), got [${s.join(',')}].`);
  return toFloat32(a, file, '--z');
}

/**
 * A style image as the official test loader feeds the encoder: decoded to RGB like PIL's
 * `convert('RGB')`, given the model's test geometry with PIL BICUBIC (the same steps as the
 * label, from the image's own size), then to [−1, 1]. Returns [1,H,W,3].
 */
export async function loadStyleImage(file: string, preprocess: PreprocessConfig, maxPixels?: number): Promise<tf.Tensor4D> {
  const photo = await loadImage(file, { maxPixels });
  const steps = planTransform(preprocess, photo.width, photo.height, EVAL_PARAMS);
  const img = transformImage(photo, steps);
  return tf.tensor4d(imageToFloat(img), [1, img.height, img.width, 3]);
}

/** `clade synthesize`: one label map (+ instances / positional map / z) → one image. */
export function registerSynthesize(program: Command): void {
  const cmd = program
    .command('synthesize')
    .description('Synthesize an image from a semantic label map with a SPADE / CLADE / CLADE-ICPE generator.')
    .option(
      '--checkpoint <path>',
      'official .pth (SPADE latest_net_G / CLADE best_net_G; SEAN/GroupDNet latest_net_G), a folder from `clade convert`, ' +
        'or (sean/groupdnet) a `clade train` run folder (required)',
    )
    .option('--model <name>', `generator family: ${MODEL_NAMES.join(', ')} (default spade: SPADE/CLADE)`)
    .option('--random-init', 'sean/groupdnet: untrained weights from --seed instead of --checkpoint (to try the architecture)')
    .option('--init-gain <g>', 'with --random-init: the init gain (official default 0.02; larger makes an untrained net\'s inputs visible)')
    .option('--style-label <png>', 'sean: the mask of the --style photo (default: --label)')
    .option('--style-b <image>', 'sean: a second style photo, for --transfer-classes or --mix')
    .option('--style-b-label <png>', 'sean: the mask of --style-b (default: --label)')
    .option('--transfer-classes <ids>', 'sean: take these classes\' styles (comma-separated ids) from --style-b, the rest from --style')
    .option('--mix <t>', 'sean: interpolate every region\'s style, (1-t)·--style + t·--style-b (default 0.5)')
    .option('--resample-class <id>', 'groupdnet: redraw this class\'s latent only (semantic-level multi-modal synthesis)')
    .option(
      '--engine <name>',
      'tfjs (default) or onnx: export the generator to ONNX in memory and run it with onnxruntime ' +
        '(faster on CPU; CLADE fused into one op where @clade/ort-native is built)',
    )
    .option('--resample-seed <n>', 'groupdnet: seed of the redrawn class latent (default: --seed + 1)')
    .option('--label <png>', 'label map PNG (raw class ids, as in the dataset); or --labels <dir>')
    .option('--labels <dir>', 'folder mode: every label PNG of <dir> (sorted by name) to <out dir>/<name>.png; resumable (existing images are skipped)')
    .option('--instances <dir>', 'folder mode: instance-map PNGs named as the labels, for models with the edge channel')
    .option('--shard <i/n>', 'folder mode: only part i of n of the sorted label list (0 <= i < n), e.g. one per machine')
    .option('--instance <png>', 'instance map PNG (COCO-Stuff, Cityscapes); edges are computed from it')
    .option('--dist-map <npy>', 'CLADE-ICPE positional map, official NCHW [1,2,H,W] at the label\'s or the model\'s size (default: computed from the label)')
    .option('--z <npy>', 'VAE latent, official [1,256] (default: N(0, I) drawn with --seed)')
    .option('--style <image>', 'VAE: take z from this image through the encoder (--encoder): z = mu, deterministic')
    .option(
      '--encoder <path>',
      'VAE encoder for --style: official latest_net_E.pth, or a folder from `clade convert --encoder` ' +
        '(default: the encoder/ of a converted --checkpoint folder)',
    )
    .option('--style-sample', 'with --style, draw z = mu + eps*exp(0.5*logvar), eps ~ N(0, I) from --seed (what the official test.py does)')
    .option('--seed <n>', 'seed for the VAE latent (without --z/--style) or for eps (--style-sample)', '0')
    .requiredOption('--out <png>', 'output PNG (official quantisation: trunc(clip((x+1)/2*255))); with --labels, the output folder')
    .option('--out-npy <npy>', 'also write the raw float32 output in [-1,1], NCHW [1,3,H,W]')
    .option('--force', 'replace --out / --out-npy when they exist (never an input file); with --labels, redo existing images')
    .option('--json', 'print a JSON summary instead of a line of text');
  addModelOptions(cmd, false);
  cmd
    .addHelpText(
      'after',
      `
Labels are mapped as the official code fed its checkpoints (ADE20K: channel = raw PNG value;
COCO-Stuff: 255 -> 182). A label already at the model's size is used as-is; otherwise it is
resized with PIL NEAREST like the official test loader. The generator config comes from
--preset, then what the checkpoint shows (norm, ngf, edges), then explicit flags.

Folder mode (--labels <dir> --out <dir>; SPADE / CLADE / CLADE-ICPE, either engine): each
<name>.png becomes <out>/<name>.png, byte for byte what --label <name>.png --seed n writes (every
file gets the same --seed). Existing outputs are skipped, so a stopped run resumes where it was
(--force redoes them); writes are atomic. --shard i/n splits the sorted list, n shards write the
same files as one run. A bad label file is reported and skipped; the exit code is then 2.
Progress goes to stderr, the summary (--json: one object) to stdout.

Examples:
  clade synthesize --checkpoint ade20k/best_net_G.pth --preset ade20k \\
      --label ADE_val_00000001.png --out out.png
  clade synthesize --checkpoint coco/latest_net_G.pth --preset coco --norm spade \\
      --label val_label/000000000139.png --instance val_inst/000000000139.png --out 139.png
  clade synthesize --checkpoint coco_dist/best_net_G.pth --preset coco --norm clade-icpe \\
      --label 139.png --instance 139_inst.png --dist-map 139_dist.npy --out 139.png --out-npy 139.npy
  clade synthesize --checkpoint models/coco-clade --label 139.png --instance 139_inst.png --out 139.png
  clade synthesize --checkpoint models/default-clade --labels masks/ --out images/ --seed 3 --shard 0/4
  clade synthesize --checkpoint ade20k_vae/latest_net_G.pth --encoder ade20k_vae/latest_net_E.pth \\
      --preset ade20k --norm spade --vae --label ADE_val_00000001.png --style style.jpg --out out.png
  clade synthesize --model sean --preset celebamask-hq --checkpoint CelebA-HQ/latest_net_G.pth \\
      --label 28000.png --style 28001.jpg --style-label 28001.png --out face.png
  clade synthesize --model sean … --label 0.png --style 0.jpg --style-b 1.jpg --style-b-label 1.png \\
      --transfer-classes 13 --out hair-of-1.png     # region-style transfer (13 = hair)
  clade synthesize --model groupdnet --preset deepfashion --checkpoint deepfashion/latest_net_G.pth \\
      --label mask.png --seed 3 --resample-class 5 --out look.png
  clade synthesize --model sean-clade --checkpoint runs/sean --label 0.png --style 0.jpg --out face.png   # a clade train run`,
    )
    .action(async (opts: SynthesizeFlags, command: Command) => {
      const all = { ...command.optsWithGlobals<SynthesizeFlags>(), ...opts };
      await runCommand(all, async () => {
        if (all.labels !== undefined) return synthesizeFolderCommand(folderOptions(all));
        const model = parseModel(all.model);
        oneFile(all);
        checkOutputFiles(
          [{ flag: '--out', file: all.out, ext: '.png' }, { flag: '--out-npy', file: all.outNpy, ext: '.npy' }],
          [['--label', all.label], ['--instance', all.instance], ['--dist-map', all.distMap], ['--z', all.z], ['--style', all.style],
            ['--style-label', all.styleLabel], ['--style-b', all.styleB], ['--style-b-label', all.styleBLabel], ['--encoder', all.encoder],
            ['--checkpoint', all.checkpoint]],
          Boolean(all.force),
        );
        if (model === 'spade') return synthesize(spadeOptions(all));
        const job = familyJob(model, all);
        const backend = await initBackend(backendOptions(all));
        const t0 = performance.now();
        const r = await job();
        const summary = { out: all.out, ...r, backend: backend.name, ms: Math.round(performance.now() - t0) };
        const line = `wrote ${all.out} (${r.width}x${r.height}) with ${r.what} on ${backend.name} in ${summary.ms} ms\n`;
        process.stdout.write(all.json ? `${JSON.stringify(summary, null, 2)}\n` : line);
      });
    });
}

/** SEAN or GroupDNet synthesis with that family's flags only (another family's flags are refused now). */
function familyJob(model: Exclude<ModelName, 'spade'>, all: SynthesizeFlags): () => Promise<FamilySynthesisResult> {
  if (model === 'sean' || model === 'sean-clade') {
    const o = seanOptions(all);
    return () => synthesizeSean(model, o);
  }
  const o = groupdnetOptions(model, all);
  return () => synthesizeGroupDNet(model, o);
}

/**
 * The encoder for --style, after the flag checks: --encoder, else the encoder/ subfolder of a
 * converted --checkpoint folder. Null without --style.
 */
async function styleEncoder(o: SpadeSynthesizeOptions, g: LoadedGenerator, what: string): Promise<LoadedEncoder | null> {
  if (o.style === undefined) return null;
  if (!g.config.useVae) throw new ConfigError(`--style is for VAE generators (--vae); this one is ${what}.`);
  const bundled = o.encoder === undefined ? await encoderDirOf(o.checkpoint).catch(() => null) : null;
  if (o.encoder === undefined && bundled === null)
    throw new ConfigError(
      `--style needs the VAE encoder: pass --encoder <latest_net_E.pth> ` +
        `(the official VAE release ships latest_net_E.pth next to latest_net_G.pth) or a folder from \`clade convert --encoder\`.`,
    );
  const e = bundled !== null ? await loadEncoderDir(bundled) : await loadEncoder(o.encoder!, g.config.cropSize);
  try {
    checkEncoderFits(e, g.config.zDim, what);
  } catch (err) {
    e.model.dispose();
    throw err;
  }
  return e;
}

/** The --style flags that need no files: checked before anything loads. */
function checkStyleFlags(o: SpadeSynthesizeOptions): void {
  if (o.style === undefined) {
    if (o.encoder !== undefined) throw new ConfigError(`--encoder is only used with --style <image>.`);
    if (o.styleSample) throw new ConfigError(`--style-sample is only used with --style <image>.`);
  } else if (o.z !== undefined)
    throw new ConfigError(`--z and --style exclude each other: z comes from the --z file or from encoding the --style image; give one.`);
}

/** z from the style image: mu, or mu + eps·exp(0.5·logvar) with eps drawn from `seed`. */
async function styleLatent(
  e: LoadedEncoder,
  file: string,
  preprocess: PreprocessConfig,
  seed: number | null,
  maxPixels: number | undefined,
): Promise<Float32Array> {
  const image = await loadStyleImage(file, preprocess, maxPixels);
  const { mu, logvar } = encodeImage(e, image);
  image.dispose();
  const eps = seed === null ? null : tf.tensor2d(seededNormal(e.config.zDim, seed), [1, e.config.zDim]);
  const z = eps ? reparameterize(mu, logvar, eps) : mu;
  const values = (await z.data()) as Float32Array;
  tf.dispose([mu, logvar, z, ...(eps ? [eps] : [])]);
  return values;
}

async function synthesize(o: SpadeSynthesizeOptions): Promise<void> {
  const seed = Number(o.seed ?? '0');
  if (!Number.isInteger(seed)) throw new ConfigError(`--seed must be an integer, got '${o.seed}'.`);
  const maxPixels = parseMaxPixels(o.maxPixels);
  checkStyleFlags(o);
  if (o.engine !== undefined && o.engine !== 'tfjs' && o.engine !== 'onnx') throw new ConfigError(`--engine must be tfjs or onnx, got '${o.engine}'.`);
  const backend = await initBackend(backendOptions(o));

  const t0 = performance.now();
  // A custom model with an instance map given has the edge channel unless the checkpoint says otherwise.
  const hints: Partial<GeneratorConfig> = o.instance !== undefined && o.preset === 'custom' ? { useInstance: true } : {};
  const g = await loadGenerator(o.checkpoint, o, hints);
  const c = g.config;
  const spec = generatorSpec(g);
  const what = describeConfig(g.preset, c);
  if (c.useInstance && o.instance === undefined)
    throw new ConfigError(`the ${what} generator takes an instance map: pass --instance <png> (or --no-instance-edges for a model trained without).`);
  if (!c.useInstance && o.instance !== undefined)
    throw new ConfigError(`the ${what} generator has no instance-edge channel; drop --instance '${o.instance}'.`);
  if (!spec.inputs.dist && o.distMap !== undefined) throw new ConfigError(`--dist-map is for clade-icpe generators; this one is ${what}.`);
  if (!c.useVae && o.z !== undefined) throw new ConfigError(`--z is for VAE generators (--vae); this one is ${what}.`);
  const encoder = await styleEncoder(o, g, what);
  const synth = o.engine === 'onnx' ? await ortSynthesizer(g) : tfjsSynthesizer(g);
  const tLoad = performance.now();

  const request: SynthesisRequest = {
    source: o.label,
    label: await loadLabelPng(o.label, { maxPixels }),
    ...(o.instance !== undefined && { instance: await loadLabelPng(o.instance, { maxPixels }) }),
    ...(o.distMap !== undefined && { positional: await loadDistNpy(o.distMap) }),
  };
  if (encoder) request.z = await styleLatent(encoder, o.style!, testPreprocess(g.preset, c), o.styleSample ? seed : null, maxPixels);
  else if (c.useVae) Object.assign(request, o.z !== undefined ? { z: await loadZNpy(o.z, c.zDim) } : { seed });
  const input = synth.prepare(request);
  const tPrep = performance.now();

  const image = synth.toImage(await synth.run(input));
  const { width: ow, height: oh } = image;
  const tRun = performance.now();
  const engine = o.engine === 'onnx' ? synth.engine.name : backend.name;
  await synth.dispose();
  encoder?.model.dispose();

  checkFiniteOutput(image.values, '--out', o.out);
  await ensureParent(o.out);
  await writeFileAtomic(o.out, encodeRgbPng({ ...image, data: image.rgb }));
  if (o.outNpy !== undefined) {
    const hwc = image.values;
    const nchw = new Float32Array(hwc.length);
    const plane = oh * ow;
    for (let p = 0; p < plane; p++) for (let ch = 0; ch < 3; ch++) nchw[ch * plane + p] = hwc[p * 3 + ch]!;
    await ensureParent(o.outNpy);
    await saveNpyFile(o.outNpy, { dtype: 'float32', shape: [1, 3, oh, ow], data: nchw });
  }

  const ms = (a: number, b: number) => Math.round(b - a);
  const summary = {
    out: o.out,
    outNpy: o.outNpy ?? null,
    width: ow,
    height: oh,
    preset: g.preset,
    generator: c,
    checkpoint: g.source,
    style: encoder ? { image: o.style!, encoder: encoder.source, z: o.styleSample ? 'sample' : 'mu' } : null,
    backend: engine,
    timingsMs: { load: ms(t0, tLoad), prepare: ms(tLoad, tPrep), forward: ms(tPrep, tRun) },
  };
  if (o.json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  process.stdout.write(
    `wrote ${o.out}${o.outNpy ? ` and ${o.outNpy}` : ''} (${ow}x${oh}) with the ${what} generator on ${engine}: ` +
      `load ${summary.timingsMs.load} ms, prepare ${summary.timingsMs.prepare} ms, forward ${summary.timingsMs.forward} ms\n`,
  )
}
