import { readdir, rm, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { initBackend } from '@clade/backend';
import { ConfigError, IOError } from '@clade/core';
import { CLADE_JSON, ENCODER_DIR, ENCODER_JSON, MODEL_JSON, WEIGHTS_BIN, encoderDirOf, saveEncoderDir, saveGeneratorDir } from '@clade/runtime/node';
import type { GeneratorConfig } from '@clade/spade-gen';
import type { Command } from 'commander';
import { generatorFromTorch } from '../checkpoint';
import { checkEncoderFits, encoderFromTorch } from '../encoder-checkpoint';
import { addModelOptions, describeConfig, type ModelFlags } from '../model-options';
import { backendOptions, runCommand, type GlobalOptions } from '../run';

interface ConvertOptions extends GlobalOptions, ModelFlags {
  force?: boolean;
  encoder?: string;
}

/** `clade convert`: official .pth → tfjs LayersModel folder (model.json, weights.bin, clade.json). */
export function registerConvert(program: Command): void {
  const cmd = program
    .command('convert')
    .description('Convert an official generator .pth to a TensorFlow.js model folder (model.json + weights.bin + clade.json).')
    .argument('<in.pth>', 'official generator state dict (zip or legacy torch.save format)')
    .argument('<out-dir>', 'folder to write; `clade synthesize --checkpoint <out-dir>` and tf.loadLayersModel read it')
    .option('--force', 'overwrite a folder that already holds a model')
    .option(
      '--encoder <E.pth>',
      `VAE generators: also convert the official encoder (latest_net_E.pth) into <out-dir>/${ENCODER_DIR}/, which \`clade synthesize --style\` then uses`,
    )
    .option('--json', 'print a JSON summary');
  addModelOptions(cmd, true);
  cmd
    .addHelpText(
      'after',
      `
The .pth is read with a restricted unpickler (tensors and dicts only), loaded strictly into the
generator that --preset and the flags describe (norm, ngf and edges are read off the checkpoint
when not given), and saved with spectral norm and BN statistics as weights. clade.json records
the generator config and preset, so the folder needs no flags later.

Examples:
  clade convert ade20k/best_net_G.pth models/ade20k-clade --preset ade20k
  clade convert coco/latest_net_G.pth models/coco-spade --preset coco --norm spade
  clade convert cityscapes_dist/best_net_G.pth models/city-icpe --preset cityscapes --norm clade-icpe
  clade convert ade20k_vae/latest_net_G.pth models/ade20k-vae --preset ade20k --vae \\
      --encoder ade20k_vae/latest_net_E.pth
  clade synthesize --checkpoint models/ade20k-clade --label ADE_val_00000001.png --out out.png`,
    )
    .action(async (input: string, outDir: string, opts: ConvertOptions, command: Command) => {
      const all = { ...command.optsWithGlobals<ConvertOptions>(), ...opts };
      await runCommand(all, () => convert(input, outDir, all));
    });
}

async function checkOutDir(dir: string, force: boolean): Promise<void> {
  let entries: string[];
  try {
    if (!(await stat(dir)).isDirectory()) throw new ConfigError(`convert: '${dir}' exists and is not a folder.`);
    entries = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    if (e instanceof ConfigError) throw e;
    throw new IOError(`convert: cannot use '${dir}' (${(e as Error).message}).`, { cause: e });
  }
  const existing = entries.filter((f) => f === MODEL_JSON || f === WEIGHTS_BIN || f === CLADE_JSON || f === ENCODER_DIR);
  if (existing.length && !force)
    throw new ConfigError(`convert: '${dir}' already holds a model (${existing.join(', ')}); pass --force to overwrite.`);
}

/** The official encoder for a VAE generator, loaded strictly and checked against it. */
async function convertEncoder(file: string, g: GeneratorConfig, what: string) {
  if (!g.useVae) throw new ConfigError(`convert: --encoder is for VAE generators (--vae); this one is ${what}.`);
  const e = await encoderFromTorch(file, g.cropSize);
  try {
    checkEncoderFits(e, g.zDim, what);
  } catch (err) {
    e.model.dispose();
    throw err;
  }
  return e;
}

async function convert(input: string, outDir: string, o: ConvertOptions): Promise<void> {
  await checkOutDir(outDir, Boolean(o.force));
  await initBackend(backendOptions(o));
  const t0 = performance.now();
  const g = await generatorFromTorch(input, o);
  const what = describeConfig(g.preset, g.config);
  const e = o.encoder === undefined ? null : await convertEncoder(o.encoder, g.config, what).catch((err: unknown) => {
    g.model.dispose();
    throw err;
  });
  await saveGeneratorDir(outDir, g, { file: input, sha256: g.sha256 });
  if (e) await saveEncoderDir(path.join(outDir, ENCODER_DIR), e, { file: o.encoder!, sha256: e.sha256 });
  // --force without --encoder: an encoder left from an earlier conversion would be used with this generator.
  else if ((await encoderDirOf(outDir)) === path.join(outDir, ENCODER_DIR)) await rm(path.join(outDir, ENCODER_DIR), { recursive: true, force: true });
  const params = g.model.countParams();
  const keys = g.state.size;
  g.model.dispose();
  e?.model.dispose();
  const encoder = e ? { input: o.encoder!, dir: path.join(outDir, ENCODER_DIR), config: e.config, stateDictKeys: e.keys } : null;
  const sizes = Object.fromEntries(
    await Promise.all([MODEL_JSON, WEIGHTS_BIN, CLADE_JSON].map(async (f) => [f, (await stat(path.join(outDir, f))).size] as const)),
  );
  const ms = Math.round(performance.now() - t0);
  if (o.json) {
    process.stdout.write(
      `${JSON.stringify({ input, outDir, preset: g.preset, generator: g.config, stateDictKeys: keys, weights: params, files: sizes, encoder, ms }, null, 2)}\n`,
    );
    return;
  }
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  const encoderPart = encoder
    ? `; encoder ${encoder.input} (${encoder.stateDictKeys} keys, ngf ${encoder.config.ngf}, z${encoder.config.zDim}) ` +
      `→ ${ENCODER_DIR}/${ENCODER_JSON}`
    : '';
  process.stdout.write(
    `converted ${input} (${keys} keys) → ${outDir}: ${what}, ${params.toLocaleString('en-US')} weights ` +
      `(incl. buffers); ${MODEL_JSON} ${mb(sizes[MODEL_JSON]!)}, ${WEIGHTS_BIN} ${mb(sizes[WEIGHTS_BIN]!)}, ${CLADE_JSON}` +
      `${encoderPart}; ${ms} ms\n`,
  );
}
