import { ConfigError } from '@clade/core';
import { SYNTH_CLASS_NAMES, writeSynthDataset, type SynthSplit } from '@clade/data';
import type { Command } from 'commander';
import { runCommand, type GlobalOptions } from '../run';
import { printTable } from '../table';

interface SynthOptions extends GlobalOptions {
  out: string;
  count: string;
  size: string;
  seed: string;
  split: string;
  quality: string;
}

/** A non-negative (or positive) integer flag, or a ConfigError naming it. */
function parseInteger(flag: string, v: string, min: number): number {
  const n = Number(v);
  if (!/^-?\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min)
    throw new ConfigError(`${flag} must be an integer ≥ ${min}, got '${v}'.`);
  return n;
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
  const data = program.command('data').description('Dataset tools: write the synthetic dataset.');
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
}
