import { IOError, loadNpzFile, readNpz, saveNpzFile, writeNpz, type NdArray } from '@clade/core';
import { checkStats, type GaussianStats } from './gaussian';

/**
 * `.npz` statistics in pytorch-fid's layout: `mu` float64 [d] and `sigma` float64 [d,d]
 * (`np.savez(path, mu=mu, sigma=sigma)`). We add `n`, an int64 scalar with the number of
 * feature vectors, so shards can be merged later; pytorch-fid ignores extra entries, and files
 * without `n` (pytorch-fid's own) load with `count` undefined. float32 `mu`/`sigma` are widened.
 */
export function statsToNpz(stats: GaussianStats): Uint8Array {
  return writeNpz(statsArrays(stats));
}

function statsArrays(stats: GaussianStats): Map<string, NdArray> {
  checkStats(stats, 'saveStats');
  const arrays = new Map<string, NdArray>([
    ['mu', { dtype: 'float64', shape: [stats.dims], data: Float64Array.from(stats.mu) }],
    ['sigma', { dtype: 'float64', shape: [stats.dims, stats.dims], data: Float64Array.from(stats.sigma) }],
  ]);
  if (stats.count !== undefined)
    arrays.set('n', { dtype: 'int64', shape: [], data: BigInt64Array.from([BigInt(stats.count)]) });
  return arrays;
}

function toFloat64(arr: NdArray, key: string, name: string): Float64Array {
  if (arr.dtype === 'float64') return arr.data;
  if (arr.dtype === 'float32') return Float64Array.from(arr.data);
  throw new IOError(`loadStats: '${name}' entry '${key}' must be float32 or float64, got ${arr.dtype}.`);
}

/** Parses statistics from `.npz` bytes; `name` appears in errors. */
export function statsFromNpz(bytes: Uint8Array, name = 'stats.npz'): GaussianStats {
  return fromArrays(readNpz(bytes, name), name);
}

function fromArrays(arrays: Map<string, NdArray>, name: string): GaussianStats {
  const mu = arrays.get('mu');
  const sigma = arrays.get('sigma');
  if (!mu || !sigma)
    throw new IOError(
      `loadStats: '${name}' must hold 'mu' and 'sigma' (pytorch-fid's layout), got ${[...arrays.keys()].map((k) => `'${k}'`).join(', ') || 'nothing'}.`,
    );
  const d = mu.shape[0] ?? 0;
  if (mu.shape.length !== 1 || sigma.shape.length !== 2 || sigma.shape[0] !== d || sigma.shape[1] !== d)
    throw new IOError(`loadStats: '${name}' has mu [${mu.shape.join(',')}] and sigma [${sigma.shape.join(',')}]; expected [d] and [d,d].`);
  const stats: GaussianStats = { dims: d, mu: toFloat64(mu, 'mu', name), sigma: toFloat64(sigma, 'sigma', name) };
  const n = arrays.get('n');
  if (n) {
    const v = n.dtype === 'int64' ? Number(n.data[0]) : Number((n.data as ArrayLike<number>)[0]);
    if (n.data.length !== 1 || !Number.isSafeInteger(v) || v < 2)
      throw new IOError(`loadStats: '${name}' entry 'n' must be one integer ≥ 2, got ${n.data.length} values.`);
    stats.count = v;
  }
  return stats;
}

/** Saves statistics as an `.npz` that pytorch-fid's `--save-stats` output equals (plus `n`). Atomic. */
export async function saveStats(path: string, stats: GaussianStats): Promise<void> {
  await saveNpzFile(path, statsArrays(stats));
}

/** Loads pytorch-fid or @clade/metrics statistics from an `.npz`. */
export async function loadStats(path: string): Promise<GaussianStats> {
  return fromArrays(await loadNpzFile(path), path);
}
