import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@clade/backend';
import { labelsToSegmap } from '@clade/core';
import { MultiscaleDiscriminator, SpadeGenerator } from '@clade/spade-gen';
import { createAdam, learningRates, resolveRunConfig, trainStep } from '@clade/trainer';
const backends = (process.argv[2] ?? 'wasm,native').split(',');
const norm = process.argv[3] ?? 'clade';
const threads = Number(process.argv[4] ?? 1);
const crop = 128, B = Number(process.argv[5] ?? 1), labelNc = 150;
const run = resolveRunConfig({ generator: { labelNc, containDontcare: true }, data: { dataset: 'ade20k', root: '.', batchSize: B }, loss: { lambdaVgg: 0 } });
const lr = learningRates(run.optim, 1);
for (const backend of backends) {
  const choice = await initBackend({ backend: backend as never, threads });
  const batch = tf.tidy(() => ({ seg: labelsToSegmap(tf.randomUniform([B, crop, crop], 0, labelNc + 1, 'int32', 1), labelNc + 1), image: tf.randomUniform([B, crop, crop, 3], -1, 1, 'float32', 2) as tf.Tensor4D }));
  const G = new SpadeGenerator({ labelNc, containDontcare: true, normMode: norm as never, ngf: 16, cropSize: crop, initSeed: 1 } as never);
  const D = new MultiscaleDiscriminator({ labelNc, containDontcare: true, ndf: 16, initSeed: 2 });
  const optG = createAdam(run.optim, lr.g), optD = createAdam(run.optim, lr.d);
  const step = () => { const t0 = performance.now(); trainStep({ G, D, optG, optD }, batch, run.loss); return performance.now() - t0; };
  step(); const ts = [step(), step(), step(), step(), step()].sort((a, b) => a - b);
  console.log(backend, choice.threads, norm, 'B', B, 'ms/it', ts[2]!.toFixed(0), 'min', ts[0]!.toFixed(0), 'tensors', tf.memory().numTensors);
  G.dispose(); D.dispose(); optG.dispose(); optD.dispose(); tf.dispose([batch.seg, batch.image]);
}
