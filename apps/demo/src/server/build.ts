import * as path from 'node:path';
import { build } from 'esbuild';

/**
 * Bundles the page (src/main.ts) into `<outDir>/app.js` for the browser. Sibling packages are read
 * from their src/ through the '@clade/source' condition, like the tests; their Node-only modules
 * (file listing, sharp, fast-png) are never reached from the page and are left external so
 * esbuild does not try to bundle them (their packages declare `sideEffects: false`, so unused
 * imports are dropped).
 */
export async function buildBundle(demoRoot: string, outDir = path.join(demoRoot, 'dist')): Promise<string> {
  const outfile = path.join(outDir, 'app.js');
  await build({
    entryPoints: [path.join(demoRoot, 'src', 'main.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    conditions: ['@clade/source'],
    external: ['node:*', 'sharp', 'fast-png'],
    minify: true,
    sourcemap: true,
    logLevel: 'error',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  return outfile;
}
