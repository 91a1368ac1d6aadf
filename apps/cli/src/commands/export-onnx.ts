import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { initBackend } from '@clade/backend';
import { writeFileAtomic } from '@clade/core';
import { exportGeneratorToOnnx, generatorIo } from '@clade/onnx';
import { onnxExportable } from '@clade/runtime';
import type { Command } from 'commander';
import { loadGenerator } from '../checkpoint';
import { addModelOptions, describeConfig, type ModelFlags } from '../model-options';
import { checkOutputFiles } from '../output-file';
import { backendOptions, runCommand, type GlobalOptions } from '../run';

interface ExportOnnxOptions extends GlobalOptions, ModelFlags {
  force?: boolean;
  fusedClade?: boolean;
}

/**
 * `clade export-onnx`: a generator (official .pth or a model folder) as an ONNX file written by our
 * own encoder, for onnxruntime (node, web, native): the fast CPU path of `synthesize --engine onnx`.
 */
export function registerExportOnnx(program: Command): void {
  const cmd = program
    .command('export-onnx')
    .description('Export a SPADE/CLADE generator (official .pth or model folder) to ONNX for onnxruntime.')
    .argument('<checkpoint>', 'official generator .pth, or a folder from `clade convert` / `clade export`')
    .argument('<out.onnx>', 'ONNX file to write')
    .option('--force', 'overwrite an existing file')
    .option('--fused-clade', "write CLADE's modulation as clade's fused op (ai.clade): faster, but only @clade/onnx's native engine loads it")
    .option('--json', 'print a JSON summary (inputs, output, size)');
  addModelOptions(cmd, false);
  cmd
    .addHelpText(
      'after',
      `
Inputs: 'label' int32 [N,H,W] (class index per pixel), plus 'edge' float32 [N,1,H,W] with instance
edges, 'dist' float32 [N,2,H,W] for CLADE-ICPE and 'z' float32 [N,zDim] for VAE generators.
Output: 'image' float32 [N,3,H,W] in [-1,1]. Eval mode (running BN statistics, spectral-norm
weights folded). Outputs equal the tfjs generator within 1e-4. With --fused-clade each CLADE layer
is one ai.clade.CladeModulate node: OrtGenerator.create(file, { engine: 'native' }) runs it
(@clade/ort-native); onnxruntime-node and onnxruntime-web do not know the op.

Examples:
  clade export-onnx models/default-clade default-clade.onnx
  clade export-onnx ade20k/best_net_G.pth ade20k-clade.onnx --preset ade20k --norm clade`,
    )
    .action(async (checkpoint: string, out: string, opts: ExportOnnxOptions, command: Command) => {
      const all = { ...command.optsWithGlobals<ExportOnnxOptions>(), ...opts };
      await runCommand(all, async () => {
        checkOutputFiles([{ flag: 'export-onnx: <out.onnx>', file: out, ext: '.onnx' }], [['<checkpoint>', checkpoint]], Boolean(all.force));
        await initBackend(backendOptions(all));
        const t0 = performance.now();
        const g = await loadGenerator(checkpoint, all);
        const fusedClade = all.fusedClade === true;
        try {
          const bytes = exportGeneratorToOnnx(onnxExportable(g), {
            doc: `clade ${describeConfig(g.preset, g.config)} from ${path.basename(g.source)}`,
            fusedClade,
          });
          await writeFileAtomic(out, bytes);
          const io = generatorIo(onnxExportable(g));
          const summary = { out, bytes: bytes.length, generator: describeConfig(g.preset, g.config), io, fusedClade, ms: Math.round(performance.now() - t0) };
          process.stdout.write(
            all.json
              ? `${JSON.stringify(summary, null, 2)}\n`
              : `wrote ${out} (${(bytes.length / 1e6).toFixed(1)} MB, ${summary.generator}) in ${summary.ms} ms\n`,
          );
        } finally {
          g.model.dispose();
        }
      });
    });
}
