import { initBackend, measureConvGflops, probeBackends } from '@clade/backend';
import type { Command } from 'commander';
import { backendOptions, runCommand, type GlobalOptions } from '../run';
import { printTable } from '../table';

interface DoctorOptions extends GlobalOptions {
  quick?: boolean;
}

/** `clade doctor`: which backends load here, which one is chosen, and a conv throughput figure each. */
export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('Check which TensorFlow.js backends load here, which one clade picks, and how fast each runs a conv.')
    .option('--json', 'print one JSON object instead of a table')
    .option('--quick', 'skip the throughput measurement')
    .addHelpText(
      'after',
      `
Examples:
  clade doctor                 # table of backends with conv GFLOP/s
  clade doctor --json          # machine-readable
  CLADE_BACKEND=cpu clade doctor   # see what an override picks`,
    )
    .action(async (opts: DoctorOptions, cmd: Command) => {
      const all = { ...cmd.optsWithGlobals<DoctorOptions>(), ...opts };
      await runCommand(all, async () => {
        const probes = await probeBackends();
        const choice = await initBackend(backendOptions(all));
        const rows = [];
        for (const p of probes) {
          const gflops = p.ok && !all.quick ? await measureConvGflops({ backend: p.name, mode: 'forward' }) : undefined;
          rows.push({ backend: p.name, loads: p.ok, chosen: p.name === choice.name, gflops, note: p.error ?? '' });
        }
        if (all.json) {
          process.stdout.write(`${JSON.stringify({ chosen: choice, backends: rows }, null, 2)}\n`);
          return;
        }
        printTable(
          ['backend', 'loads', 'chosen', 'conv fwd GFLOP/s', 'note'],
          rows.map((r) => [r.backend, r.loads ? 'yes' : 'no', r.chosen ? '*' : '', r.gflops?.toFixed(1) ?? '-', r.note.split('. ')[0] ?? '']),
        );
        const hints = rows.filter((r) => !r.loads && r.note);
        if (hints.length) process.stdout.write(`\n${hints.map((r) => `${r.backend}: ${r.note}`).join('\n')}\n`);
        process.stdout.write(`\nchosen: ${choice.name} (${choice.reason})\n`);
        process.stdout.write('conv: [1,64,64,64] * 3x3x64x64, stride 1, same; GFLOP/s = 2*MACs/s.\n');
      });
    });
}
