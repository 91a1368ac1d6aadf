import { ConfigError } from '@clade/core';
import { generatorCost, paperFigureOf, presetInfo, spadeLightFigureOf, type GeneratorConfig, type PresetName, type Split } from '@clade/spade-gen';
import type { Command } from 'commander';
import { addModelOptions, cliNormOf, describeConfig, modelConfigFromFlags, type ModelFlags } from '../model-options';
import { MODEL_NAMES, familyProfile, parseModel, type FamilyProfile } from '../model-zoo';
import { runCommand, type GlobalOptions } from '../run';
import { printTable } from '../table';

interface ProfileOptions extends GlobalOptions, ModelFlags {
  model?: string;
}

/** How `flops` is counted; printed with every result. */
export const FLOPS_CONVENTION =
  'flops = multiply-accumulates (MACs) of one forward pass at batch 1, thop style: k*k*Cin*Cout per output pixel ' +
  'of every conv (and per weight of the VAE linear), plus one per output element of a biased conv; inside the norm ' +
  'layers each elementwise multiply or add counts one (SPADE: 1+gamma, *, +beta; CLADE: *gamma, +beta). Activations, ' +
  'upsampling, residual adds and the param-free norms are not counted. These MACs are what the paper\'s Table I ' +
  'calls FLOPs; hardware FLOPs are 2 x MACs. params = trainable scalars as PyTorch counts them (buffers such as ' +
  'spectral-norm u/v and BN running stats excluded). backbone = fc, the blocks\' conv_0/conv_1/conv_s (with the ' +
  'extra edge input channel of CLADE with instances) and conv_img; norm = the SPADE/CLADE(-ICPE) layers.';

const int = (n: number) => n.toLocaleString('en-US');
const giga = (n: number) => `${(n / 1e9).toFixed(2)} G`;
const pct = (part: number, total: number) => (total > 0 ? ((100 * part) / total).toFixed(2) : '-');

/** `clade profile`: parameters and FLOPs of a generator, split into backbone and normalization. */
export function registerProfile(program: Command): void {
  const cmd = program
    .command('profile')
    .description('Count a generator\'s parameters and FLOPs (MACs), total and split into backbone and normalization layers.')
    .option('--json', 'print one JSON object (params.total, params.backbone, params.norm, flops.total, …)')
    .option('--model <name>', `generator family: ${MODEL_NAMES.join(', ')} (default spade: SPADE/CLADE, picked by --norm)`);
  addModelOptions(cmd, true);
  cmd
    .addHelpText(
      'after',
      `
No checkpoint is needed: the counts come from the architecture (and equal the official
modules' counts). The paper's Table I figure is shown when the config is the one it measured.

Examples:
  clade profile --preset ade20k --norm spade          # 96,492,483 params, 181.3 G MACs
  clade profile --preset ade20k --norm clade --json   # machine-readable
  clade profile --preset cityscapes --norm clade-icpe
  clade profile --preset coco --norm spade-light     # paper Table IV: ngf 8, 68.0 G MACs
  clade profile --preset cityscapes --norm mixed:2   # paper Table VI: S(1-2)+C(3-7)
  clade profile --preset custom --label-nc 20 --norm clade --ngf 32 --crop-size 128
  clade profile --model sean --preset celebamask-hq --json     # 266,907,367 params (Table VIII)
  clade profile --model sean-clade --preset cityscapes
  clade profile --model groupdnet --preset deepfashion        # 96,324,451 params
  clade profile --model groupdnet-clade --preset cityscapes`,
    )
    .action(async (opts: ProfileOptions, command: Command) => {
      const all = { ...command.optsWithGlobals<ProfileOptions>(), ...opts };
      await runCommand(all, async () => profile(all));
    });
}

/** The machine-readable result of `clade profile --json`. */
export interface ProfileReport {
  preset: PresetName;
  norm: string | string[];
  generator: GeneratorConfig;
  params: Split;
  /** MACs; see `convention`. */
  flops: Split;
  convention: string;
  /** The paper's per-layer formulas summed (no biases), for reference. */
  paperFormulaFlops: Split;
  /** The paper's figure when the config is one it measured: Table I, or Table IV for SPADE-light (FLOPs only). */
  paper: { source: string; paramsM: number | null; flopsG: number } | null;
}

/** Counts for the generator the flags describe (no tensors are made). */
export function profileReport(o: ModelFlags): ProfileReport {
  if (o.norm === undefined && o.normPerBlock === undefined)
    throw new ConfigError('--norm is required: one of spade, clade, clade-icpe, spade-light, mixed:K (or --norm-per-block).');
  const { preset, config } = modelConfigFromFlags(o);
  const cost = generatorCost(config);
  const tableI = paperFigureOf(preset, config);
  const tableIV = spadeLightFigureOf(preset, config);
  const paper = tableI
    ? { source: 'CLADE paper, Table I', ...tableI }
    : tableIV
      ? { source: 'CLADE paper, Table IV (SPADE-light)', paramsM: null, ...tableIV }
      : null;
  return {
    preset,
    norm: o.norm === 'spade-light' ? 'spade-light' : config.normPerBlock ? config.normPerBlock.map(cliNormOf) : cliNormOf(config.normMode),
    generator: config,
    params: cost.params,
    flops: cost.macs,
    convention: FLOPS_CONVENTION,
    paperFormulaFlops: cost.paperFlops,
    paper,
  };
}

/** Words of `text` in lines of at most `width` characters. */
function wrap(text: string, width = 100): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line].join('\n');
}

function printFamily(r: FamilyProfile, json: boolean | undefined): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ ...r, convention: FAMILY_CONVENTION }, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${r.model} on ${r.preset}\n\n`);
  const keys = Object.keys(r.params).filter((k) => k !== 'total');
  printTable(
    ['', 'total', ...keys, r.paper ? 'paper Table VIII' : 'paper'],
    [
      ['params', int(r.params.total), ...keys.map((k) => int(r.params[k] ?? 0)), r.paper ? `${r.paper.paramsM} M` : '-'],
      ['FLOPs (MACs)', giga(r.flops.total), ...keys.map((k) => (r.flops[k] === undefined ? '-' : giga(r.flops[k]!))), r.paper ? `${r.paper.flopsG} G` : '-'],
    ],
  );
  process.stdout.write(`\n${wrap(FAMILY_CONVENTION)}\n`);
}

/** How SEAN / GroupDNet FLOPs are counted (the paper's thop convention for Table VIII). */
const FAMILY_CONVENTION =
  'flops = thop-style multiply-accumulates of one forward pass at batch 1: one MAC per multiply-add of every conv and ' +
  'linear plus one per output element of a biased layer (what the CLADE paper\'s Table VIII calls FLOPs). params = ' +
  'trainable scalars as PyTorch counts them (SEAN includes its style encoder, which the official G state dict holds).';

function profile(o: ProfileOptions): void {
  const model = parseModel(o.model);
  if (model !== 'spade') {
    printFamily(familyProfile(model, o), o.json);
    return;
  }
  const r = profileReport(o);
  if (o.json) {
    process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    return;
  }
  const { params, flops, paper } = r;
  process.stdout.write(`${presetInfo(r.preset).title}: ${describeConfig(r.preset, r.generator)}\n\n`);
  printTable(
    ['', 'total', 'backbone', 'norm', 'norm %', paper ? paper.source.replace('CLADE paper, ', 'paper ') : 'paper'],
    [
      ['params', int(params.total), int(params.backbone), int(params.norm), pct(params.norm, params.total), paper?.paramsM ? `${paper.paramsM} M` : '-'],
      ['FLOPs (MACs)', giga(flops.total), giga(flops.backbone), giga(flops.norm), pct(flops.norm, flops.total), paper ? `${paper.flopsG} G` : '-'],
    ],
  );
  if (!paper) process.stdout.write('\npaper: not reported for this config (Table I measured ngf 64 at the preset\'s size, no VAE; Table IV SPADE-light).\n');
  process.stdout.write(`\n${wrap(FLOPS_CONVENTION)}\n`);
}
