'use strict';
// Loads the compiled binding (build/clade_ort.node, see build.cjs) and points it at the
// onnxruntime library that onnxruntime-node ships, so both run the same onnxruntime.
const fs = require('node:fs');
const path = require('node:path');

const addonPath = path.join(__dirname, 'build', 'clade_ort.node');
let binding;

/** The onnxruntime shared library inside onnxruntime-node for this platform and arch. */
function onnxruntimeLibrary() {
  const root = path.dirname(require.resolve('onnxruntime-node/package.json'));
  const dir = path.join(root, 'bin', 'napi-v6', process.platform, process.arch);
  const name = fs.existsSync(dir) ? fs.readdirSync(dir).find((f) => /^libonnxruntime(\.so\.\d+|.*\.dylib)$/.test(f)) : undefined;
  if (!name) throw new Error(`@clade/ort-native: onnxruntime-node has no onnxruntime library for ${process.platform}/${process.arch} in '${dir}'.`);
  return path.join(dir, name);
}

/** The initialised binding; throws one clear error when it was not built or cannot load. */
function load() {
  if (binding) return binding;
  if (!fs.existsSync(addonPath))
    throw new Error(`@clade/ort-native was not built ('${addonPath}' is missing): it needs a C compiler and Node's headers; run \`node ${path.join(__dirname, 'build.cjs')}\`.`);
  const b = require(addonPath);
  b.version = b.init(onnxruntimeLibrary());
  binding = b;
  return b;
}

/** Whether load() works here, and why not. */
function availability() {
  try {
    return { available: true, onnxruntime: load().version };
  } catch (e) {
    return { available: false, reason: e.message };
  }
}

module.exports = { load, availability, addonPath, onnxruntimeLibrary, DOMAIN: 'ai.clade' };
