// Golden parity: ../shared/fixtures/p3_layers, produced by the official PyTorch code
// (tzt101/CLADE@1ffd19da SPADELight/ClassAffine, NVlabs/SPADE@fecacc92 SPADE; torch 2.13 CPU;
// see that folder's manifest.json). Inputs and outputs are NCHW; our layers are NHWC.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { describeWithShared, expectTensorsClose, sharedPath } from '@clade/test-utils';
import { CLADE, CLADEICPE, SPADE, loadTorchStateDict, readNpy, readTorchCheckpoint } from '../index';
import type { layers } from '@tensorflow/tfjs-layers';

const DIR = 'fixtures/p3_layers';
const read = (f: string) => new Uint8Array(readFileSync(sharedPath(DIR, f)));

/** An .npy fixture as a tensor, NCHW → NHWC for rank 4. */
function npy(f: string): tf.Tensor {
  const a = readNpy(read(f), f);
  const t = tf.tensor(Float32Array.from(a.data as ArrayLike<number>), a.shape, 'float32');
  return a.shape.length === 4 ? tf.transpose(t, [0, 2, 3, 1]) : t;
}

interface Case {
  name: string;
  make: () => layers.Layer;
  inputs: string[];
  runningStats: boolean;
}

const CASES: Case[] = [
  { name: 'clade_spadelight', make: () => new CLADE({ numClasses: 5 }), inputs: ['input_segmap16_onehot.npy'], runningStats: true },
  {
    name: 'clade_spadelight_inst_dist',
    make: () => new CLADEICPE({ numClasses: 5, useInstance: true }),
    inputs: ['input_segmap32_onehot_edge.npy', 'input_dist32.npy'],
    runningStats: true,
  },
  {
    name: 'clade_spadelight_instnorm',
    make: () => new CLADE({ numClasses: 5, paramFreeNorm: 'instance' }),
    inputs: ['input_segmap16_onehot.npy'],
    runningStats: false,
  },
  { name: 'spade_layer', make: () => new SPADE({ semanticNc: 5 }), inputs: ['input_segmap16_onehot.npy'], runningStats: true },
  { name: 'spade_layer_seg32', make: () => new SPADE({ semanticNc: 6 }), inputs: ['input_segmap32_onehot_edge.npy'], runningStats: true },
  {
    name: 'spade_layer_instnorm',
    make: () => new SPADE({ semanticNc: 5, paramFreeNorm: 'instance' }),
    inputs: ['input_segmap16_onehot.npy'],
    runningStats: false,
  },
];

describeWithShared('layer parity with the official PyTorch layers (p3_layers)', [`${DIR}/manifest.json`], () => {
  for (const c of CASES) {
    describe(c.name, () => {
      const load = () => {
        const xs = [npy('input_x.npy'), ...c.inputs.map(npy)];
        const layer = c.make();
        tf.dispose(layer.apply(xs) as tf.Tensor); // build
        loadTorchStateDict(layer, readTorchCheckpoint(read(`${c.name}.pth`), `${c.name}.pth`), { source: `${c.name}.pth` });
        return { layer, xs };
      };

      it('eval mode output within 1e-4', () => {
        const { layer, xs } = load();
        const y = layer.apply(xs, { training: false }) as tf.Tensor;
        expectTensorsClose(y, npy(`${c.name}_output.npy`), 1e-4);
      });

      it('train mode output (batch statistics) within 1e-4, and the running-stat update', () => {
        const { layer, xs } = load();
        const y = layer.apply(xs, { training: true }) as tf.Tensor;
        expectTensorsClose(y, npy(`${c.name}_output_train.npy`), 1e-4);
        if (c.runningStats) {
          const byName = (s: string) => layer.weights.find((w) => w.originalName.endsWith(s))!.read();
          expectTensorsClose(byName('running_mean'), npy(`${c.name}_train_running_mean.npy`), 1e-5);
          expectTensorsClose(byName('running_var'), npy(`${c.name}_train_running_var.npy`), 1e-5);
        }
      });
    });
  }

  it('a state dict of another layer type is refused, listing missing and unexpected keys', () => {
    const layer = new CLADE({ numClasses: 5, name: 'norm_0' });
    tf.dispose(layer.apply([npy('input_x.npy'), npy('input_segmap16_onehot.npy')]) as tf.Tensor);
    expect(() =>
      loadTorchStateDict(layer, readTorchCheckpoint(read('spade_layer.pth'), 'spade_layer.pth'), { source: 'spade_layer.pth' }),
    ).toThrow(
      new RegExp(
        String.raw`spade_layer.pth does not fit layer 'norm_0' \(CLADE\): ` +
          String.raw`missing keys: class_specified_affine.weight, class_specified_affine.bias; unexpected keys: mlp_shared.0.weight`,
      ),
    );
  });
});

describeWithShared('state dict shape errors', [`${DIR}/manifest.json`], () => {
  it('a mis-shaped key is reported in PyTorch layout', () => {
    const layer = new SPADE({ semanticNc: 6, name: 'norm_0' }); // the file's mlp_shared has 5 input channels
    tf.dispose(layer.apply([npy('input_x.npy'), tf.zeros([2, 16, 16, 6])]) as tf.Tensor);
    expect(() => loadTorchStateDict(layer, readTorchCheckpoint(read('spade_layer.pth'), 'spade_layer.pth'))).toThrow(
      /mis-shaped keys: mlp_shared.0.weight \[128,5,3,3\] \(expected \[128,6,3,3\]\)/,
    );
  });
});
