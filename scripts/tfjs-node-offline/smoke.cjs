#!/usr/bin/env node
'use strict';
/*
 * Smoke test + quick benchmark for an offline-built @tensorflow/tfjs-node.
 *
 *   node smoke.cjs <path/to/node_modules/@tensorflow/tfjs-node>
 *        [--expect-core-from DIR]  fail unless tfjs-node uses the same
 *                                  @tensorflow/tfjs-core copy as DIR resolves
 *        [--wasm-from DIR]         also time @tensorflow/tfjs-backend-wasm
 *                                  (resolved from DIR) on the same conv
 *        [--quick]                 shorter timing
 *
 * Prints the backend name, versions, a conv2d correctness check against the
 * cpu backend, and GFLOP/s for a [1,64,64,64] x [3,3,64,64] 'same' conv2d.
 * Exits non-zero when the addon does not load or gives wrong numbers.
 */
const fs = require('fs');
const path = require('path');

if (process.env.TF_CPP_MIN_LOG_LEVEL === undefined) {
  process.env.TF_CPP_MIN_LOG_LEVEL = '2'; // hide TF's INFO/WARNING startup lines
}

const argv = process.argv.slice(2);
function opt(name) {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  if (i + 1 >= argv.length) fail(`${name} needs a value`);
  return argv[i + 1];
}
function fail(msg) {
  console.error(`smoke: FAIL: ${msg}`);
  process.exit(1);
}
const nodeDir = argv[0] && !argv[0].startsWith('--') ? path.resolve(argv[0]) : undefined;
if (!nodeDir) fail('usage: node smoke.cjs <tfjs-node package dir> [--expect-core-from DIR] [--wasm-from DIR] [--quick]');
const expectCoreFrom = opt('--expect-core-from');
const wasmFrom = opt('--wasm-from');
const quick = argv.includes('--quick');

function pkgRoot(name, fromDir) {
  const pj = require.resolve(`${name}/package.json`, { paths: [fromDir] });
  return fs.realpathSync(path.dirname(pj));
}
function loadedCoreCopies() {
  const roots = new Set();
  for (const k of Object.keys(require.cache)) {
    const m = k.match(/^(.*[\\/]@tensorflow[\\/]tfjs-core)[\\/]/);
    if (m) roots.add(m[1]);
  }
  return [...roots];
}

const FLOP = 2 * 64 * 64 * 64 * 3 * 3 * 64; // 2 * output pixels * outC * kernel MACs = 302 MFLOP

function timeIt(once, label, flop) {
  for (let i = 0; i < 3; i++) once(); // warm-up
  const rounds = quick ? 3 : 5;
  const minSec = quick ? 0.25 : 0.5;
  const rates = [];
  const cpu0 = process.cpuUsage();
  const wall0 = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) {
    let n = 0;
    const t0 = process.hrtime.bigint();
    let sec = 0;
    while (n < 2 || sec < minSec) {
      once();
      n++;
      sec = Number(process.hrtime.bigint() - t0) / 1e9;
    }
    rates.push((flop * n) / sec / 1e9);
  }
  const cpu = process.cpuUsage(cpu0);
  const cores = (cpu.user + cpu.system) / 1e6 / (Number(process.hrtime.bigint() - wall0) / 1e9);
  rates.sort((a, b) => a - b);
  const median = rates[Math.floor(rates.length / 2)];
  const best = rates[rates.length - 1];
  console.log(
    `smoke: ${label.padEnd(30)} median ${median.toFixed(1).padStart(5)} GFLOP/s, ` +
      `best ${best.toFixed(1).padStart(5)} GFLOP/s (${((flop / median) * 1e-6).toFixed(1)} ms/step, ` +
      `got ${cores.toFixed(2)} CPU cores)`,
  );
  return median;
}

// [1,64,64,64] x [3,3,64,64] 'same' conv2d: forward, and forward+backward
// (input and filter gradients, ~3x the forward FLOPs) as in a training step.
function bench(tf, name) {
  const x = tf.randomNormal([1, 64, 64, 64]);
  const w = tf.randomNormal([3, 3, 64, 64]);
  const fwd = timeIt(
    () => {
      const y = tf.conv2d(x, w, 1, 'same');
      y.dataSync();
      y.dispose();
    },
    `${name} conv2d fwd`,
    FLOP,
  );
  const g = tf.grads((a, b) => tf.conv2d(a, b, 1, 'same').sum());
  try {
    tf.tidy(() => g([x, w]));
  } catch (e) {
    // stock tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter/Input kernels
    console.log(`smoke: ${name} conv2d fwd+bwd: not available (${String(e.message || e).split('\n')[0]})`);
    x.dispose();
    w.dispose();
    return { fwd, train: undefined };
  }
  const train = timeIt(
    () => {
      const [dx, dw] = g([x, w]);
      dx.dataSync();
      dw.dataSync();
      dx.dispose();
      dw.dispose();
    },
    `${name} conv2d fwd+bwd`,
    3 * FLOP,
  );
  x.dispose();
  w.dispose();
  return { fwd, train };
}

async function main() {
  if (!fs.existsSync(path.join(nodeDir, 'package.json'))) fail(`no package at ${nodeDir}`);
  const nodePkg = JSON.parse(fs.readFileSync(path.join(nodeDir, 'package.json'), 'utf8'));
  const wantCore = nodePkg.dependencies['@tensorflow/tfjs'];

  let tf;
  try {
    tf = require(nodeDir);
  } catch (e) {
    fail(`require(${nodeDir}) threw:\n${e && e.stack ? e.stack : e}`);
  }
  await tf.ready();
  const backendName = tf.getBackend();
  const tfVersion = tf.backend().binding && tf.backend().binding.TF_Version;
  console.log(`smoke: require ok: ${nodeDir}`);
  console.log(`smoke: backend=${backendName} libtensorflow=${tfVersion} tfjs-node=${tf.version['tfjs-node']} tfjs-core=${tf.version['tfjs-core']}`);
  if (backendName !== 'tensorflow') fail(`backend is '${backendName}', expected 'tensorflow'`);
  if (tf.version['tfjs-core'] !== wantCore) fail(`tfjs-core is ${tf.version['tfjs-core']}, tfjs-node ${nodePkg.version} wants ${wantCore}`);

  const tfjsDir = pkgRoot('@tensorflow/tfjs', nodeDir);
  const coreDir = pkgRoot('@tensorflow/tfjs-core', tfjsDir);
  console.log(`smoke: tfjs-core used by tfjs-node: ${coreDir}`);
  if (expectCoreFrom) {
    const projectCore = pkgRoot('@tensorflow/tfjs-core', pkgRoot('@tensorflow/tfjs', path.resolve(expectCoreFrom)));
    if (projectCore !== coreDir) {
      fail(`tfjs-node uses ${coreDir} but ${expectCoreFrom} uses ${projectCore}: two tfjs-core copies`);
    }
    console.log(`smoke: same tfjs-core copy as ${expectCoreFrom}: yes`);
  }

  // Correctness: tensorflow vs the pure-JS cpu backend on a small conv.
  const xs = Float32Array.from({ length: 1 * 9 * 9 * 5 }, (_, i) => Math.sin(i * 0.37));
  const ws = Float32Array.from({ length: 3 * 3 * 5 * 4 }, (_, i) => Math.cos(i * 0.11));
  const conv = () =>
    tf.tidy(() => tf.conv2d(tf.tensor4d(xs, [1, 9, 9, 5]), tf.tensor4d(ws, [3, 3, 5, 4]), 1, 'same').dataSync());
  const gotTf = conv();
  const prod = tf.env().getBool('PROD');
  tf.env().set('PROD', true); // silence tfjs-backend-cpu's "install tfjs-node" banner
  await tf.setBackend('cpu');
  const gotCpu = conv();
  tf.env().set('PROD', prod);
  await tf.setBackend('tensorflow');
  let maxErr = 0;
  for (let i = 0; i < gotCpu.length; i++) maxErr = Math.max(maxErr, Math.abs(gotTf[i] - gotCpu[i]));
  console.log(`smoke: conv2d tensorflow vs cpu: max |diff| = ${maxErr.toExponential(2)}`);
  if (!(maxErr < 1e-3)) fail('conv2d result differs from the cpu backend');

  // Known difference of TF 2.21's C API: Round on int32 yields 0.
  const r = tf.tidy(() => Array.from(tf.round(tf.tensor1d([1, 2, -3], 'int32')).dataSync()));
  if (r.join() === '1,2,-3') {
    console.log('smoke: tf.round(int32) ok');
  } else {
    console.log(`smoke: NOTE tf.round(int32 [1,2,-3]) = [${r}] on this libtensorflow (known TF 2.21 difference; round float32 instead)`);
  }

  console.log(`smoke: timing on ${require('os').cpus().length} CPU(s), load average ${require('os').loadavg()[0].toFixed(2)}`);
  const nodeRate = bench(tf, 'tensorflow');

  if (wasmFrom) {
    let wasmPath;
    try {
      wasmPath = require.resolve('@tensorflow/tfjs-backend-wasm', { paths: [path.resolve(wasmFrom)] });
    } catch {
      console.log(`smoke: @tensorflow/tfjs-backend-wasm not resolvable from ${wasmFrom}; skipping the wasm comparison`);
    }
    if (wasmPath) {
      require(wasmPath);
      const ok = await tf.setBackend('wasm');
      await tf.ready();
      if (!ok || tf.getBackend() !== 'wasm') {
        console.log('smoke: wasm backend did not initialise; skipping the comparison');
      } else {
        const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
        const mt = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
        const wasmRate = bench(tf, `wasm(simd=${simd ? 1 : 0},mt=${mt ? 1 : 0})`);
        console.log(
          `smoke: tensorflow/wasm speed: ${(nodeRate.fwd / wasmRate.fwd).toFixed(1)}x forward` +
            (wasmRate.train ? `, ${(nodeRate.train / wasmRate.train).toFixed(1)}x forward+backward` : ''),
        );
      }
      await tf.setBackend('tensorflow');
    }
  }

  const copies = loadedCoreCopies();
  console.log(`smoke: tfjs-core copies loaded in this process: ${copies.length}`);
  if (copies.length > 1) {
    console.log(`smoke: NOTE more than one tfjs-core copy loaded:\n  ${copies.join('\n  ')}`);
  }
  console.log(`smoke: OK (tensorflow ${nodeRate.fwd.toFixed(1)} GFLOP/s forward, ${nodeRate.train.toFixed(1)} GFLOP/s forward+backward)`);
}

main().catch((e) => fail(e && e.stack ? e.stack : String(e)));
