#!/usr/bin/env node
// Runs publint on every publishable workspace package (packages/* and apps/* with `exports` or
// `main`, not `private`) and fails on any error or warning, one line per finding.
//
// publint judges the files a package publishes, and the dist/ files its manifest names exist only
// after `turbo run build`, which `pnpm test` otherwise never needs (it runs the sources through the
// '@clade/source' condition). So publint reads the file list `pnpm pack` would publish, and a
// manifest entry dist/<name>.<ext> that is not built yet gets an empty stand-in, provided its tsup
// entry src/<name>.ts exists. An empty file has no detectable module format, so publint still
// checks all the manifest decides (condition order, types per import/require, extension vs
// "type", files, main/module/types) but not the built code itself; after a build, the real files
// are read.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORKSPACE_DIRS = ['packages', 'apps'];
const BUILT = /^dist\/(.+?)\.(?:d\.)?[cm]?[jt]s$/;

/** Workspace folders (relative to the root) whose package.json is meant for publishing. */
function publishablePackages() {
  return WORKSPACE_DIRS.flatMap((parent) =>
    readdirSync(path.join(ROOT, parent), { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(path.join(ROOT, parent, d.name, 'package.json')))
      .map((d) => `${parent}/${d.name}`),
  ).filter((dir) => {
    const pkg = readJson(path.join(ROOT, dir, 'package.json'));
    return !pkg.private && (pkg.exports !== undefined || pkg.main !== undefined);
  });
}

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** Every file path the manifest points at, relative to the package, without a leading './'. */
function manifestPaths(pkg) {
  const leaves = (v) => (typeof v === 'string' ? [v] : v && typeof v === 'object' ? Object.values(v).flatMap(leaves) : []);
  return [pkg.exports, pkg.main, pkg.module, pkg.types, pkg.typings, pkg.bin].flatMap(leaves).map((p) => path.posix.normalize(p));
}

/** Package name → the files `pnpm pack` would publish, relative to the package (one pnpm run for all). */
async function packedFiles(dirs) {
  const filters = dirs.flatMap((dir) => ['--filter', `./${dir}`]);
  const { stdout } = await promisify(execFile)('pnpm', ['-r', ...filters, 'pack', '--dry-run', '--json', '--config.ignore-scripts=true'], {
    cwd: ROOT,
  });
  // One package prints an object, several an array.
  return new Map([JSON.parse(stdout)].flat().map((p) => [p.name, p.files.map((f) => f.path)]));
}

/** Unbuilt dist/ entries of the manifest whose tsup entry exists: they get an empty stand-in. */
function standIns(dir, pkg, packed) {
  // Unbuilt, dist/ is absent from the pack list whatever `files` says: trust it only when it names dist.
  if (pkg.files && !pkg.files.some((f) => /^(\.\/)?dist\/?$/.test(f))) return [];
  return [...new Set(manifestPaths(pkg))].filter((p) => {
    const entry = BUILT.exec(p)?.[1];
    return entry !== undefined && !packed.includes(p) && existsSync(path.join(ROOT, dir, 'src', `${entry}.ts`));
  });
}

async function lintPackage(dir, packedByName) {
  const pkg = readJson(path.join(ROOT, dir, 'package.json'));
  const packed = packedByName.get(pkg.name) ?? [];
  // Read lazily: publint opens only the few files it checks.
  const file = (rel, read) => ({ name: `${dir}/${rel}`, get data() { return read(); } });
  const files = [
    ...packed.map((rel) => file(rel, () => readFileSync(path.join(ROOT, dir, rel)))),
    ...standIns(dir, pkg, packed).map((rel) => file(rel, () => '')),
  ];
  const { messages } = await publint({ pkgDir: dir, pack: { files }, level: 'warning' });
  return messages.map((m) => `${dir}: ${m.type} ${m.code}: ${formatMessage(m, pkg, { color: false }) ?? ''}`);
}

const dirs = publishablePackages();
const packedByName = await packedFiles(dirs);
const findings = (await Promise.all(dirs.map((dir) => lintPackage(dir, packedByName)))).flat();
for (const line of findings) console.log(line);
console.log(`publint: ${dirs.length} packages, ${findings.length} findings`);
process.exitCode = findings.length ? 1 : 0;
