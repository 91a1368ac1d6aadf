// Scores the bundled default model against held-out synthetic scenes, next to an untrained
// generator of the same config and a trivial baseline (flat class colours), with our metrics:
//  - segmentation mIoU / pixel accuracy of the pretrained ADE20K DeepLabV3 segmenter (ONNX),
//  - Fréchet distance and KID in that segmenter's pooled-logit space (151-d, "FD-seg"/"KID-seg":
//    computed like FID/KID but NOT comparable with them),
//  - FID / KID (pytorch-fid InceptionV3, 2048-d) when --inception-weights is given.
// Run (from the repository root):
//   node --conditions=@clade/source --import tsx apps/cli/scripts/evaluate-default-model.ts \
//     --model models/default-clade --segmenter ../shared/models/deeplabv3_mnv2_ade20k_513.onnx
// It writes <model>/evaluation.json (with the training curve from --log <run>/log.jsonl, means per
// 100 iterations) and prints a table.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@clade/backend';
import { writeFileAtomic } from '@clade/core';
import { SYNTH_CLASS_NAMES, loadImage, loadLabelPng, synthScene, synthSampleSeed } from '@clade/data';
import {
  ConfusionMatrix,
  DEEPLABV3_MNV2_ADE20K,
  FidInceptionV3,
  GaussianAccumulator,
  OnnxSegmenter,
  frechetDistance,
  kernelInceptionDistance,
  mapGroundTruth,
} from '@clade/metrics';
import { SpadeGenerator } from '@clade/spade-gen';
import { tfjsSynthesizer, type Synthesizer } from '@clade/runtime';
import { loadGeneratorDir } from '@clade/runtime/node';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'models/default-clade' },
    segmenter: { type: 'string', default: '../shared/models/deeplabv3_mnv2_ade20k_513.onnx' },
    'inception-weights': { type: 'string' },
    count: { type: 'string', default: '30' },
    size: { type: 'string', default: '256' },
    seed: { type: 'string', default: '0' },
    log: { type: 'string' },
  },
});
const COUNT = Number(args.count);
const SIZE = Number(args.size);
const DATA_SEED = Number(args.seed);

interface Image8 {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Held-out scenes: the 'val' split of the synthetic set (disjoint from the training scenes). */
function heldOut(): Array<{ label: Uint8Array; photo: Image8 }> {
  return Array.from({ length: COUNT }, (_, i) => {
    const s = synthScene({ seed: synthSampleSeed(DATA_SEED, 'val', i), width: SIZE, height: SIZE });
    return { label: s.label, photo: { width: SIZE, height: SIZE, data: s.image } };
  });
}

/** Mean colour of every class over the training photos the model saw. */
async function classMeanColours(trainRoot: string): Promise<Map<number, [number, number, number]>> {
  const sums = new Map<number, [number, number, number, number]>();
  const manifest = JSON.parse(await readFile(path.join(trainRoot, 'synth-train.json'), 'utf8')) as { samples: Array<{ id: string }> };
  for (const { id } of manifest.samples) {
    const [img, lab] = await Promise.all([
      loadImage(path.join(trainRoot, 'images/training', `${id}.jpg`)),
      loadLabelPng(path.join(trainRoot, 'annotations/training', `${id}.png`)),
    ]);
    for (let p = 0; p < lab.data.length; p++) {
      const c = lab.data[p]!;
      const s = sums.get(c) ?? [0, 0, 0, 0];
      s[0] += img.data[3 * p]!;
      s[1] += img.data[3 * p + 1]!;
      s[2] += img.data[3 * p + 2]!;
      s[3] += 1;
      sums.set(c, s);
    }
  }
  return new Map([...sums].map(([c, [r, g, b, n]]) => [c, [Math.round(r / n), Math.round(g / n), Math.round(b / n)]]));
}

function flatColours(label: Uint8Array, colours: Map<number, [number, number, number]>): Image8 {
  const data = new Uint8Array(label.length * 3);
  for (let p = 0; p < label.length; p++) data.set(colours.get(label[p]!) ?? [127, 127, 127], 3 * p);
  return { width: SIZE, height: SIZE, data };
}

/** One image through the runtime (as `clade synthesize` makes it); a VAE generator gets z ~ N(0, I) drawn from `styleSeed`. */
async function synthesize(synth: Synthesizer, label: Uint8Array, styleSeed: number): Promise<Image8> {
  const { width, height, rgb } = await synth.synthesize({ label: { width: SIZE, height: SIZE, data: label }, ...(synth.hasStyle && { seed: styleSeed }) });
  return { width, height, data: rgb };
}

/** Mean |Δ| per byte between two 8-bit images of the same size. */
function meanAbsDelta(a: Image8, b: Image8): number {
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i]! - b.data[i]!);
  return sum / a.data.length;
}

interface SetScores {
  miou: number;
  miouUnion: number;
  accuracy: number;
  fdSeg: number | null;
  kidSeg: number | null;
  fid: number | null;
  kid: number | null;
}

async function main(): Promise<void> {
  const backend = await initBackend({});
  const modelDir = path.resolve(args.model!);
  const run = JSON.parse(await readFile(path.join(modelDir, 'run.json'), 'utf8')) as {
    generator: ConstructorParameters<typeof SpadeGenerator>[0] & { initSeed: number };
    data: { root: string; synthetic: { seed: number } };
  };
  const loaded = await loadGeneratorDir(modelDir);
  const trained = tfjsSynthesizer(loaded);
  // The untrained generator is the run's own initialisation (same init seed): iteration 0.
  const untrained = tfjsSynthesizer({ ...loaded, model: new SpadeGenerator({ ...run.generator, cropSize: SIZE }).model, source: 'untrained' });
  const trainRoot = path.resolve(path.dirname(path.join(modelDir, 'run.json')), run.data.root);
  if (!existsSync(path.join(trainRoot, 'synth-train.json')))
    throw new Error(`the training scenes are not at '${trainRoot}'; run 'clade data synth' with the run's parameters or train once.`);
  const colours = await classMeanColours(trainRoot);
  const segmenter = await OnnxSegmenter.load(DEEPLABV3_MNV2_ADE20K, path.resolve(args.segmenter!), { threads: 2 });
  const inception = args['inception-weights'] ? await FidInceptionV3.load(path.resolve(args['inception-weights'])) : null;

  const sets = ['real (held-out photos)', 'default-clade (trained)', 'untrained generator', 'flat class colours'] as const;
  const confusion = sets.map(() => new ConfusionMatrix(151, 0));
  const segFeats = sets.map(() => [] as Float64Array[]);
  const incFeats = sets.map(() => [] as Float32Array[]);
  const samples = heldOut();
  // The style goal: z from seeds 0 and 1 should change light and colour visibly (mean |Δ| per byte).
  const styleDeltas: number[] = [];
  const t0 = performance.now();
  for (const [i, s] of samples.entries()) {
    if (trained.hasStyle) styleDeltas.push(meanAbsDelta(await synthesize(trained, s.label, 0), await synthesize(trained, s.label, 1)));
    const images: Image8[] = [
      s.photo,
      await synthesize(trained, s.label, i),
      await synthesize(untrained, s.label, i),
      flatColours(s.label, colours),
    ];
    for (const [k, img] of images.entries()) {
      const { labels, pooled } = await segmenter.predictWithPooledScores(img, 'logits');
      confusion[k]!.add({ width: SIZE, height: SIZE, data: mapGroundTruth(s.label, segmenter.descriptor) }, labels);
      segFeats[k]!.push(pooled);
      if (inception) {
        const x = tf.tidy(() => tf.div(tf.tensor4d(img.data, [1, SIZE, SIZE, 3], 'float32'), 255) as tf.Tensor4D);
        const f = inception.features(x, 2048);
        incFeats[k]!.push(f.dataSync().slice() as Float32Array);
        tf.dispose([x, f]);
      }
    }
    process.stderr.write(`\r${i + 1}/${samples.length} held-out scenes scored (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  process.stderr.write('\n');
  const matrix = (rows: ArrayLike<number>[], dims: number) => {
    const data = new Float64Array(rows.length * dims);
    rows.forEach((r, i) => data.set(r as ArrayLike<number>, i * dims));
    return { rows: rows.length, dims, data };
  };
  const gaussian = (rows: ArrayLike<number>[], dims: number) => {
    const acc = new GaussianAccumulator(dims);
    for (const r of rows) acc.add(r);
    return acc.stats();
  };
  const kidOpts = { subsets: 100, subsetSize: Math.min(1000, COUNT), seed: 0 };
  const scores: Record<string, SetScores> = {};
  sets.forEach((name, k) => {
    const seg = confusion[k]!.scores();
    const vsReal = k > 0;
    scores[name] = {
      miou: seg.miou,
      miouUnion: seg.miouUnion,
      accuracy: seg.accuracy,
      fdSeg: vsReal ? frechetDistance(gaussian(segFeats[0]!, 151), gaussian(segFeats[k]!, 151)).distance : null,
      kidSeg: vsReal ? kernelInceptionDistance(matrix(segFeats[0]!, 151), matrix(segFeats[k]!, 151), kidOpts).kid : null,
      fid: vsReal && inception ? frechetDistance(gaussian(incFeats[0]!, 2048), gaussian(incFeats[k]!, 2048)).distance : null,
      kid: vsReal && inception ? kernelInceptionDistance(matrix(incFeats[0]!, 2048), matrix(incFeats[k]!, 2048), kidOpts).kid : null,
    };
  });
  const curve: Array<Record<string, number>> = [];
  if (args.log) {
    const rows = (await readFile(args.log, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>).filter((r) => r.G_GAN !== undefined);
    for (let start = 0; start < rows.length; start += 100) {
      const chunk = rows.slice(start, start + 100);
      const mean = (k: string) => +(chunk.reduce((a, r) => a + (r[k] ?? 0), 0) / chunk.length).toFixed(4);
      curve.push({
        iterations: chunk[chunk.length - 1]!.iter!, G_GAN: mean('G_GAN'), G_GAN_Feat: mean('G_GAN_Feat'),
        D_Fake: mean('D_Fake'), D_real: mean('D_real'), secondsPerIteration: mean('seconds'),
      });
    }
  }
  const report = {
    model: path.relative(process.cwd(), modelDir),
    heldOut: { count: COUNT, size: SIZE, split: 'val', datasetSeed: DATA_SEED, classes: SYNTH_CLASS_NAMES },
    segmenter: {
      file: path.basename(segmenter.path),
      sha256: segmenter.sha256,
      resize: segmenter.descriptor.resize,
      miouAveraging: 'gt-present (miou) and union (miouUnion)',
    },
    featureDistances: {
      fdSeg: 'Fréchet distance of 151-d segmenter logits averaged over each image, held-out photos vs the set (not FID)',
      kidSeg: 'KID (cubic polynomial kernel, 100 subsets) on the same 151-d features (not KID on Inception)',
      fid: inception ? 'pytorch-fid InceptionV3 pool3, 2048-d' : 'not computed: no --inception-weights (pt_inception-2015-12-05-6726825d.pth)',
    },
    backend: backend.name,
    scores,
    styleDelta: styleDeltas.length
      ? {
          seeds: [0, 1],
          meanAbsDeltaPerByte: styleDeltas.reduce((a, d) => a + d, 0) / styleDeltas.length,
          min: Math.min(...styleDeltas),
          max: Math.max(...styleDeltas),
        }
      : null,
    trainingCurve: curve,
  };
  await writeFileAtomic(path.join(modelDir, 'evaluation.json'), new TextEncoder().encode(`${JSON.stringify(report, null, 2)}\n`));
  if (curve.length) {
    console.log('| iterations | G_GAN | G_GAN_Feat | D_Fake | D_real | s/it |');
    console.log('|---|---|---|---|---|---|');
    for (const c of curve) console.log(`| ${c.iterations} | ${c.G_GAN} | ${c.G_GAN_Feat} | ${c.D_Fake} | ${c.D_real} | ${c.secondsPerIteration} |`);
  }
  const fmt = (v: number | null, d = 3) => (v === null ? '-' : v.toFixed(d));
  console.log('| set | mIoU | mIoU (union) | pixel acc. | FD-seg | KID-seg | FID | KID |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const [name, s] of Object.entries(scores))
    console.log(
      `| ${name} | ${fmt(s.miou)} | ${fmt(s.miouUnion)} | ${fmt(s.accuracy)} | ` +
        `${fmt(s.fdSeg, 1)} | ${fmt(s.kidSeg, 2)} | ${fmt(s.fid, 1)} | ${fmt(s.kid, 4)} |`,
    );
  if (report.styleDelta) {
    const { meanAbsDeltaPerByte: m, min, max } = report.styleDelta;
    console.log(`style: seeds 0 and 1 differ by ${m.toFixed(2)} mean |Δ| per byte (per scene ${min.toFixed(2)}–${max.toFixed(2)}; goal ≥ 10)`);
  }
  await segmenter.dispose();
  await untrained.dispose();
  await trained.dispose();
  inception?.dispose();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
