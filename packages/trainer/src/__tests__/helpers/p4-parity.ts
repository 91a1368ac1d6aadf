import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import {
  labelsToSegmap,
  loadNpyFile,
  loadTorchCheckpointFile,
  readNpz,
  torchKeyOf,
  torchToTfjs,
  torchTransformOf,
  type NdArray,
} from '@clade/core';
import { loadLabelPng } from '@clade/data';
import { SpadeGenerator } from '@clade/spade-gen';
import { sharedPath } from '@clade/test-utils';
import type { RunConfigInput } from '../../index';

/*
 * One official CLADE training iteration (../shared/fixtures/p4_train_step, made by its
 * make_p4.py from tzt101/CLADE @ 1ffd19d): the run config and the comparisons of its README
 * ("What to compare, and tolerances"), as functions of a finished run folder, so that the same
 * checks can run on any compute backend.
 */

/** The fixture folder under ../shared: the suite skips (visibly) only when it is absent; a file missing inside it fails. */
export const P4 = 'fixtures/p4_train_step';
const fixture = (f: string) => sharedPath(P4, f);

/** TTUR learning rates of the run (lr 2e-4: G lr/2, D lr·2). */
export const P4_LR = { G: 1e-4, D: 4e-4 } as const;

const GENERATOR = {
  labelNc: 150, containDontcare: true, useInstance: false, normMode: 'clade' as const, ngf: 4, cropSize: 64,
  numUpsamplingLayers: 'normal' as const,
};

/**
 * Writes the fixture's label/photo pair under `root` in the `custom` layout and returns the
 * README's run config on it, G and D initialised from G_init.pth / D_init.pth (what
 * `clade train --init-g … --init-d …` sets).
 */
export function prepareP4Run(root: string): RunConfigInput {
  for (const [dir, file] of [['label', 'input_label.png'], ['image', 'input_image.png']] as const) {
    mkdirSync(path.join(root, dir), { recursive: true });
    copyFileSync(fixture(file), path.join(root, dir, 'ADE_train_00000001.png'));
  }
  return {
    generator: GENERATOR,
    discriminator: { ndf: 8, numD: 2, nLayers: 3 },
    data: { dataset: 'custom', root, loadSize: 64, flip: false, batchSize: 1 },
    loss: { ganMode: 'hinge', lambdaFeat: 10, lambdaVgg: 0 },
    optim: { lr: 0.0002, ttur: true },
    schedule: { maxIterations: 1, checkpointEvery: 1, logEvery: 1, imageEvery: 0 },
    init: { generator: fixture('G_init.pth'), discriminator: fixture('D_init.pth') },
  };
}

/** How a tensor of the state dicts is checked (README table). */
export type TensorClass = 'G params' | 'D params' | 'u/v' | 'running_mean' | 'running_var' | 'math-zero-grad';
const TOLERANCE: Record<TensorClass, number> = {
  'G params': 1e-4,
  'D params': 1e-4,
  'u/v': 1e-4,
  running_mean: 2e-4,
  running_var: 1e-4,
  'math-zero-grad': Infinity, // checked by |after − init| ≤ lr instead
};

export interface P4Comparison {
  /** One line per failed check, naming the tensor (or loss) and the measured value. Empty: parity. */
  failures: string[];
  /** Worst |ours − official| per tensor class, and where. */
  maxDiff: Record<TensorClass, { diff: number; tensor: string }>;
  /** Worst relative loss error. */
  lossRelDiff: { diff: number; loss: string };
  /** Elements with a full-size official update (≥ 0.99·lr) whose update we miss by more than 1 % of lr. */
  updateCheckFailures: { G: number; D: number };
  /** Elements the update check looked at. */
  updateCheckElements: { G: number; D: number };
  /** Tensors compared, per net. */
  tensors: { G: number; D: number };
}

const f32 = (a: NdArray) => (a.data instanceof Float32Array ? a.data : Float32Array.from(a.data as ArrayLike<number>));

/** An official array in our (tfjs) layout, for our weight `name`. */
function toOurLayout(arr: NdArray, name: string): Float32Array {
  const t = torchToTfjs(arr, torchTransformOf(name, arr.shape.length));
  const data = t.dataSync() as Float32Array;
  t.dispose();
  return data;
}

function classOf(net: 'G' | 'D', key: string, mathZero: Set<string>): TensorClass {
  if (mathZero.has(`${net}.${key}`)) return 'math-zero-grad';
  if (/\.weight_[uv]$/.test(key)) return 'u/v';
  if (key.endsWith('.running_mean')) return 'running_mean';
  if (key.endsWith('.running_var')) return 'running_var';
  return net === 'G' ? 'G params' : 'D params';
}

function maxAbs(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= m)) m = d; // NaN stays NaN
  }
  return m;
}

/**
 * Every check of the README table on a finished one-iteration run folder (`<run>/log.jsonl`,
 * `<run>/checkpoints/latest.npz`) except the fake (see `p4FakeDiff`): losses, every tensor of G
 * and D after the step, the math-zero-grad biases, the per-element update check and the absent
 * ClassAffine rows.
 */
export async function compareP4Run(run: string): Promise<P4Comparison> {
  const failures: string[] = [];
  const manifest = JSON.parse(readFileSync(fixture('manifest.json'), 'utf8')) as {
    math_zero_grad_tensors: string[];
    classes_absent_rows_per_classaffine: Record<string, number>;
  };
  const mathZero = new Set(manifest.math_zero_grad_tensors);

  // Losses: log.jsonl iteration 1 against the official float32 values, relative.
  const official = (JSON.parse(readFileSync(fixture('losses.json'), 'utf8')) as { float32: Record<string, number> }).float32;
  const line = readFileSync(path.join(run, 'log.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, number>)
    .find((l) => l.iter === 1);
  let lossRelDiff = { diff: NaN, loss: 'log.jsonl has no iter 1' };
  if (!line) failures.push(`log.jsonl: no line for iter 1`);
  else {
    const ours: Record<string, number> = { ...line, G_total: line.G_GAN! + line.G_GAN_Feat!, D_total: line.D_Fake! + line.D_real! };
    lossRelDiff = { diff: 0, loss: '' };
    for (const [name, want] of Object.entries(official)) {
      const rel = Math.abs((ours[name] ?? NaN) - want) / Math.abs(want);
      if (!(rel <= lossRelDiff.diff)) lossRelDiff = { diff: rel, loss: name };
      if (!(rel <= 1e-4)) failures.push(`loss ${name}: ours ${ours[name]}, official ${want}, rel diff ${rel.toExponential(2)} > 1e-4`);
    }
  }

  const ckpt = readNpz(new Uint8Array(readFileSync(path.join(run, 'checkpoints', 'latest.npz'))));
  const maxDiff = Object.fromEntries(Object.keys(TOLERANCE).map((c) => [c, { diff: 0, tensor: '' }])) as P4Comparison['maxDiff'];
  const updateCheckFailures = { G: 0, D: 0 };
  const updateCheckElements = { G: 0, D: 0 };
  const tensors = { G: 0, D: 0 };
  for (const net of ['G', 'D'] as const) {
    const init = await loadTorchCheckpointFile(fixture(`${net}_init.pth`));
    const after = await loadTorchCheckpointFile(fixture(`${net}_after.pth`));
    const lr = P4_LR[net];
    // Our checkpoint names are the official keys with '.' → '/' before the weight ('head_0.conv_0/weight_orig').
    const ours = new Map(
      [...ckpt]
        .filter(([k]) => k.startsWith(`${net}/`))
        .map(([k, a]) => [torchKeyOf(k.slice(net.length + 1)), { name: k.slice(net.length + 1), arr: a }]),
    );
    const officialKeys = [...after.keys()].filter((k) => !k.endsWith('.num_batches_tracked'));
    const missing = officialKeys.filter((k) => !ours.has(k));
    const extra = [...ours.keys()].filter((k) => !after.has(k));
    if (missing.length || extra.length)
      failures.push(
        `${net}: checkpoint keys differ from ${net}_after.pth: missing ` +
          `${missing.join(', ') || 'none'}; extra ${extra.join(', ') || 'none'}`,
      );

    for (const key of officialKeys) {
      const mine = ours.get(key);
      if (!mine) continue;
      tensors[net]++;
      const got = f32(mine.arr);
      const want = toOurLayout(after.get(key)!, mine.name);
      const before = toOurLayout(init.get(key)!, mine.name);
      if (got.length !== want.length) {
        failures.push(`${net}.${key}: ${got.length} elements, official ${want.length}`);
        continue;
      }
      const cls = classOf(net, key, mathZero);
      const d = maxAbs(got, want);
      if (!(d <= maxDiff[cls].diff)) maxDiff[cls] = { diff: d, tensor: `${net}.${key}` };
      if (!(d <= TOLERANCE[cls])) failures.push(`${net}.${key} (${cls}): max |ours − official| = ${d.toExponential(3)} > ${TOLERANCE[cls]}`);

      if (cls === 'math-zero-grad') {
        // Exact gradient 0 that float32 turns into noise: Adam may move it anywhere in (−lr, lr).
        const step = maxAbs(got, before);
        if (!(step <= lr * (1 + 1e-3))) failures.push(`${net}.${key} (math-zero-grad): max |after − init| = ${step.toExponential(3)} > lr ${lr}`);
        continue;
      }
      if (!/\.(weight|weight_orig|bias)$/.test(key)) continue; // buffers: u, v, running stats

      // Full-size official updates (|g| ≳ 1e-6): ours within 1 % of lr.
      let bad = 0;
      let worst = 0;
      for (let i = 0; i < want.length; i++) {
        const officialStep = want[i]! - before[i]!;
        if (!(Math.abs(officialStep) >= 0.99 * lr)) continue;
        updateCheckElements[net]++;
        const miss = Math.abs(got[i]! - before[i]! - officialStep);
        if (!(miss <= 0.01 * lr)) {
          bad++;
          worst = Math.max(worst, miss);
        }
      }
      updateCheckFailures[net] += bad;
      if (bad) failures.push(`${net}.${key}: ${bad} full-size updates missed by more than 1 % of lr (worst ${(worst / lr).toFixed(3)}·lr)`);

      // ClassAffine rows of classes absent at the layer's resolution: gradient exactly 0, so unchanged exactly.
      const table = key.match(/^(.*\.class_specified_affine)\.(weight|bias)$/);
      if (table) {
        const rows = manifest.classes_absent_rows_per_classaffine[`G.${table[1]}`];
        const c = after.get(key)!.shape[1]!;
        const absent: number[] = [];
        for (let r = 0; r < want.length / c; r++) if (want.subarray(r * c, (r + 1) * c).every((x, j) => x === before[r * c + j])) absent.push(r);
        if (absent.length !== rows)
          failures.push(`${net}.${key}: ${absent.length} rows unchanged in ${net}_after.pth, the manifest says ${rows} absent classes`);
        const moved = absent.filter((r) => got.subarray(r * c, (r + 1) * c).some((x, j) => x !== before[r * c + j]));
        if (moved.length)
          failures.push(
            `${net}.${key}: rows of absent classes changed: ` +
              `${moved.slice(0, 8).join(', ')}${moved.length > 8 ? ', …' : ''} (${moved.length} rows)`,
          );
      }
    }
  }
  return { failures, maxDiff, lossRelDiff, updateCheckFailures, updateCheckElements, tensors };
}

/** One line of the measured values, for the test log. */
export function formatP4Comparison(r: P4Comparison): string {
  const worst = Object.entries(r.maxDiff).map(([c, { diff, tensor }]) => `${c} ${diff.toExponential(2)} (${tensor})`);
  return (
    `max |ours − official|: ${worst.join(', ')}; losses rel ${r.lossRelDiff.diff.toExponential(2)} (${r.lossRelDiff.loss}); ` +
    `update check: ${r.updateCheckFailures.G}/${r.updateCheckElements.G} G, ${r.updateCheckFailures.D}/${r.updateCheckElements.D} D elements off by > 1 % of lr`
  );
}

/** Max |ours − official| of the G step's fake: G_init, train mode, on the fixture's label map. */
export async function p4FakeDiff(): Promise<number> {
  const G = new SpadeGenerator(GENERATOR);
  try {
    G.loadTorchStateDict(await loadTorchCheckpointFile(fixture('G_init.pth')), 'G_init.pth');
    const label = await loadLabelPng(fixture('input_label.png'));
    const want = await loadNpyFile(fixture('fake_G_step.npy')); // [1,3,H,W]
    const ours = tf.tidy(() => {
      const ids = tf.tensor3d(Int32Array.from(label.data), [1, label.height, label.width], 'int32');
      const fake = G.apply({ seg: labelsToSegmap(ids, GENERATOR.labelNc + 1) }, true);
      return tf.transpose(fake, [0, 3, 1, 2]);
    });
    const d = maxAbs(ours.dataSync() as Float32Array, f32(want));
    ours.dispose();
    return d;
  } finally {
    G.dispose();
  }
}
