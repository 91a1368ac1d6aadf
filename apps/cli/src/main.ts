import { Command } from 'commander';
import { registerBench } from './commands/bench';
import { registerConvert } from './commands/convert';
import { registerData } from './commands/data';
import { registerDoctor } from './commands/doctor';
import { registerEval } from './commands/eval';
import { registerExport } from './commands/export';
import { registerExportOnnx } from './commands/export-onnx';
import { registerProfile } from './commands/profile';
import { registerQueue } from './commands/queue';
import { registerServe } from './commands/serve';
import { registerShowcase } from './commands/showcase';
import { registerSynthesize } from './commands/synthesize';
import { registerTrain } from './commands/train';
import { registerWorker } from './commands/worker';

/** Builds the `clade` command. Every subcommand registers itself here. */
export function buildProgram(): Command {
  const program = new Command('clade')
    .description('Semantic image synthesis with SPADE and CLADE on TensorFlow.js.')
    .option('--backend <name>', 'tfjs backend: auto, tensorflow-gpu, tensorflow, wasm, cpu (env CLADE_BACKEND)')
    .option('--threads <n>', 'threads for the wasm backend (env CLADE_THREADS)')
    .option(
      '--max-pixels <n|none>',
      'largest label/image file accepted, in pixels, checked from its header before decoding (default 67108864 = 8192²; none: no limit)',
    )
    .option('--verbose', 'print stack traces for errors')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride((err) => {
      // Usage errors (unknown option, missing argument) are user errors: exit 2, one line.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0) process.exit(0);
      process.exit(2);
    });
  registerDoctor(program);
  registerSynthesize(program);
  registerProfile(program);
  registerConvert(program);
  registerTrain(program);
  registerExport(program);
  registerExportOnnx(program);
  registerShowcase(program);
  registerData(program);
  registerEval(program);
  registerBench(program);
  registerQueue(program, buildProgram);
  registerWorker(program, buildProgram);
  registerServe(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // `clade ... | head` closes stdout early: that is the reader's choice, not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  await buildProgram().parseAsync(argv);
}

// Run when executed directly (tsx in the repo, node on the built file).
const invoked = process.argv[1] ?? '';
if (/[\\/]main\.(ts|js)$/.test(invoked)) void main(process.argv);
