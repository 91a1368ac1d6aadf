import { ConfigError, saveNpyFile, writeFileAtomic } from '@clade/core';
import { encodeRgbPng, loadImage, loadLabelPng } from '@clade/data';
import { GroupDNetGenerator, createGroupDNet } from '@clade/groupdnet';
import { GroupDNetSynthesizer, SeanSynthesizer, type SeanStyle, type SeanStyleEdit, type SynthesizedImage } from '@clade/runtime';
import { ortGroupDNetSynthesizer, ortSeanSynthesizer } from '@clade/runtime/node';
import { SeanGenerator, buildSeanGenerator } from '@clade/sean';
import { checkFiniteOutput, ensureParent } from '../output-file';
import { generatorOf, weightFlags, type GroupDNetModel, type SeanModel } from './family-weights';
import type { CommonSynthesizeOptions, GroupDNetSynthesizeOptions, SeanSynthesizeOptions } from './synthesize-options';

export { runModelName } from './family-weights';

/** What `clade synthesize` reports of a SEAN / GroupDNet image. */
export interface FamilySynthesisResult {
  width: number;
  height: number;
  what: string;
}

/**
 * SEAN: region styles from --style, encoded inside the regions of --style-label (default --label);
 * --style-b edits them (--transfer-classes, or --mix). Weights: an official .pth, a `clade train`
 * run (folder or checkpoint .npz), or --random-init. The steps are `SeanSynthesizer`'s.
 */
export async function synthesizeSean(model: SeanModel, o: SeanSynthesizeOptions): Promise<FamilySynthesisResult> {
  const w = await weightFlags(model, o);
  const mix = styleFlags(model, o);
  const g = await generatorOf(model, o, w, {
    run: (c) => new SeanGenerator({ ...(c.generator as SeanGenerator['config']), initSeed: null }),
    fresh: () => buildSeanGenerator(o.preset!, { ...w.overrides, classBranch: model === 'sean' ? 'spade' : 'clade', initSeed: w.seed }),
  });
  const synth = o.engine === 'onnx' ? await ortSeanSynthesizer(g) : new SeanSynthesizer(g);
  try {
    // Per-region edits: the codes of some classes from B (--transfer-classes), or a blend (--mix).
    const edit: SeanStyleEdit = o.transferClasses !== undefined ? { transferClasses: parseClasses(o.transferClasses, synth.numClasses) } : { mix };
    const label = await loadLabelPng(o.label, { maxPixels: w.maxPixels });
    const image = await synth.synthesize({
      label,
      labelName: `--label '${o.label}'`,
      style: await styleOf(o.style!, o.styleLabel, '--style-label', w.maxPixels),
      ...(o.styleB !== undefined && { styleB: await styleOf(o.styleB, o.styleBLabel, '--style-b-label', w.maxPixels), edit }),
      seed: w.seed,
    });
    await writeOutputs(o, image);
    return { width: image.width, height: image.height, what: w.what };
  } finally {
    await synth.dispose();
  }
}

/**
 * GroupDNet: per-class latents from --seed; --resample-class redraws one class's latent only.
 * Weights as for SEAN. The steps are `GroupDNetSynthesizer`'s.
 */
export async function synthesizeGroupDNet(model: GroupDNetModel, o: GroupDNetSynthesizeOptions): Promise<FamilySynthesisResult> {
  const w = await weightFlags(model, o);
  const g = await generatorOf(
    model, o, w,
    {
      run: (c) => new GroupDNetGenerator({ ...(c.generator as GroupDNetGenerator['config']), initSeed: null }),
      fresh: () => createGroupDNet(o.preset!, { ...w.overrides, initSeed: w.seed }, model),
    },
    ({ config }) => {
      if (config.useInstance && o.instance === undefined)
        throw new ConfigError(`--model ${model} --preset ${o.preset} has the instance-edge channel: pass --instance <png>.`);
      if (!config.useInstance && o.instance !== undefined)
        throw new ConfigError(`--model ${model} --preset ${o.preset} has no instance-edge channel; drop --instance '${o.instance}'.`);
    },
  );
  const synth = o.engine === 'onnx' ? await ortGroupDNetSynthesizer(g) : new GroupDNetSynthesizer(g);
  try {
    const resample = o.resampleClass === undefined ? {} : parseResample(o, synth.numClasses, w.seed);
    const label = await loadLabelPng(o.label, { maxPixels: w.maxPixels });
    const instance = o.instance === undefined ? undefined : await loadLabelPng(o.instance, { maxPixels: w.maxPixels });
    const image = await synth.synthesize({ label, labelName: `--label '${o.label}'`, ...(instance && { instance }), seed: w.seed, ...resample });
    await writeOutputs(o, image);
    return { width: image.width, height: image.height, what: w.what };
  } finally {
    await synth.dispose();
  }
}

/** --style is required, --transfer-classes and --mix need --style-b; the blend weight (--mix, default 0.5). */
function styleFlags(model: SeanModel, o: SeanSynthesizeOptions): number {
  if (o.style === undefined)
    throw new ConfigError(
      `--model ${model} takes its region styles from a photo: pass --style <image> (and --style-label <png> when its mask is not --label).`,
    );
  const blendFlags = o.transferClasses !== undefined || o.mix !== undefined;
  if (o.styleB === undefined && blendFlags) throw new ConfigError('--transfer-classes and --mix take the second style from --style-b <image>.');
  // As before: with --transfer-classes, --mix is not read.
  return o.styleB !== undefined && o.transferClasses === undefined ? parseMix(o.mix) : 0.5;
}

/** A style photo and, when given, its mask (else the runtime reads it under --label). */
async function styleOf(photo: string, mask: string | undefined, flag: string, maxPixels: number | undefined): Promise<SeanStyle> {
  const label = mask === undefined ? undefined : await loadLabelPng(mask, { maxPixels });
  return { photo: await loadImage(photo, { maxPixels }), ...(label && { label, labelName: `${flag} '${mask}'` }) };
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

/** --resample-class (an id in 0..K−1) and --resample-seed (default --seed + 1). */
function parseResample(o: GroupDNetSynthesizeOptions, k: number, seed: number): { resampleClass: number; resampleSeed: number } {
  const c = Number(o.resampleClass);
  if (!Number.isInteger(c) || c < 0 || c >= k) throw new ConfigError(`--resample-class must be a class id in 0..${k - 1}, got '${o.resampleClass}'.`);
  const s = o.resampleSeed === undefined ? seed + 1 : Number(o.resampleSeed);
  if (!Number.isInteger(s)) throw new ConfigError(`--resample-seed must be an integer, got '${o.resampleSeed}'.`);
  return { resampleClass: c, resampleSeed: s };
}

/** float32 HWC → NCHW [1,3,H,W], the official layout of --out-npy. */
function planar({ values, width, height }: SynthesizedImage): Float32Array {
  const out = new Float32Array(values.length);
  const plane = width * height;
  for (let p = 0; p < plane; p++) for (let ch = 0; ch < 3; ch++) out[ch * plane + p] = values[p * 3 + ch]!;
  return out;
}

/** The PNG (official quantisation) and, with --out-npy, the raw float32 output as NCHW [1,3,H,W]. */
async function writeOutputs(o: Pick<CommonSynthesizeOptions, 'out' | 'outNpy'>, image: SynthesizedImage): Promise<void> {
  const { width: w, height: h } = image;
  checkFiniteOutput(image.values, '--out', o.out);
  await ensureParent(o.out);
  await writeFileAtomic(o.out, encodeRgbPng({ ...image, data: image.rgb }));
  if (o.outNpy === undefined) return;
  await ensureParent(o.outNpy);
  await saveNpyFile(o.outNpy, { dtype: 'float32', shape: [1, 3, h, w], data: planar(image) });
}
