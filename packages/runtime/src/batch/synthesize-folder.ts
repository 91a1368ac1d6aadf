import { existsSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { ConfigError, isUserError, parseAtomicTempName, writeFileAtomic } from '@clade/core';
import { countNonFinite } from '@clade/core/internal';
import { encodeRgbPng, loadLabelPng } from '@clade/data';
import type { SynthesisRequest, SynthesizedImage } from '../synthesis/request';
import type { Synthesizer } from '../synthesis/synthesizer';
import { planSynthesisFolder, type FolderItem, type FolderLayout, type FolderPlan } from './folder-plan';

/** A folder run: where (the layout), with which latent, and how the caller sees it go. */
export interface SynthesizeFolderOptions extends FolderLayout {
  /** VAE generators: every image's z is drawn from this seed, as one-file synthesis with the same seed (default 0). Not read by other models. */
  seed?: number;
  /** Redo images that exist (default: skip them; writes are atomic, so an existing image is complete). */
  force?: boolean;
  /** The bytes of an image file. Default: `encodeRgbPng`, the encoder of one-file synthesis, so both write the same bytes. */
  encode?: (image: SynthesizedImage) => Uint8Array;
  /** Largest label (and instance) map in pixels, as `loadLabelPng` takes it. */
  maxPixels?: number;
  /** Called after each file: written, skipped or failed. */
  onProgress?: (progress: FolderProgress) => void;
  /** Stops the run before the next image; the one in progress is finished and written. */
  signal?: AbortSignal;
}

/** Where a run stands after one file. */
export interface FolderProgress {
  /** Files of this shard handled so far, and in all. */
  done: number;
  total: number;
  written: number;
  skipped: number;
  failed: number;
  /** The label file just handled and what became of it. */
  file: string;
  status: 'written' | 'skipped' | 'failed';
  /** Why it failed (one line naming the file). */
  error?: string;
  elapsedMs: number;
}

/** A label file that was not synthesized, and why. */
export interface FolderFailure {
  file: string;
  message: string;
}

/** What a folder run did. */
export interface FolderSummary {
  labels: string;
  out: string;
  /** 'i/n'. */
  shard: string;
  /** Label PNGs in the folder, and in this shard. */
  folderSize: number;
  total: number;
  written: number;
  skipped: number;
  failed: FolderFailure[];
  /** The signal stopped the run before its end. */
  aborted: boolean;
  ms: number;
}

/** Whether a process runs on this machine (EPERM: it does, owned by someone else). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes what a killed run left of its writes: `writeFileAtomic`'s temporary files
 * (`.<name>.<pid>.<hex>.tmp`) of this shard's outputs whose writer is dead. Other shards' outputs
 * and live writers' files are left alone: shards may share the folder.
 */
async function removeStaleTemps(plan: FolderPlan): Promise<void> {
  const ours = new Set(plan.items.map((i) => path.basename(i.out)));
  for (const name of await readdir(plan.out)) {
    const temp = parseAtomicTempName(name);
    if (temp && ours.has(temp.target) && !alive(temp.pid)) await rm(path.join(plan.out, name), { force: true });
  }
}

/** One label file (and its instance map) through the synthesizer; a user error names the file. */
async function synthesizeItem(synth: Synthesizer, item: FolderItem, o: SynthesizeFolderOptions): Promise<SynthesizedImage> {
  const limits = { maxPixels: o.maxPixels };
  const request: SynthesisRequest = {
    source: item.label,
    label: await loadLabelPng(item.label, limits),
    ...(item.instance !== null && { instance: await loadLabelPng(item.instance, limits) }),
    ...(synth.hasStyle && { seed: o.seed ?? 0 }),
  };
  const image = await synth.synthesize(request);
  // NaN quantises to black: a diverged output must not pass as an image.
  const bad = countNonFinite(image.values).count;
  if (bad > 0) throw new ConfigError(`'${item.label}': not written; the generator's output holds ${bad} non-finite values (NaN or ±Infinity).`);
  return image;
}

/** Instance maps are given exactly when the model has the edge channel: checked once, not per file. */
function checkInstances(synth: Synthesizer, plan: FolderPlan): void {
  const edges = synth.generator.config.useInstance;
  if (edges && plan.instances === null)
    throw new ConfigError(`the generator '${synth.generator.source}' takes instance maps: pass --instances <dir> with one PNG per label, named as the label.`);
  if (!edges && plan.instances !== null)
    throw new ConfigError(`the generator '${synth.generator.source}' has no instance-edge channel; drop --instances '${plan.instances}'.`);
}

/**
 * Synthesizes every label PNG of a folder (sorted by name; one shard of that list) to
 * `<out>/<name>.png`. Each image is what one-file synthesis of that label with the same seed
 * gives, whatever the shard or the files done before. Resumable: an existing output is skipped
 * (`force` redoes it), and each write is atomic, so a killed run loses at most the image in
 * progress. A bad label file (not a PNG, ids out of range, too large) fails alone, named in
 * `failed`; the run goes on. Anything else (a bug, a failed write) stops it.
 */
export async function synthesizeFolder(synth: Synthesizer, options: SynthesizeFolderOptions): Promise<FolderSummary> {
  const t0 = performance.now();
  const plan = await planSynthesisFolder(options);
  checkInstances(synth, plan);
  await mkdir(plan.out, { recursive: true });
  await removeStaleTemps(plan);
  const total = plan.items.length;
  const failed: FolderFailure[] = [];
  let written = 0;
  let skipped = 0;
  let aborted = false;
  const report = (item: FolderItem, status: FolderProgress['status'], error?: string): void =>
    options.onProgress?.({
      done: written + skipped + failed.length, total, written, skipped, failed: failed.length,
      file: item.label, status, ...(error !== undefined && { error }), elapsedMs: performance.now() - t0,
    });

  for (const item of plan.items) {
    if (options.signal?.aborted) {
      aborted = true;
      break;
    }
    if (!options.force && existsSync(item.out)) {
      skipped++;
      report(item, 'skipped');
      continue;
    }
    let image: SynthesizedImage;
    try {
      image = await synthesizeItem(synth, item, options);
    } catch (e) {
      if (!isUserError(e)) throw e;
      failed.push({ file: item.label, message: (e as Error).message });
      report(item, 'failed', (e as Error).message);
      continue;
    }
    // A failed write (disk full, folder gone) would fail every file after it: it stops the run.
    await writeFileAtomic(item.out, options.encode ? options.encode(image) : encodeRgbPng({ ...image, data: image.rgb }));
    written++;
    report(item, 'written');
  }
  return {
    labels: plan.labels, out: plan.out, shard: plan.shard, folderSize: plan.folderSize, total, written, skipped, failed, aborted,
    ms: Math.round(performance.now() - t0),
  };
}
