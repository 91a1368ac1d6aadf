import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describeWithShared, hasCCompiler } from '@clade/test-utils';
import { train } from '../index';
import { useWasmTraining } from './helpers/wasm-training';
import { P4, compareP4Run, formatP4Comparison, p4FakeDiff, prepareP4Run } from './helpers/p4-parity';

// One official CLADE training iteration (../shared/fixtures/p4_train_step: G step then D step,
// ADE20K-style, ngf 4, 64², hinge + feature matching, TTUR Adam), reproduced by `train()` (what
// `clade train --init-g G_init.pth --init-d D_init.pth` runs) and compared as the fixture's README
// says. On wasm with our training kernels, as the other training tests (cpu takes minutes here).

// The same checks on both compute paths: wasm, and native (where a C compiler built it; the
// backend tests fail where it should have been built and was not).
// eslint-disable-next-line no-console
if (!hasCCompiler()) console.warn('SKIPPED p4 on the native path: no C compiler here, so @clade/ort-native was not built.');
for (const backend of hasCCompiler() ? (['wasm', 'native'] as const) : (['wasm'] as const)) {
  describeWithShared(`one official training iteration (p4_train_step), ${backend}`, [P4], () => {
    useWasmTraining(backend);

    it('the train-mode fake of G_init equals the official one (max abs 1e-4)', async () => {
      const d = await p4FakeDiff();
      // eslint-disable-next-line no-console
      console.log(`p4 fake: max |ours − official| ${d.toExponential(2)}`);
      expect(d).toBeLessThanOrEqual(1e-4);
    });

    it('losses, every tensor of G and D after the step, and the Adam updates match the official iteration', async () => {
      const tmp = mkdtempSync(path.join(tmpdir(), 'clade-p4-'));
      const out = path.join(tmp, 'run');
      const before = tf.memory().numTensors;
      await train({ out, config: prepareP4Run(path.join(tmp, 'data')) });
      expect(tf.memory().numTensors).toBe(before);

      const r = await compareP4Run(out);
      // eslint-disable-next-line no-console
      console.log(`p4 step: ${formatP4Comparison(r)}`);
      expect(r.failures).toEqual([]);
      // Every tensor of both state dicts (num_batches_tracked aside) was compared.
      expect(r.tensors).toEqual({ G: 144, D: 20 });
    });
  });
}
