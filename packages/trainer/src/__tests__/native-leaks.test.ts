import * as tf from '@tensorflow/tfjs-core';
import { labelsToSegmap } from '@clade/core';
import { MultiscaleDiscriminator, SpadeGenerator } from '@clade/spade-gen';
import { describeNative } from '@clade/test-utils';
import { createAdam, resolveRunConfig, trainStep } from '../index';
import { useWasmTraining } from './helpers/wasm-training';

// 100 official iterations on the native path (where a C compiler built it): not one tensor, wasm
// data id or native scratch allocation more at the end than after the first iteration.
describeNative('100 training steps on the native backend', () => {
  useWasmTraining('native');

  it('leak no tensors and no backend data', () => {
    const run = resolveRunConfig({ generator: { labelNc: 3 }, data: { dataset: 'ade20k', root: '.' }, loss: { lambdaVgg: 0 } });
    const G = new SpadeGenerator({ labelNc: 3, ngf: 4, cropSize: 32, normMode: 'clade', initSeed: 1 });
    const D = new MultiscaleDiscriminator({ labelNc: 3, ndf: 4, initSeed: 2 });
    const optG = createAdam(run.optim, 1e-4);
    const optD = createAdam(run.optim, 4e-4);
    const batch = tf.tidy(() => ({
      seg: labelsToSegmap(tf.randomUniform([1, 32, 32], 0, 3, 'int32', 3), 3),
      image: tf.randomUniform([1, 32, 32, 3], -1, 1, 'float32', 4) as tf.Tensor4D,
    }));
    const dataIds = () => (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
    trainStep({ G, D, optG, optD }, batch, run.loss); // builds the optimizer slots
    const after1 = { tensors: tf.memory().numTensors, dataIds: dataIds() };
    for (let i = 0; i < 99; i++) trainStep({ G, D, optG, optD }, batch, run.loss);
    expect({ tensors: tf.memory().numTensors, dataIds: dataIds() }).toEqual(after1);
    tf.dispose([batch.seg, batch.image]);
    [G, D, optG, optD].forEach((o) => o.dispose());
  });
});
