import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Command } from 'commander';

// Runs the real CLI as a user would (tsx on the sources, the @clade/source condition).
const ROOT = path.resolve(__dirname, '../../../..');
function clade(...args: string[]) {
  const r = spawnSync(process.execPath, ['--conditions=@clade/source', '--import', 'tsx', 'apps/cli/src/main.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, CLADE_BACKEND: '' },
    timeout: 120_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('clade CLI', () => {
  it('every command and subcommand has --help with examples', async () => {
    const { buildProgram } = await import('../main');
    const missing: string[] = [];
    const visit = (cmd: Command, prefix: string) => {
      for (const sub of cmd.commands) {
        const name = `${prefix} ${sub.name()}`.trim();
        let text = '';
        sub.configureOutput({ writeOut: (t) => (text += t), writeErr: (t) => (text += t) });
        sub.outputHelp();
        if (sub.commands.length === 0 && !/Examples:/.test(text)) missing.push(name);
        visit(sub, name);
      }
    };
    const program = buildProgram();
    visit(program, '');
    expect(program.commands.map((c) => c.name())).toEqual(
      expect.arrayContaining(['doctor', 'synthesize', 'profile', 'convert', 'train', 'export', 'export-onnx', 'showcase', 'data', 'eval', 'bench']),
    );
    expect(missing).toEqual([]);
  });

  it('--help lists the commands', () => {
    const r = clade('--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/doctor/);
  });

  it('doctor --help has examples', () => {
    const r = clade('doctor', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Examples:/);
  });

  it('doctor --json reports the backends and the choice', () => {
    const r = clade('doctor', '--json', '--quick');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    // native where a C compiler built @clade/ort-native on install (the backend tests check that it did), else wasm.
    const native = report.backends.find((b: { backend: string }) => b.backend === 'native');
    expect(report.chosen.name).toBe(native.loads ? 'native' : 'wasm');
    expect(report.backends.map((b: { backend: string }) => b.backend)).toEqual(['tensorflow-gpu', 'tensorflow', 'native', 'wasm', 'cpu']);
  });

  it('a bad --backend is a user error: exit 2, one line, no stack', () => {
    const r = clade('--backend', 'tpu', 'doctor', '--quick');
    expect(r.code).toBe(2);
    const lines = r.err.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/backend must be one of .*got 'tpu'/);
  });

  it('train --fid-every without Inception weights says what to download (exit 2, no training started)', () => {
    const r = clade('train', '--config', 'examples/train-tiny.json', '--out', path.join(tmpdir(), 'clade-fid-every'), '--fid-every', '5');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/eval\.metric 'fid' needs eval\.inceptionWeights: download pytorch-fid's pt_inception-2015-12-05-6726825d\.pth/);
    expect(clade('train', '--config', 'examples/train-tiny.json', '--out', 'x', '--fid-every', '5', '--miou-every', '5').err).toMatch(
      /--fid-every or --miou-every, not both/,
    );
  });

  it('an unknown command exits 2', () => {
    expect(clade('paint').code).toBe(2);
  });
});
