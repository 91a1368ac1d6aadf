// A small conv net with every op our generators use (stride-1/2 convs, nearest ×2 upsampling,
// a CLADE-style gather) trains on wasm: variableGrads matches cpu and Adam steps lower the loss.
import * as tf from '@tensorflow/tfjs-core';
import { expectClose, rand, setUpWasm } from '../../__tests__/helpers';

beforeAll(async () => {
  await setUpWasm();
});

const SHAPES: Record<string, number[]> = {
  w1: [3, 3, 3, 8],
  w2: [4, 4, 8, 8],
  w3: [3, 3, 8, 3],
  table: [5, 8],
};

function makeNet() {
  const vars = Object.fromEntries(
    Object.entries(SHAPES).map(([name, shape], i) => [
      name,
      tf.variable(tf.mul(tf.tensor(rand(shape, 10 + i), shape), 0.3), true, `${name}_${Math.random()}`),
    ]),
  ) as Record<string, tf.Variable>;
  const x = tf.tensor4d(rand([2, 8, 8, 3], 1), [2, 8, 8, 3]);
  const cls = tf.tensor3d(Int32Array.from(rand([2, 8, 8], 2), (v) => Math.floor((v + 1) * 2.5)), [2, 8, 8], 'int32');
  const target = tf.tensor4d(rand([2, 8, 8, 3], 3), [2, 8, 8, 3]);
  const loss = () =>
    tf.tidy(() => {
      let h = tf.relu(tf.conv2d(x, vars['w1'] as tf.Tensor4D, 1, 'same'));
      h = tf.conv2d(h, vars['w2'] as tf.Tensor4D, 2, 'same'); // [2,4,4,8]
      h = tf.image.resizeNearestNeighbor(h, [8, 8]);
      h = tf.mul(h, tf.gather(vars['table']!, cls)); // CLADE-style per-class scale
      const y = tf.conv2d(h, vars['w3'] as tf.Tensor4D, 1, 'same');
      return tf.mean(tf.squaredDifference(y, target)) as tf.Scalar;
    });
  const dispose = () => tf.dispose([...Object.values(vars), x, cls, target]);
  return { vars, loss, dispose };
}

async function gradsOn(backend: string): Promise<Record<string, Float32Array>> {
  await tf.setBackend(backend);
  const net = makeNet();
  try {
    const { value, grads } = tf.variableGrads(net.loss);
    const out: Record<string, Float32Array> = {};
    for (const [name, v] of Object.entries(net.vars)) out[name] = Float32Array.from(grads[v.name]!.dataSync());
    tf.dispose([value, ...Object.values(grads)]);
    return out;
  } finally {
    net.dispose();
    await tf.setBackend('cpu');
  }
}

it('tf.variableGrads of a small conv net on wasm matches cpu', async () => {
  const cpu = await gradsOn('cpu');
  const wasm = await gradsOn('wasm');
  for (const name of Object.keys(SHAPES)) {
    expectClose(wasm[name]!, cpu[name]!, 1e-4, name);
    expect(Math.max(...Array.from(wasm[name]!, Math.abs))).toBeGreaterThan(0);
  }
});

it('Adam steps on wasm lower the loss without leaking tensors', async () => {
  await tf.setBackend('wasm');
  const net = makeNet();
  const opt = tf.train.adam(0.01);
  try {
    const losses: number[] = [];
    let tensorsAfterFirst = 0;
    for (let step = 0; step < 6; step++) {
      const value = opt.minimize(net.loss, true) as tf.Scalar;
      losses.push(value.dataSync()[0]!);
      value.dispose();
      if (step === 0) tensorsAfterFirst = tf.memory().numTensors; // Adam's slots now exist
    }
    expect(tf.memory().numTensors).toBe(tensorsAfterFirst);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]!);
  } finally {
    opt.dispose();
    net.dispose();
    await tf.setBackend('cpu');
  }
});
