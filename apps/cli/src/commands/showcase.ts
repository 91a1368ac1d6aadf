import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { initBackend } from '@clade/backend';
import { ConfigError, IOError, writeFileAtomic } from '@clade/core';
import { encodeRgbPng, loadLabelPng } from '@clade/data';
import { tfjsSynthesizer, type Synthesizer } from '@clade/runtime';
import type { Command } from 'commander';
import { loadGenerator } from '../checkpoint';
import { describeConfig } from '../model-options';
import { checkFiniteOutput } from '../output-file';
import { backendOptions, parseMaxPixels, runCommand, type GlobalOptions } from '../run';
import { printTable } from '../table';

interface ShowcaseOptions extends GlobalOptions {
  model: string[];
  masks: string;
  out: string;
  seed: string;
  force?: boolean;
}

/** What showcase wrote into its folder last time: those files it may replace without --force. */
const MANIFEST = 'showcase.json';

/** Refuses to replace a file in `out` that an earlier showcase did not write, unless forced. */
async function checkTargets(out: string, targets: string[], force: boolean): Promise<void> {
  if (force || !existsSync(out)) return;
  let ours: string[] = [];
  try {
    ours = (JSON.parse(await readFile(path.join(out, MANIFEST), 'utf8')) as { files?: string[] }).files ?? [];
  } catch {
    // no manifest (or not ours): every existing target is a user's file
  }
  const foreign = [MANIFEST, ...targets].filter((f) => existsSync(path.join(out, f)) && !(ours.includes(f) || (f === MANIFEST && ours.length > 0)));
  if (foreign.length)
    throw new ConfigError(
      `showcase: --out '${out}' already holds ${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', ...' : ''}, ` +
        `not written by clade showcase; pass --force to replace, or choose another --out.`,
    );
}

/** The repository's bundled model folders, in the order they appear on the sheet. */
export const BUNDLED_MODELS = ['models/default-clade', 'models/default-spade'];

/** A stable, well-spread colour per class id (golden-angle hues), for showing label maps. */
export function classColor(id: number): [number, number, number] {
  const hue = (id * 137.508) % 360;
  const [s, l] = [0.55 + 0.3 * ((id * 7) % 3) / 2, 0.45 + 0.1 * (id % 2)];
  const f = (n: number) => {
    const k = (n + hue / 30) % 12;
    return Math.round(255 * (l - s * Math.min(l, 1 - l) * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

interface Row {
  name: string;
  mask: Uint8Array; // RGB
  outputs: Uint8Array[]; // RGB per model
  ms: number[];
}

/** Lays rows of equal-size RGB tiles out as one image with a 4-pixel white gutter. */
function composeSheet(rows: Row[], w: number, h: number): { data: Uint8Array; width: number; height: number } {
  const gap = 4;
  const cols = 1 + rows[0]!.outputs.length;
  const width = cols * w + (cols + 1) * gap;
  const height = rows.length * h + (rows.length + 1) * gap;
  const data = new Uint8Array(width * height * 3).fill(255);
  rows.forEach((r, i) => {
    [r.mask, ...r.outputs].forEach((tile, j) => {
      const x0 = gap + j * (w + gap);
      const y0 = gap + i * (h + gap);
      for (let y = 0; y < h; y++) data.set(tile.subarray(y * w * 3, (y + 1) * w * 3), ((y0 + y) * width + x0) * 3);
    });
  });
  return { data, width, height };
}

/** `clade showcase`: the main job of a fresh clone — bundled masks through the bundled models. */
export function registerShowcase(program: Command): void {
  program
    .command('showcase')
    .description('Synthesize the bundled example masks with the bundled model(s) and write a mask | output sheet.')
    .option('--model <dir...>', 'model folder(s) (clade convert/export format); default: the bundled ones that exist')
    .option('--masks <dir>', 'folder of label PNGs (raw ADE20K ids)', 'examples/masks')
    .option('--out <dir>', 'output folder', 'out/showcase')
    .option('--seed <n>', 'VAE models: the style z ~ N(0, I) drawn from this seed, the same for every mask', '0')
    .option('--force', "replace files in --out that an earlier showcase did not write (its own it replaces anyway)")
    .option('--json', 'print one JSON object')
    .addHelpText(
      'after',
      `
Examples:
  clade showcase                                    # bundled CLADE (and SPADE, if bundled) on examples/masks
  clade showcase --model models/default-clade --masks my-masks --out out/mine
  clade showcase --model my-vae-model --seed 7                # a VAE model: another style`,
    )
    .action(async (opts: ShowcaseOptions, cmd: Command) => {
      const all = { ...cmd.optsWithGlobals<ShowcaseOptions>(), ...opts };
      await runCommand(all, async () => {
        const dirs = all.model ?? BUNDLED_MODELS.filter((d) => existsSync(path.join(d, 'model.json')));
        if (dirs.length === 0) throw new IOError(`showcase: no model folder found (looked for ${BUNDLED_MODELS.join(', ')}); pass --model <dir>.`);
        if (!existsSync(all.masks)) throw new IOError(`showcase: --masks folder '${all.masks}' not found.`);
        const masks = (await readdir(all.masks)).filter((f) => /\.png$/i.test(f)).sort();
        if (masks.length === 0) throw new ConfigError(`showcase: --masks '${all.masks}' holds no .png label maps.`);
        const maxPixels = parseMaxPixels(all.maxPixels);
        const seed = Number(all.seed);
        if (!Number.isInteger(seed)) throw new ConfigError(`showcase: --seed must be an integer, got '${all.seed}'.`);
        const backend = await initBackend(backendOptions(all));

        const t0 = performance.now();
        const models: Synthesizer[] = [];
        for (const d of dirs) models.push(tfjsSynthesizer(await loadGenerator(d, {}, {}, '--model')));
        const tLoad = performance.now() - t0;
        const size = models[0]!.size.width;
        if (models.some((m) => m.size.width !== size || m.size.height !== size))
          throw new ConfigError(
            `showcase: the models must share one square output size; got ` +
              `${models.map((m) => describeConfig(m.generator.preset, m.generator.config)).join(' vs ')}.`,
          );

        const tag = (m: Synthesizer) => m.generator.config.normMode;
        const nameOf = (file: string) => path.basename(file, path.extname(file));
        const targets = ['sheet.png', ...masks.flatMap((f) => models.map((m) => `${nameOf(f)}.${tag(m)}.png`))];
        await checkTargets(all.out, targets, Boolean(all.force));
        // Every mask is read and prepared for every model before any image is made: a bad one leaves no partial output.
        const inputs = [];
        for (const file of masks) {
          const source = path.join(all.masks, file);
          const label = await loadLabelPng(source, { maxPixels });
          inputs.push(models.map((m) => m.prepare({ source, label, ...(m.hasStyle && { seed }) })));
        }
        const rows: Row[] = [];
        const images: Array<[string, Uint8Array]> = [];
        for (const [i, prepared] of inputs.entries()) {
          const name = nameOf(masks[i]!);
          const { width: w, height: h, classes } = prepared[0]!;
          const mask = new Uint8Array(w * h * 3);
          classes.forEach((id, p) => mask.set(classColor(id), p * 3));
          const row: Row = { name, mask, outputs: [], ms: [] };
          for (const [j, m] of models.entries()) {
            const t = performance.now();
            const image = m.toImage(await m.run(prepared[j]!));
            row.ms.push(performance.now() - t);
            checkFiniteOutput(image.values, `showcase (${m.generator.source})`, `${name}.${tag(m)}.png`);
            row.outputs.push(image.rgb);
            images.push([`${name}.${tag(m)}.png`, encodeRgbPng({ width: w, height: h, data: image.rgb })]);
          }
          rows.push(row);
        }
        const sheet = composeSheet(rows, size, size);
        const sheetFile = path.join(all.out, 'sheet.png');
        // Written only once everything succeeded, each file atomically; the manifest last.
        await mkdir(all.out, { recursive: true });
        for (const [file, bytes] of images) await writeFileAtomic(path.join(all.out, file), bytes);
        await writeFileAtomic(sheetFile, encodeRgbPng(sheet));
        await writeFileAtomic(path.join(all.out, MANIFEST), new TextEncoder().encode(`${JSON.stringify({ files: targets }, null, 2)}\n`));
        for (const m of models) await m.dispose();

        const names = models.map(tag);
        const mean = (i: number) => rows.reduce((a, r) => a + r.ms[i]!, 0) / rows.length;
        const summary = {
          sheet: sheetFile,
          outputs: all.out,
          backend: backend.name,
          models: dirs,
          loadMs: Math.round(tLoad),
          forwardMs: Object.fromEntries(names.map((n, i) => [n, Math.round(mean(i))])),
        };
        if (all.json) {
          process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
          return;
        }
        printTable(['mask', ...names.map((n) => `${n} ms`)], rows.map((r) => [r.name, ...r.ms.map((m) => m.toFixed(0))]));
        process.stdout.write(
          `\n${rows.length} masks at ${size}x${size} on ${backend.name}; models loaded in ${summary.loadMs} ms` +
            ` (${dirs.join(', ')}).\nsheet: ${path.resolve(sheetFile)}  (columns: mask | ${names.join(' | ')})\nimages: ${path.resolve(all.out)}\n`,
        );
      });
    });
}
