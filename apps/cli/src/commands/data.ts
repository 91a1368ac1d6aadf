import { ConfigError } from '@clade/core';
import {
  DATASET_NAMES,
  SYNTH_CLASS_NAMES,
  colorPalette,
  datasetInfo,
  inspectDataset,
  listDatasetSplits,
  loadLabel,
  positionalMap,
  positionalMapPath,
  savePositionalMapNpy,
  writePositionalMaps,
  type ColorLabelOptions,
  type DatasetName,
  type DatasetReport,
  type LabelSpec,
  type PositionalMapOptions,
  type SynthSplit,
  writeSynthDataset,
} from '@clade/data';
import type { Command } from 'commander';
import { checkOutputFiles } from '../output-file';
import { parseMaxPixels, runCommand, type GlobalOptions } from '../run';
import { printTable } from '../table';

interface SynthOptions extends GlobalOptions {
  out: string;
  count: string;
  size: string;
  seed: string;
  split: string;
  quality: string;
}

interface MapFlags extends GlobalOptions {
  skipValue?: string;
  components?: string;
  normalize: boolean;
  colorLabels?: string;
  tolerance?: string;
}

interface DistMapOptions extends MapFlags {
  label: string;
  out: string;
  force?: boolean;
}

interface DistMapsOptions extends MapFlags {
  dataset?: string;
  phase?: string;
  cacheRoot?: string;
  force?: boolean;
}

interface InspectOptions extends GlobalOptions {
  dataset?: string;
  phase?: string;
  labelNc?: string;
  dontcare?: boolean;
  colorLabels?: string;
  tolerance?: string;
  images: boolean;
  strict?: boolean;
}

/** A non-negative (or positive) integer flag, or a ConfigError naming it. */
function parseInteger(flag: string, v: string, min: number): number {
  const n = Number(v);
  if (!/^-?\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min)
    throw new ConfigError(`${flag} must be an integer ≥ ${min}, got '${v}'.`);
  return n;
}

/** `--dataset`: one of the layouts. */
export function parseDataset(v: string | undefined): DatasetName {
  if (v === undefined) throw new ConfigError(`--dataset is required: one of ${DATASET_NAMES.join(', ')}.`);
  if (!(DATASET_NAMES as readonly string[]).includes(v))
    throw new ConfigError(`--dataset must be one of ${DATASET_NAMES.join(', ')}; got '${v}'.`);
  return v as DatasetName;
}

/** `--color-labels <palette>` + `--tolerance <t>`: colour-coded labels, or undefined for id PNGs. */
export function parseColorLabels(palette: string | undefined, tolerance: string | undefined): ColorLabelOptions | undefined {
  if (palette === undefined) {
    if (tolerance !== undefined) throw new ConfigError('--tolerance needs --color-labels.');
    return undefined;
  }
  const t = tolerance === undefined ? 0 : Number(tolerance);
  if (!Number.isFinite(t) || t < 0 || tolerance?.trim() === '')
    throw new ConfigError(`--tolerance must be a number ≥ 0 (RGB distance), got '${tolerance}'.`);
  const names = ['ade20k', 'cityscapes'];
  if (!names.includes(palette)) throw new ConfigError(`--color-labels must be one of ${names.join(', ')}; got '${palette}'.`);
  return { palette: colorPalette(palette), tolerance: t };
}

/** `--skip-value <n|none>` and `--components`: the positional-map options (official defaults). */
function parseMapOptions(skip: string | undefined, components: string | undefined, normalize: boolean): PositionalMapOptions {
  let skipValue: number | null = 0;
  if (skip !== undefined) skipValue = skip === 'none' ? null : parseInteger('--skip-value', skip, 0);
  if (components !== undefined && components !== 'all' && components !== 'largest')
    throw new ConfigError(`--components must be one of all, largest; got '${components}'.`);
  return { skipValue, components: (components ?? 'all') as 'all' | 'largest', normalize };
}

/** A one-line progress bar on stderr, drawn only on a terminal; `end` clears it. */
export function progressBar(label: string, enabled = process.stderr.isTTY === true) {
  const t0 = performance.now();
  let lastDraw = 0;
  return {
    update(done: number, total: number, note = ''): void {
      if (!enabled) return;
      const now = performance.now();
      if (done < total && now - lastDraw < 100) return;
      lastDraw = now;
      const width = 24;
      const filled = total > 0 ? Math.round((width * done) / total) : width;
      const rate = done / Math.max(1e-3, (now - t0) / 1000);
      const eta = done > 0 && done < total ? ` eta ${Math.ceil((total - done) / rate)} s` : '';
      process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${eta}${note ? ` ${note}` : ''}\x1b[K`);
    },
    end(): void {
      if (enabled) process.stderr.write('\r\x1b[K');
    },
  };
}

/** `--size`: `256` (square) or `WxH`. */
export function parseSize(v: string): { width: number; height: number } {
  const m = /^\s*(\d+)\s*(?:[xX]\s*(\d+)\s*)?$/.exec(v);
  const width = m ? Number(m[1]) : NaN;
  const height = m ? Number(m[2] ?? m[1]) : NaN;
  if (!m || width < 1 || height < 1 || width > 16384 || height > 16384)
    throw new ConfigError(`--size must be S or WxH with sides in 1..16384, got '${v}'.`);
  return { width, height };
}

/** `clade data …`: dataset tools. `synth` writes the bundled synthetic outdoor dataset. */
export function registerData(program: Command): void {
  const data = program
    .command('data')
    .description('Dataset tools: synthetic dataset, positional maps (CLADE-ICPE), dataset inspection.');
  data
    .command('synth')
    .description('Write synthetic outdoor scenes (ADE20K class ids) as an ADE20K-layout dataset: photos + label PNGs.')
    .requiredOption('--out <dir>', 'output root (images/<split>/*.jpg, annotations/<split>/*.png, synth-<split>.json)')
    .option('--count <n>', 'number of samples', '100')
    .option('--size <S|WxH>', 'image size in pixels: a square side or WxH', '256')
    .option('--seed <n>', 'dataset seed: the same seed writes the same scenes', '0')
    .option('--split <name>', 'train or val (the splits hold different scenes)', 'train')
    .option('--quality <q>', 'JPEG quality of the photos, 1..100', '92')
    .option('--json', 'print the summary as JSON instead of a table')
    .addHelpText(
      'after',
      `
Scenes are lakes, meadows, coasts and hills under day, golden-hour, overcast or hazy light,
rendered procedurally (no downloads). Labels are raw ADE20K ids (3 sky, 5 tree, 10 grass,
14 earth, 17 mountain, 18 plant, 22 water, 27 sea, 35 rock, 47 sand, 67 flower, 69 hill), so
the output loads with the ade20k dataset layout. Sample i of a split is the same for a given
--seed on every machine, at every --size.

Examples:
  clade data synth --out data/synth --count 1000 --size 256
  clade data synth --out data/synth --count 100 --size 256 --split val
  clade data synth --out /tmp/wide --count 8 --size 512x256 --seed 7 --json`,
    )
    .action(async (opts: SynthOptions, cmd: Command) => {
      const all = { ...cmd.optsWithGlobals<SynthOptions>(), ...opts };
      await runCommand(all, async () => {
        const count = parseInteger('--count', all.count, 0);
        const size = parseSize(all.size);
        const seed = parseInteger('--seed', all.seed, 0);
        const quality = parseInteger('--quality', all.quality, 1);
        if (all.split !== 'train' && all.split !== 'val')
          throw new ConfigError(`--split must be one of train, val; got '${all.split}'.`);
        const t0 = performance.now();
        const tty = !all.json && process.stderr.isTTY;
        const summary = await writeSynthDataset({
          out: all.out,
          count,
          size,
          seed,
          split: all.split as SynthSplit,
          quality,
          onProgress: tty ? (d, n) => process.stderr.write(`\r${d}/${n}`) : undefined,
        });
        if (tty) process.stderr.write('\r');
        const seconds = (performance.now() - t0) / 1000;
        if (all.json) {
          process.stdout.write(`${JSON.stringify({ ...summary, seconds }, null, 2)}\n`);
          return;
        }
        const total = size.width * size.height * Math.max(1, count);
        const scenes = new Map<number, number>();
        for (const s of summary.samples) for (const c of s.classes) scenes.set(c, (scenes.get(c) ?? 0) + 1);
        process.stdout.write(
          `wrote ${count} ${summary.split} samples (${size.width}x${size.height}) to ${all.out} in ${seconds.toFixed(1)} s` +
            ` (render ${(summary.renderMs / Math.max(1, count)).toFixed(0)} ms/scene)\n\n`,
        );
        printTable(
          ['id', 'class', 'pixels %', 'scenes'],
          Object.entries(summary.classPixels).map(([id, px]) => [
            id,
            SYNTH_CLASS_NAMES[Number(id)] ?? '',
            ((100 * px) / total).toFixed(1),
            scenes.get(Number(id)) ?? 0,
          ]),
        );
      });
    });

  data
    .command('dist-map')
    .description('Compute the CLADE-ICPE positional map of one label at its own resolution, as the official cal_dist_masks.py does.')
    .requiredOption('--label <file>', 'label map: a PNG of raw ids (or a colour-coded image with --color-labels)')
    .requiredOption('--out <npy>', 'output .npy: float32 [2,H,W], channel 0 vertical, channel 1 horizontal (written atomically)')
    .option('--force', 'replace --out when it exists (never the --label input)')
    .option('--skip-value <n|none>', 'raw value whose pixels get (0, 0); the official script skips 0 for every dataset', '0')
    .option('--components <all|largest>', "'all' 8-connected components (official code) or the 'largest' per value (paper text)", 'all')
    .option('--no-normalize', "raw pixel offsets instead of dividing by max |offset| + 1e-5 (the official '--norm no')")
    .option('--color-labels <palette>', 'decode a colour-coded label with this palette: ade20k, cityscapes')
    .option('--tolerance <t>', 'with --color-labels: largest RGB distance mapped to the nearest palette colour (JPEG labels)')
    .option('--json', 'print a JSON summary')
    .addHelpText(
      'after',
      `
Examples:
  clade data dist-map --label val_label/000000000139.png --out val_dist/000000000139.npy
  clade data dist-map --label figure.png --color-labels ade20k --out figure_dist.npy`,
    )
    .action(async (opts: DistMapOptions, cmd: Command) => {
      const all = { ...cmd.optsWithGlobals<DistMapOptions>(), ...opts };
      await runCommand(all, async () => {
        const mapOptions = parseMapOptions(all.skipValue, all.components, all.normalize);
        const color = parseColorLabels(all.colorLabels, all.tolerance);
        checkOutputFiles([{ flag: '--out', file: all.out, ext: '.npy' }], [['--label', all.label]], Boolean(all.force));
        const t0 = performance.now();
        const label = await loadLabel(all.label, { ...color, maxPixels: parseMaxPixels(all.maxPixels) });
        const map = positionalMap(label, mapOptions);
        await savePositionalMapNpy(all.out, map);
        const seconds = (performance.now() - t0) / 1000;
        const summary = { label: all.label, out: all.out, shape: [2, map.height, map.width], dtype: 'float32', seconds };
        if (all.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        else process.stdout.write(`wrote ${all.out}: float32 [2,${map.height},${map.width}] in ${seconds.toFixed(2)} s\n`);
      });
    });

  data
    .command('dist-maps')
    .description('Precompute the CLADE-ICPE positional maps of a dataset into the official locations, skipping up-to-date ones.')
    .argument('<dir>', 'dataset root')
    .option('--dataset <name>', `layout (required): ${DATASET_NAMES.join(', ')}`)
    .option('--phase <list>', 'comma-separated phases (default: every phase present)')
    .option('--cache-root <dir>', 'write the same tree under this folder instead of the dataset root')
    .option('--force', 'rewrite maps that are already up to date')
    .option('--skip-value <n|none>', 'raw value whose pixels get (0, 0) (official: 0)')
    .option('--components <all|largest>', 'components that get offsets (official: all)', 'all')
    .option('--no-normalize', "raw pixel offsets (the official '--norm no')")
    .option('--color-labels <palette>', 'labels are colour-coded: ade20k, cityscapes')
    .option('--tolerance <t>', 'with --color-labels: nearest-colour tolerance (RGB distance)')
    .option('--json', 'print a JSON summary')
    .addHelpText(
      'after',
      `
Locations (REFERENCE §5.1): ADE20K <dir>/distances/{training,validation}/ADE_*.npy;
COCO-Stuff <dir>/{train,val}_dist/*.npy; Cityscapes next to each label as
<stem>_gtFine_distance.npy; other layouts <dir>/dist/<label path>.npy. A map is up to date
when it is at least as new as its label. Read them back with cachedPositionalMaps(root, dataset).

Examples:
  clade data dist-maps /data/ADEChallengeData2016 --dataset ade20k
  clade data dist-maps /data/coco_stuff --dataset coco --phase val
  clade data dist-maps /data/cityscapes --dataset cityscapes --cache-root /scratch/cs-dist`,
    )
    .action(async (dir: string, opts: DistMapsOptions, cmd: Command) => {
      const all = { ...cmd.optsWithGlobals<DistMapsOptions>(), ...opts };
      await runCommand(all, async () => {
        const dataset = parseDataset(all.dataset);
        const info = datasetInfo(dataset);
        const mapOptions = parseMapOptions(all.skipValue ?? String(info.icpeSkipValue), all.components, all.normalize);
        const color = parseColorLabels(all.colorLabels, all.tolerance);
        const phases = all.phase?.split(',').map((p) => p.trim()).filter(Boolean);
        const splits = await listDatasetSplits(dataset, dir, {
          ...(phases && { phases }), requireImages: false, useInstances: false, skipMissing: true,
        });
        const pairs = splits.flatMap((s) => s.pairs);
        if (pairs.length === 0)
          throw new ConfigError(`dist-maps: no ${dataset} labels found under '${dir}'${phases ? ` for phase ${phases.join(', ')}` : ''}.`);
        const cacheRoot = all.cacheRoot ?? dir;
        const bar = progressBar('dist-maps', !all.json && process.stderr.isTTY === true);
        const t0 = performance.now();
        const summary = await writePositionalMaps(dataset, dir, pairs, {
          cacheRoot, force: all.force === true, positionalMap: mapOptions, ...(color && { colorLabels: color }), maxPixels: parseMaxPixels(all.maxPixels),
          onProgress: (done, total) => bar.update(done, total),
        });
        bar.end();
        const seconds = (performance.now() - t0) / 1000;
        const perPhase = Object.fromEntries(splits.map((s) => [s.phase, s.pairs.length]));
        if (all.json) {
          const example = positionalMapPath(dataset, dir, pairs[0]!.label, cacheRoot);
          process.stdout.write(`${JSON.stringify({ dataset, root: dir, cacheRoot, phases: perPhase, example, ...summary, seconds }, null, 2)}\n`);
        } else {
          const phasesText = Object.entries(perPhase).map(([p, n]) => `${p} ${n}`).join(', ');
          process.stdout.write(
            `${dataset} at ${dir}: ${pairs.length} labels (${phasesText})\n` +
              `wrote ${summary.written}, up to date ${summary.upToDate}, failed ${summary.failed.length} in ${seconds.toFixed(1)} s` +
              ` (e.g. ${positionalMapPath(dataset, dir, pairs[0]!.label, cacheRoot)})\n`,
          );
        }
        for (const f of summary.failed) process.stderr.write(`clade: ${f.message}\n`);
        if (summary.failed.length > 0) process.exitCode = 2;
      });
    });

  data
    .command('inspect')
    .description('Report a dataset: pairs, sizes, class histogram and problems (missing pairs, unreadable files, ids out of range, size mismatches).')
    .argument('<dir>', 'dataset root')
    .option('--dataset <name>', `layout (required): ${DATASET_NAMES.join(', ')}`)
    .option('--phase <list>', 'comma-separated phases (default: every phase present)')
    .option('--label-nc <n>', "number of classes (default: the dataset's; custom: give it)")
    .option('--dontcare', 'raw 255 is a dontcare class (with --label-nc)')
    .option('--color-labels <palette>', 'labels are colour-coded: ade20k, cityscapes')
    .option('--tolerance <t>', 'with --color-labels: nearest-colour tolerance (RGB distance)')
    .option('--no-images', 'label-only set: neither require nor decode photos')
    .option('--strict', 'exit with code 2 when there are problems (default: report them, exit 0)')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      `
Every label is decoded (and every photo, unless --no-images), so truncated files show up.
Ids are checked against the dataset's label convention: e.g. ADE20K 0..150 (+255 dontcare),
COCO-Stuff 0..181 (+255), Cityscapes 0..34, DeepFashion 0..7. Class names are printed for
ADE20K and Cityscapes.

Examples:
  clade data inspect ../shared/data/coco_stuff --dataset coco
  clade data inspect /data/ADEChallengeData2016 --dataset ade20k --phase val --json
  clade data inspect my_data --dataset custom --label-nc 20 --strict`,
    )
    .action(async (dir: string, opts: InspectOptions, cmd: Command) => {
      const all = { ...cmd.optsWithGlobals<InspectOptions>(), ...opts };
      await runCommand(all, async () => {
        const dataset = parseDataset(all.dataset);
        const info = datasetInfo(dataset);
        if (all.dontcare && all.labelNc === undefined) throw new ConfigError('--dontcare needs --label-nc.');
        const label: LabelSpec =
          all.labelNc === undefined ? info.label : { labelNc: parseInteger('--label-nc', all.labelNc, 1), containDontcare: all.dontcare === true };
        const color = parseColorLabels(all.colorLabels, all.tolerance);
        const phases = all.phase?.split(',').map((p) => p.trim()).filter(Boolean);
        const bar = progressBar('inspect', !all.json && process.stderr.isTTY === true);
        const t0 = performance.now();
        const report = await inspectDataset(dataset, dir, {
          ...(phases && { phases }), label, ...(color && { colorLabels: color }), maxPixels: parseMaxPixels(all.maxPixels),
          checkImages: all.images, requireImages: all.images, onProgress: (d, n) => bar.update(d, n),
        });
        bar.end();
        const seconds = (performance.now() - t0) / 1000;
        if (all.json) process.stdout.write(`${JSON.stringify({ ...report, label, seconds }, null, 2)}\n`);
        else printReport(report, label, seconds);
        if (all.strict && report.problems.length > 0) process.exitCode = 2;
      });
    });
}

const sizesText = (sizes: DatasetReport['labelSizes'], max = 6) =>
  sizes.length === 0
    ? '-'
    : sizes.slice(0, max).map((s) => `${s.width}x${s.height} ×${s.count}`).join(', ') +
      (sizes.length > max ? `, … (${sizes.length} sizes)` : '');

/** The text form of an inspect report: summary, sizes, histogram table, problems. */
function printReport(r: DatasetReport, label: LabelSpec, seconds: number): void {
  const out = process.stdout;
  const phases = Object.entries(r.phases).map(([p, n]) => `${p} ${n}`).join(', ');
  out.write(
    `${r.dataset} at ${r.root}: ${r.pairs} pairs${phases ? ` (${phases})` : ''}, ${r.labelsRead} labels read,` +
      ` ${(r.pixels / 1e6).toFixed(2)} Mpx, in ${seconds.toFixed(1)} s\n`,
  );
  out.write(`label sizes: ${sizesText(r.labelSizes)}\nimage sizes: ${sizesText(r.imageSizes)}\n\n`);
  const k = label.labelNc + (label.containDontcare ? 1 : 0);
  out.write(
    `class histogram (${r.classes.length} raw values present; labelNc ` +
      `${label.labelNc}${label.containDontcare ? ' + dontcare' : ''}, ids 0..${k - 1}):\n`,
  );
  if (r.classes.length > 0)
    printTable(
      ['id', 'class', 'pixels %', 'images'],
      r.classes.map((c) => [c.id, c.name ?? '', (100 * c.share).toFixed(2), c.images]),
    );
  if (r.problems.length === 0) {
    out.write('\nproblems: none\n');
    return;
  }
  const counts = new Map<string, number>();
  for (const p of r.problems) counts.set(p.kind, (counts.get(p.kind) ?? 0) + 1);
  out.write(`\nproblems (${r.problems.length}: ${[...counts].map(([kind, n]) => `${n} ${kind}`).join(', ')}):\n`);
  const shown = r.problems.slice(0, 50);
  for (const p of shown) out.write(`  ${p.kind}: ${p.message}\n`);
  if (r.problems.length > shown.length) out.write(`  … ${r.problems.length - shown.length} more (--json lists all)\n`);
}
