import { measureConvGflops } from '@clade/backend';
import { printTable } from '../lib';

/** conv2d GFLOP/s, forward and forward+backward, per backend; returns forward GFLOP/s by backend. */
export async function benchBackendConv(backends: string[]): Promise<Record<string, number>> {
  const rows: Array<Array<string | number>> = [];
  const forward: Record<string, number> = {};
  for (const backend of backends) {
    const fwd = await measureConvGflops({ backend, mode: 'forward' });
    const bwd = await measureConvGflops({ backend, mode: 'forwardBackward' });
    forward[backend] = fwd;
    rows.push([backend, fwd.toFixed(2), bwd.toFixed(2)]);
  }
  const ref = forward.cpu;
  process.stdout.write('\nconv2d [1,64,64,64] * 3x3x64x64, stride 1, same (GFLOP/s = 2*MACs/s)\n');
  printTable(
    ['backend', 'fwd GFLOP/s', 'fwd+bwd GFLOP/s', 'fwd vs cpu'],
    rows.map((r, i) => [...r, ref ? `${(forward[backends[i]!]! / ref).toFixed(1)}x` : '-']),
  );
  return forward;
}
