#!/usr/bin/env node
// Compiles src/*.c (clade_ort.c, tensor_kernels.c) into build/clade_ort.node with the system C compiler and Node's own
// headers. No node-gyp: two C files, no libraries to link (onnxruntime is dlopen'ed at run time).
// `--optional` (the install hook): a machine without a compiler or headers gets a notice and the
// plain onnxruntime-node path, never a failed install.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const optional = process.argv.includes('--optional');
const out = path.join(__dirname, 'build', 'clade_ort.node');

/** Folders that may hold node_api.h: an explicit override, npm's nodedir, the running node's prefix, node-gyp's cache. */
function headerDirs() {
  const v = process.version.slice(1);
  const home = process.env.HOME || process.env.USERPROFILE || '';
  return [
    process.env.CLADE_NODE_INCLUDE,
    process.env.npm_config_nodedir && path.join(process.env.npm_config_nodedir, 'include', 'node'),
    path.join(path.dirname(process.execPath), '..', 'include', 'node'),
    process.config.variables.node_prefix && path.join(process.config.variables.node_prefix, 'include', 'node'),
    '/usr/include/node',
    '/usr/local/include/node',
    home && path.join(home, '.cache', 'node-gyp', v, 'include', 'node'),
    home && path.join(home, 'Library', 'Caches', 'node-gyp', v, 'include', 'node'),
  ].filter((d) => d && fs.existsSync(path.join(d, 'node_api.h')));
}

function fail(msg) {
  if (optional) {
    console.warn(`@clade/ort-native: not built (${msg}). The ONNX path falls back to onnxruntime-node without the fused CLADE op; build later with \`node ${path.join(__dirname, 'build.cjs')}\`.`);
    process.exit(0);
  }
  console.error(`@clade/ort-native: ${msg}`);
  process.exit(1);
}

if (process.platform !== 'linux' && process.platform !== 'darwin') fail(`platform '${process.platform}' is not supported (linux and darwin are)`);
const include = headerDirs()[0];
if (!include) fail("Node's headers (node_api.h) were not found; set CLADE_NODE_INCLUDE to the folder that has them");
const cc = process.env.CC || 'cc';
fs.mkdirSync(path.dirname(out), { recursive: true });
const tmp = `${out}.${process.pid}.tmp`;
const args = [
  '-O3', '-std=c11', '-fPIC', '-shared', '-fvisibility=hidden',
  // The composed ONNX ops round a multiply, then an add: no fused multiply-add, so results are equal.
  '-ffp-contract=off',
  '-DNODE_GYP_MODULE_NAME=clade_ort', `-I${include}`,
  ...['clade_ort.c', 'tensor_kernels.c'].map((f) => path.join(__dirname, 'src', f)), '-o', tmp,
  ...(process.platform === 'darwin' ? ['-undefined', 'dynamic_lookup'] : ['-ldl']),
];
const r = spawnSync(cc, args, { stdio: ['ignore', 'inherit', 'inherit'] });
if (r.error || r.status !== 0) {
  fs.rmSync(tmp, { force: true });
  fail(r.error ? `the C compiler '${cc}' could not run (${r.error.message})` : `'${cc}' failed with exit code ${r.status}`);
}
fs.renameSync(tmp, out); // atomic: a reader never sees a half-written addon
console.log(`@clade/ort-native: built ${path.relative(process.cwd(), out)}`);
