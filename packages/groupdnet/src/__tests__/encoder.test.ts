import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, torchKeyOf } from '@clade/core';
import { expectNoLeaks } from '@clade/test-utils';
import { GroupDNetEncoder, classCrops, encoderOutputSize, groupdnetEncoderCost, groupdnetPlan, groupdnetPresetConfig, type ConfigInput } from '../index';

describe('classCrops (the encoder input)', () => {
  it('crops each class to its box in the masked image, resizes it, and zeros absent classes', () => {
    // 1 image 4×4, 3 classes: class 0 is the top-left 2×2 block, class 1 the rest, class 2 absent.
    const img = tf.tensor4d(Array.from({ length: 48 }, (_, i) => 0.1 + (i % 7) / 10), [1, 4, 4, 3]);
    const ids = tf.tensor3d([0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], [1, 4, 4], 'int32');
    const seg = tf.cast(tf.oneHot(ids, 3), 'float32') as tf.Tensor4D;
    const crops = classCrops(img, seg, 3, { height: 4, width: 4 });
    expect(crops.shape).toEqual([1, 4, 4, 9]);
    // class 0: the 2×2 block scaled ×2 (nearest): crop pixel (r, c) = image pixel (r>>1, c>>1).
    const c0 = tf.slice(crops, [0, 0, 0, 0], [1, 4, 4, 3]).arraySync() as number[][][][];
    const im = img.arraySync() as number[][][][];
    for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) expect(c0[0]![r]![c]).toEqual(im[0]![r >> 1]![c >> 1]);
    const c2 = tf.slice(crops, [0, 0, 0, 6], [1, 4, 4, 3]);
    expect(tf.max(tf.abs(c2)).dataSync()[0]).toBe(0);
    tf.dispose([img, ids, seg, crops, c2]);
  });
});

describe('GroupDNetEncoder', () => {
  const c: ConfigInput = { arch: 'deepfashion', labelNc: 8, ngf: 8, cropSize: 64, initSeed: 2 };

  it('maps class crops to an 8-channel-per-class mu/logvar with official key names, without leaks', async () => {
    const e = new GroupDNetEncoder(c, { ndf: 16, inputSize: { height: 64, width: 64 } });
    expect(e.countParams()).toBe(groupdnetEncoderCost(c, { ndf: 16, inputSize: { height: 64, width: 64 } }).params);
    const keys = e.model.weights.map((w) => torchKeyOf(w.originalName));
    expect(keys).toEqual(
      expect.arrayContaining([
        'layer1.0.weight_orig', 'layer1.0.weight_u', 'layer5.0.weight_v', 'fc_mu.weight', 'fc_mu.bias', 'fc_var.weight',
      ]),
    );
    expect(keys.some((k) => k.startsWith('layer6') || k === 'layer1.0.bias')).toBe(false); // crop < 256: 5 layers; no conv bias under instance norm
    const crops = tf.randomNormal([1, 64, 64, 24], 0, 1, 'float32', 1) as tf.Tensor4D;
    const { mu, logvar } = e.apply(crops);
    expect(mu.shape).toEqual([1, 2, 2, 64]);
    expect(logvar.shape).toEqual([1, 2, 2, 64]);
    await expectNoLeaks(() => Object.values(e.apply(crops, true)));
    tf.dispose([crops, mu, logvar]);
    e.dispose();
  });

  it('the official encoders give z of the official generators’ size (4×4 DeepFashion, 4×8 Cityscapes)', () => {
    for (const name of ['deepfashion', 'cityscapes']) {
      const cfg = groupdnetPresetConfig(name);
      const plan = groupdnetPlan(cfg);
      const out = encoderOutputSize(cfg);
      expect([out.height, out.width]).toEqual([plan.sh, plan.sw]);
      expect(groupdnetEncoderCost(cfg).params).toBeGreaterThan(0);
    }
    expect(() => new GroupDNetEncoder(c, { ndf: 12 })).toThrow(ConfigError);
    expect(() => new GroupDNetEncoder(c, { ndf: 12 })).toThrow(/ndf must be a positive multiple of the 8 classes \(one group each\), got 12/);
  });
});
