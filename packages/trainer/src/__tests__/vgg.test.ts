import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadNpzFile, loadTorchCheckpointFile, type NdArray } from '@clade/core';
import { expectTensorsClose } from '@clade/test-utils';
import { VGG19_CONV_INDICES, loadVgg19Features, vgg19Features, vggLoss, type Vgg19Features } from '../index';

// Golden from scripts/goldens/vgg19_tiny.py (torch, float64): torchvision's vgg19 key layout with
// widths (4, 8, 8, 8, 8), a 2×32×32 batch. See fixtures/vgg19_tiny.json.
const FIX = path.join(__dirname, 'fixtures');
const WIDTHS = [4, 8, 8, 8, 8];
const t = (a: NdArray) => tf.tensor(Float32Array.from(a.data as ArrayLike<number>), a.shape, 'float32');

describe('VGG19 perceptual loss (REFERENCE §10)', () => {
  let vgg: Vgg19Features;
  let golden: Map<string, NdArray>;
  beforeAll(async () => {
    vgg = await loadVgg19Features(path.join(FIX, 'vgg19_tiny.pth'), { widths: WIDTHS });
    golden = await loadNpzFile(path.join(FIX, 'vgg19_tiny.npz'));
  });
  afterAll(() => vgg.dispose());

  it('matches the torch features relu1_1 … relu5_1 and the loss value', () => {
    const meta = JSON.parse(readFileSync(path.join(FIX, 'vgg19_tiny.json'), 'utf8'));
    expect(meta.generatedBy).toBe('packages/trainer/scripts/goldens/vgg19_tiny.py');
    const fake = t(golden.get('fake')!) as tf.Tensor4D;
    const real = t(golden.get('real')!) as tf.Tensor4D;
    const feats = vgg.apply(fake);
    feats.forEach((f, i) => expectTensorsClose(f, t(golden.get(`feat_${i}`)!), 1e-5));
    const loss = vggLoss(vgg, fake, real);
    expect(Math.abs(loss.dataSync()[0]! - Number(golden.get('loss')!.data[0]))).toBeLessThan(1e-6);
    // Real features computed once outside (as the trainer does) give the same value.
    const realFeats = vgg.apply(real);
    expectTensorsClose(vggLoss(vgg, fake, realFeats), loss, 1e-7);
    tf.dispose([fake, real, loss, ...feats, ...realFeats]);
  });

  it('gradient: d/dfake matches torch; the real image gets none (its features are constants)', () => {
    const fake = t(golden.get('fake')!) as tf.Tensor4D;
    const real = t(golden.get('real')!) as tf.Tensor4D;
    const [gFake, gReal] = tf.grads((f: tf.Tensor, r: tf.Tensor) => vggLoss(vgg, f as tf.Tensor4D, r as tf.Tensor4D))([fake, real]);
    expectTensorsClose(gFake!, t(golden.get('grad_fake')!), 1e-7);
    expect(tf.max(tf.abs(gReal!)).dataSync()[0]).toBe(0);
    tf.dispose([fake, real, gFake!, gReal!]);
  });

  it('leaks nothing', () => {
    const x = tf.randomUniform([1, 16, 16, 3], -1, 1) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    tf.dispose(tf.grads((f: tf.Tensor) => vggLoss(vgg, f as tf.Tensor4D, x))([x]));
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('validates the feature keys strictly and ignores the classifier', async () => {
    const state = await loadTorchCheckpointFile(path.join(FIX, 'vgg19_tiny.pth'));
    expect([...state.keys()].some((k) => k.startsWith('classifier.'))).toBe(true);
    // Real widths against the tiny file: every conv is mis-shaped, and the message says so.
    expect(() => vgg19Features(state)).toThrow(/mis-shaped keys: features\.0\.weight \[4,3,3,3\] \(expected \[64,3,3,3\]\)/);
    const broken = new Map(state);
    broken.delete('features.34.bias');
    broken.delete('features.5.weight');
    broken.set('features.36.weight', state.get('features.0.bias')!);
    expect(() => vgg19Features(broken, { widths: WIDTHS, source: 'my.pth' })).toThrow(
      /my\.pth is not a torchvision vgg19 'features' state dict .*missing keys: features\.5\.weight, features\.34\.bias; unexpected keys: features\.36\.weight/,
    );
    expect(VGG19_CONV_INDICES).toHaveLength(16);
    await expect(loadVgg19Features('/nonexistent/vgg19.pth')).rejects.toThrow(/could not read '\/nonexistent\/vgg19.pth'/);
  });
});
