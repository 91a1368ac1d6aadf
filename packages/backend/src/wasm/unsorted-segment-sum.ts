/**
 * UnsortedSegmentSum for the wasm backend (missing in tfjs 4.22, so `tf.gather` has no
 * gradient there). A JS scatter-add over the wasm heap: out[ids[i]] += x[i], rows of
 * size(x) / size(ids). Ids outside [0, numSegments) are dropped, as in TensorFlow.
 * A [256·256] index map into a [200, 1024] table is ~67 M adds (~0.1 s).
 */
import { util } from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { Scratch, type WasmBackendLike } from './kernel-utils';

export const unsortedSegmentSum: KernelFunc = ({ inputs, attrs, backend }) => {
  const x = inputs['x'] as TensorInfo;
  const ids = inputs['segmentIds'] as TensorInfo;
  const numSegments = (attrs as { numSegments: number }).numSegments;
  const scratch = new Scratch(backend as WasmBackendLike);
  try {
    const innerShape = x.shape.slice(ids.shape.length);
    const inner = util.sizeFromShape(innerShape);
    const rows = util.sizeFromShape(ids.shape);
    const out = scratch.alloc([numSegments, ...innerShape], x.dtype);
    const dst = scratch.backend.typedArrayFromHeap(out);
    const src = scratch.backend.typedArrayFromHeap(x);
    const seg = scratch.backend.typedArrayFromHeap(ids);
    dst.fill(0);
    for (let i = 0; i < rows; i++) {
      const s = seg[i]!;
      if (s < 0 || s >= numSegments) continue;
      const d = s * inner;
      const o = i * inner;
      for (let j = 0; j < inner; j++) dst[d + j]! += src[o + j]!;
    }
    return scratch.keep(out);
  } finally {
    scratch.dispose();
  }
};
