import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { nhwcInput } from './semantic-norm';
import { TorchConv2D, type TorchConv2DArgs } from './torch-conv2d';

export interface SpectralConv2DArgs extends TorchConv2DArgs {
  /** Apply spectral normalization (weight_orig/σ). Default true. */
  spectral?: boolean;
}

/**
 * Conv2D with PyTorch semantics (symmetric explicit padding) and optional spectral norm, NHWC.
 * Spectral: weights `weight_orig` [kh,kw,I,O], `bias`, buffers `weight_u` [O], `weight_v` [I·kh·kw]
 * (official layouts); training runs one power iteration per call and stores u, v; eval uses the
 * stored u, v. Without spectral norm the kernel is `weight`.
 */
export class SpectralConv2D extends TorchConv2D {
  /** @nocollapse */
  static className = 'SpectralConv2D';

  constructor(args: SpectralConv2DArgs) {
    super(args, 'SpectralConv2D', true);
  }

  protected filterDepth(inChannels: number): number {
    return inChannels;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean } = {}): tf.Tensor {
    return tf.tidy(() => {
      const x = nhwcInput(inputs, this);
      const p = this.padding;
      const same = this.strides === 1 && this.kernelSize % 2 === 1 && p === (this.kernelSize - 1) / 2;
      const pad = same ? 'same' : p === 0 ? 'valid' : ([[0, 0], [p, p], [p, p], [0, 0]] as tf.backend_util.ExplicitPadding);
      return tf.fused.conv2d({
        x,
        filter: this.effectiveKernel(kwargs.training === true),
        strides: this.strides,
        pad,
        bias: this.bias ? this.bias.read() : undefined,
      });
    });
  }
}
serialization.registerClass(SpectralConv2D);
