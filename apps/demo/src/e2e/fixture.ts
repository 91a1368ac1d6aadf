import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { buildBundle } from '../server/build';
import { writeRandomModel, type RandomModelOptions } from '../server/random-model';
import { startDemoServer, type DemoServer } from '../server/serve';

/** The model the demo bundles: used by the tests and the benchmark as soon as it is committed. */
export function bundledModelDir(demoRoot: string): string {
  return path.resolve(demoRoot, '..', '..', 'models', 'default-clade');
}

export interface DemoFixture {
  server: DemoServer;
  modelDir: string;
  /** false: a random-init model made in `tmpDir` because models/default-clade is not there yet. */
  bundled: boolean;
}

/**
 * Builds the bundle and serves the demo on a free port: the bundled CLADE model when it exists,
 * else a random-init one (`fallback`) written into `tmpDir` through the export code path; with
 * `spade`, a random-init SPADE of the same ngf and size beside it (timing does not depend on weights).
 */
export async function startDemoFixture(
  demoRoot: string,
  tmpDir: string,
  o: { fallback?: RandomModelOptions; spade?: boolean; forceRandom?: boolean } = {},
): Promise<DemoFixture> {
  const bundledDir = bundledModelDir(demoRoot);
  const bundled = !o.forceRandom && existsSync(path.join(bundledDir, 'model.json'));
  const modelDir = bundled ? bundledDir : path.join(tmpDir, 'clade');
  if (!bundled) await writeRandomModel(modelDir, { ...o.fallback, normMode: 'clade' });
  let spadeModelDir: string | null = null;
  if (o.spade) {
    const { readFile } = await import('node:fs/promises');
    const g = JSON.parse(await readFile(path.join(modelDir, 'clade.json'), 'utf8')).generator as { ngf: number; cropSize: number };
    spadeModelDir = path.join(tmpDir, 'spade');
    await writeRandomModel(spadeModelDir, { normMode: 'spade', ngf: g.ngf, cropSize: g.cropSize });
  }
  await buildBundle(demoRoot);
  const server = await startDemoServer({ demoRoot, modelDir, spadeModelDir });
  return { server, modelDir, bundled };
}
