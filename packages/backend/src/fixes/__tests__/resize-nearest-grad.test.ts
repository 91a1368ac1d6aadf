// The gradient of tf.image.resizeNearestNeighbor: the stock cpu kernel is wrong for batch > 1,
// ours is the exact adjoint of each backend's forward kernel.
import * as tf from '@tensorflow/tfjs-core';
import { expectClose, rand, setUpWasm, valuesOn } from '../../__tests__/helpers';
import { isPatched, stockKernel } from '../../patch';
import {
  RESIZE_NEAREST_GRAD,
  registerResizeNearestGradFix,
  unregisterResizeNearestGradFix,
} from '../resize-nearest-grad';

beforeAll(async () => {
  await setUpWasm(); // registers the fix on cpu and wasm
});

/** ×2 nearest upsampling of [2,2,2,1] with dy = 0..31: dx[b,i,j] sums dy[b, 2i..2i+1, 2j..2j+1]. */
const EXPECTED_X2 = [10, 18, 42, 50, 74, 82, 106, 114];

function x2Grad(): tf.Tensor {
  const x = tf.zeros([2, 2, 2, 1]) as tf.Tensor4D;
  const dy = tf.reshape(tf.range(0, 32), [2, 4, 4, 1]);
  return tf.grad((t) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(t as tf.Tensor4D, [4, 4]), dy)))(x);
}

describe('stock tfjs-backend-cpu 4.22 ResizeNearestNeighborGrad', () => {
  it('is wrong for batch > 1 (reads dy at the image batch stride)', async () => {
    const stock = stockKernel(RESIZE_NEAREST_GRAD, 'cpu')!;
    expect(stock).toBeDefined();
    const [got] = await valuesOn('cpu', () =>
      tf.tidy(() => {
        const images = tf.zeros([2, 2, 2, 1]);
        const dy = tf.reshape(tf.range(0, 32), [2, 4, 4, 1]);
        const backend = tf.backend();
        const info = stock.kernelFunc({
          inputs: { images, dy },
          attrs: { alignCorners: false, halfPixelCenters: false },
          backend,
        }) as tf.TensorInfo;
        return tf.engine().makeTensorFromTensorInfo(info);
      }),
    );
    // Image 0 is right; image 1 reads dy rows 1..2 of image 0 instead of its own
    // ([26, 34, 58, 66] instead of [74, 82, 106, 114]).
    expect(Array.from(got!).slice(0, 4)).toEqual(EXPECTED_X2.slice(0, 4));
    expect(Array.from(got!).slice(4)).toEqual([26, 34, 58, 66]);
  });

  it('is what tf.grad uses when our fix is not registered', async () => {
    unregisterResizeNearestGradFix(['cpu']);
    try {
      expect(isPatched(RESIZE_NEAREST_GRAD, 'cpu')).toBe(false);
      const [got] = await valuesOn('cpu', x2Grad);
      expect(Array.from(got!)).not.toEqual(EXPECTED_X2);
    } finally {
      registerResizeNearestGradFix(['cpu']);
    }
  });
});

describe('our ResizeNearestNeighborGrad', () => {
  it.each(['cpu', 'wasm'])('gives the right ×2 upsampling gradient for batch 2 on %s', async (backend) => {
    expect(isPatched(RESIZE_NEAREST_GRAD, backend)).toBe(true);
    const [got] = await valuesOn(backend, x2Grad);
    expect(Array.from(got!)).toEqual(EXPECTED_X2);
  });

  it.each(['cpu', 'wasm'])('maps output j to input floor(j·in/out) for ×2, ×3 and 3→7 on %s', async (backend) => {
    for (const [inH, outH] of [[4, 8], [3, 9], [3, 7], [5, 13]] as const) {
      const [rows] = await valuesOn(backend, () =>
        tf.image.resizeNearestNeighbor(tf.reshape(tf.range(0, inH), [1, inH, 1, 1]) as tf.Tensor4D, [outH, 1]),
      );
      expect(Array.from(rows!)).toEqual(Array.from({ length: outH }, (_, j) => Math.floor((j * inH) / outH)));
    }
  });

  // <resize(x), dy> = <x, grad(dy)> for random x, dy: the gradient is the forward's adjoint.
  const CASES: Array<[string, [number, number, number, number], [number, number], boolean, boolean]> = [
    ['×2, batch 3, 2 channels', [3, 4, 5, 2], [8, 10], false, false],
    ['odd up, non-square', [2, 3, 5, 3], [7, 11], false, false],
    ['down-sampling', [2, 9, 8, 1], [4, 3], false, false],
    ['2 → 41 rows (cpu and wasm round differently here)', [2, 2, 3, 1], [41, 5], false, true],
    ['alignCorners', [2, 4, 3, 2], [7, 8], true, false],
    ['halfPixelCenters', [2, 5, 4, 2], [9, 6], false, true],
  ];
  describe.each(['cpu', 'wasm'])('is the adjoint of the %s forward', (backend) => {
    it.each(CASES)('%s', async (_name, xShape, size, alignCorners, halfPixelCenters) => {
      const [lhs, rhs] = await valuesOn(backend, () => {
        const x = tf.tensor(rand(xShape, 1), xShape);
        const dyShape = [xShape[0]!, size[0], size[1], xShape[3]!];
        const dy = tf.tensor(rand(dyShape, 2), dyShape);
        const f = (t: tf.Tensor) =>
          tf.image.resizeNearestNeighbor(t as tf.Tensor4D, size, alignCorners, halfPixelCenters);
        const g = tf.grad((t) => tf.sum(tf.mul(f(t), dy)))(x);
        return [tf.sum(tf.mul(f(x), dy)), tf.sum(tf.mul(x, g))];
      });
      expectClose(rhs!, lhs!, 1e-5, 'adjoint');
    });
  });
});
