// ONNX export parity: upsampling modes, mixed norms, instance norm, VAE, other input sizes (see helpers/parity.ts).
import { describeOnnxParity, type ParityCase } from './helpers/parity';

const CASES: ParityCase[] = [
  {
    tag: 'mixed per block, more upsampling, instance norm',
    config: {
      normPerBlock: ['spade', 'clade', 'cladeIcpe', 'spade', 'clade', 'cladeIcpe', 'clade'],
      numUpsamplingLayers: 'more',
      paramFreeNorm: 'instance',
    },
  },
  {
    tag: 'clade, most upsampling, label map 96×96',
    config: { normMode: 'clade', numUpsamplingLayers: 'most', cropSize: 128, useInstance: true },
    inputSize: [96, 96],
  },
  {
    tag: 'clade-icpe, VAE, aspect 2, no spectral norm',
    config: { normMode: 'cladeIcpe', useVae: true, zDim: 16, aspectRatio: 2, spectral: false },
  },
];

describeOnnxParity(CASES);
