import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { expectTensorsClose } from '@clade/test-utils';
import { CLADE, labelsToSegmap } from '../index';
import { composeClade } from '../../examples/compose-clade';

// The README's promises, checked: its example runs, its excerpts are that example's code, and
// the eval-mode note says what a freshly built layer really computes.

const packageDir = path.join(__dirname, '..', '..');
const EXAMPLE = 'examples/compose-clade.ts';

/** The ```ts blocks of the README placed right after `<!-- excerpt: <file> -->`. */
function readmeExcerpts(readme: string, file: string): string[] {
  const marker = new RegExp(`<!-- excerpt: ${file.replace(/[.]/g, '\\.')} -->\\s*\`\`\`ts\\n([\\s\\S]*?)\`\`\``, 'g');
  return [...readme.matchAll(marker)].map((m) => m[1]!);
}

describe('README example (examples/compose-clade.ts)', () => {
  it('trains a step, saves to a folder, loads with tf.loadLayersModel and predicts the same; frees every tensor', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'compose-clade-'));
    try {
      const before = tf.memory().numTensors;
      const { loss, trained, loaded } = await composeClade(dir);
      expect(tf.memory().numTensors).toBe(before);
      expect(existsSync(path.join(dir, 'model.json')) && existsSync(path.join(dir, 'weights.bin'))).toBe(true);
      expect(Number.isFinite(loss)).toBe(true);
      expect(trained).toHaveLength(2 * 8 * 8 * 3);
      expect(loaded).toEqual(trained); // bit-identical
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the README's code excerpts are copied verbatim from the example", () => {
    const readme = readFileSync(path.join(packageDir, 'README.md'), 'utf8');
    const source = readFileSync(path.join(packageDir, EXAMPLE), 'utf8');
    const excerpts = readmeExcerpts(readme, EXAMPLE);
    expect(excerpts.length).toBeGreaterThan(0);
    for (const e of excerpts) expect(source).toContain(e);
  });
});

describe('README "Eval mode": a freshly built layer', () => {
  // x far from mean 0 / variance 1, so "not normalised" and "normalised" differ clearly.
  const input = () => tf.randomNormal([2, 4, 4, 3], 5, 3, 'float32', 11) as tf.Tensor4D;
  const segOf = () => tf.tidy(() => labelsToSegmap(tf.zeros([2, 4, 4], 'int32'), 2));

  /** A built CLADE whose tables are Γ = 1, B = 0, so its output is x̂ itself. */
  function identityClade(args: Partial<ConstructorParameters<typeof CLADE>[0]>, x: tf.Tensor4D, seg: tf.Tensor4D): CLADE {
    const layer = new CLADE({ numClasses: 2, ...args });
    tf.dispose(layer.apply([x, seg]) as tf.Tensor);
    for (const w of layer.weights) {
      if (w.originalName.endsWith('class_specified_affine/weight')) tf.tidy(() => {
        w.write(tf.onesLike(w.read()));
      });
    }
    return layer;
  }

  it("'syncBatch' (the default) in eval mode divides by √(1 + ε) only: running mean 0, variance 1", () => {
    const [x, seg] = [input(), segOf()];
    const layer = identityClade({}, x, seg);
    tf.tidy(() => {
      const y = layer.apply([x, seg], { training: false }) as tf.Tensor;
      expectTensorsClose(y, tf.div(x, Math.sqrt(1 + 1e-5)), 1e-4);
    });
    layer.dispose();
    tf.dispose([x, seg]);
  });

  it("training mode and 'instance' normalise with the data's own statistics", () => {
    const [x, seg] = [input(), segOf()];
    const batch = identityClade({}, x, seg);
    const instance = identityClade({ paramFreeNorm: 'instance' }, x, seg);
    tf.tidy(() => {
      const inTraining = batch.apply([x, seg], { training: true }) as tf.Tensor;
      expectTensorsClose(tf.mean(inTraining, [0, 1, 2]), tf.zeros([3]), 1e-4);
      const perSample = instance.apply([x, seg], { training: false }) as tf.Tensor;
      expectTensorsClose(tf.mean(perSample, [1, 2]), tf.zeros([2, 3]), 1e-4);
    });
    [batch, instance].forEach((l) => l.dispose());
    tf.dispose([x, seg]);
  });
});
