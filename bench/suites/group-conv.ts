import * as tf from '@tensorflow/tfjs-core';
import { groupConv2d, type GroupConvMethod } from '@clade/core';
import { groupConv2dReference, groupConvMethod } from '@clade/core/internal';
import { printTable, timeMedian } from '../lib';

export interface GroupConvBenchOptions {
  backends: string[];
  reps: number;
  /** Side of the feature map; GroupDNet's channel/group shapes are kept, the size is scaled. Default 16 (quick). */
  size: number;
  /** Also time forward + backward (gradients of x and the kernel). Default false. */
  backward: boolean;
}

/** [label, cin, cout, groups, kernel] — GroupDNet layers (channels scaled down where noted). */
const CASES: Array<[string, number, number, number, number]> = [
  ['Cityscapes mlp_shared 70→140 g35', 70, 140, 35, 3],
  ['Cityscapes mlp_gamma 140→280 g35', 140, 280, 35, 3],
  ['DeepFashion conv_0 256→256 g8 (ngf 16)', 256, 256, 8, 3],
  ['DeepFashion mlp_gamma 128→256 g8', 128, 256, 8, 3],
  ['up_1-like conv_0 128→64 g2', 128, 64, 2, 3],
  ['conv_s 1×1 256→128 g4', 256, 128, 4, 1],
];

const METHODS: Array<Exclude<GroupConvMethod, 'auto'>> = ['split', 'blockDiagonal', 'depthwise'];

/**
 * Grouped conv: our three paths against the naive split-and-concatenate reference, same inputs,
 * same run; ratios are reference time / method time (> 1 = faster than the reference).
 */
export async function benchGroupConv(o: GroupConvBenchOptions): Promise<void> {
  const rows: Array<Array<string | number>> = [];
  const n = o.size;
  for (const backend of o.backends) {
    await tf.setBackend(backend);
    for (const [label, cin, cout, g, k] of CASES) {
      const x = tf.randomNormal([1, n, n, cin]) as tf.Tensor4D;
      const kernel = tf.randomNormal([k, k, cin / g, cout]) as tf.Tensor4D;
      const bias = tf.randomNormal([cout]) as tf.Tensor1D;
      const fwd = (f: () => tf.Tensor) => (o.backward ? () => tf.grads((a, b) => tf.sum(tf.square(fOf(a, b))))([x, kernel]) : f);
      let fOf = (a: tf.Tensor, b: tf.Tensor) => groupConv2dReference(a as tf.Tensor4D, b as tf.Tensor4D, g, { bias });
      const ref = await timeMedian(fwd(() => groupConv2dReference(x, kernel, g, { bias })), o.reps);
      const times: number[] = [];
      for (const method of METHODS) {
        fOf = (a, b) => groupConv2d(a as tf.Tensor4D, b as tf.Tensor4D, g, { bias, method });
        times.push(await timeMedian(fwd(() => groupConv2d(x, kernel, g, { bias, method })), o.reps));
      }
      const auto = groupConvMethod(cin, cout, g);
      const best = METHODS[times.indexOf(Math.min(...times))]!;
      rows.push([
        backend,
        label,
        ref.toFixed(1),
        ...times.map((t) => `${t.toFixed(1)} (${(ref / t).toFixed(2)}x)`),
        best,
        auto === best ? auto : `${auto} (!)`,
      ]);
      tf.dispose([x, kernel, bias]);
    }
  }
  process.stdout.write(
    `\nGrouped conv ${o.backward ? 'forward + backward' : 'forward'}, x [1,${n},${n},cin], median of ${o.reps} ms (ratio = reference / method)\n`,
  );
  printTable(['backend', 'layer', 'reference ms', 'split', 'blockDiagonal', 'depthwise', 'fastest', "'auto' picks"], rows);
}
