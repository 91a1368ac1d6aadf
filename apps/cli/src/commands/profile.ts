import { ConfigError } from '@clade/core';
import { generatorCost, paperFigureOf, presetInfo, spadeLightFigureOf, type GeneratorConfig, type PresetName, type Split } from '@clade/spade-gen';
import type { Command } from 'commander';
import { addModelOptions, cliNormOf, describeConfig, modelConfigFromFlags, type ModelFlags } from '../model-options';
import { runCommand, type GlobalOptions } from '../run';
import { printTable } from '../table';

interface ProfileOptions extends GlobalOptions, ModelFlags {}

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
    .option('--json', 'print one JSON object (params.total, params.backbone, params.norm, flops.total, …)');
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
  clade profile --preset custom --label-nc 20 --norm clade --ngf 32 --crop-size 128`,
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

function profile(o: ProfileOptions): void {
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
