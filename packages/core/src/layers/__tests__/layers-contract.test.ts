import * as tf from '@tensorflow/tfjs-core';
import { describeLayerContract } from '@clade/test-utils';
import { CLADE, CLADEICPE, SPADE } from '../../index';

// Tiny deterministic inputs: x [2,4,4,3], a one-hot segmap at 8×8 over 3 classes (+ edge).
function segmap(classes: number, edge: boolean): tf.Tensor4D {
  return tf.tidy(() => {
    const ids = tf.tensor2d(Array.from({ length: 64 }, (_, i) => (i * 7 + (i >> 3)) % classes), [8, 8], 'int32');
    const oneHot = tf.cast(tf.oneHot(ids, classes), 'float32');
    const withEdge = edge ? tf.concat([oneHot, tf.cast(tf.greater(tf.randomUniform([8, 8, 1], 0, 1, 'float32', 3), 0.7), 'float32')], 2) : oneHot;
    return tf.stack([withEdge, tf.reverse(withEdge, 0)]) as tf.Tensor4D;
  });
}
const x = () => tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 1);
const dist = () => tf.randomUniform([2, 8, 8, 2], -1, 1, 'float32', 2);
const bn = ['param_free_norm/running_mean', 'param_free_norm/running_var'];

describeLayerContract('SPADE', {
  make: () => new SPADE({ semanticNc: 4, hiddenNc: 5, name: 'norm_0' }),
  inputs: () => [x(), segmap(3, true)],
  outputShape: [2, 4, 4, 3],
  weightNames: ['mlp_shared/0/weight', 'mlp_shared/0/bias', 'mlp_gamma/weight', 'mlp_gamma/bias', 'mlp_beta/weight', 'mlp_beta/bias', ...bn],
  trainable: 6,
});

describeLayerContract('CLADE (instance norm, no edge)', {
  make: () => new CLADE({ numClasses: 3, paramFreeNorm: 'instance', name: 'norm_1' }),
  inputs: () => [x(), segmap(3, false)],
  outputShape: [2, 4, 4, 3],
  weightNames: ['class_specified_affine/weight', 'class_specified_affine/bias'],
  trainable: 2,
});

describeLayerContract('CLADE (batch norm, edge channel)', {
  make: () => new CLADE({ numClasses: 3, useInstance: true, name: 'norm_s' }),
  inputs: () => [x(), segmap(3, true)],
  outputShape: [2, 4, 4, 4],
  weightNames: ['class_specified_affine/weight', 'class_specified_affine/bias', 'inst_conv/weight', 'inst_conv/bias', ...bn],
  trainable: 4,
});

describeLayerContract('CLADEICPE', {
  make: () => new CLADEICPE({ numClasses: 3, useInstance: true, name: 'norm_0' }),
  inputs: () => [x(), segmap(3, true), dist()],
  outputShape: [2, 4, 4, 4],
  weightNames: [
    'class_specified_affine/weight',
    'class_specified_affine/bias',
    'class_specified_affine/dist_conv_w/weight',
    'class_specified_affine/dist_conv_w/bias',
    'class_specified_affine/dist_conv_b/weight',
    'class_specified_affine/dist_conv_b/bias',
    'inst_conv/weight',
    'inst_conv/bias',
    ...bn,
  ],
  trainable: 8,
});
