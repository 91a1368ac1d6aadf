import { encodeModel } from '@clade/onnx';
import type { SegmenterDescriptor } from '../../index';

/** Pure colours whose strongest channel is class 0, 1 and 2 of `rgbSegmenter`. */
export const CLASS_COLOURS = [
  [255, 0, 0],
  [0, 255, 0],
  [0, 0, 255],
] as const;

/**
 * A 3-class segmenter whose logits are the pixel's R, G, B values (an ONNX Identity at the input
 * size, no normalisation): each pixel's class is its strongest channel, so scores are known exactly.
 */
export function rgbSegmenter(width: number, height: number): { descriptor: SegmenterDescriptor; model: Uint8Array } {
  const dims = [1, 3, height, width];
  const model = encodeModel({
    graph: {
      name: 'rgb_argmax',
      nodes: [{ opType: 'Identity', inputs: ['image'], outputs: ['logits'], name: 'identity' }],
      initializers: [],
      inputs: [{ name: 'image', elemType: 'FLOAT', dims }],
      outputs: [{ name: 'logits', elemType: 'FLOAT', dims }],
    },
  });
  const descriptor: SegmenterDescriptor = {
    name: 'rgb_argmax',
    fileName: 'rgb_argmax.onnx',
    inputName: 'image',
    outputName: 'logits',
    outputKind: 'logits',
    layout: 'NCHW',
    inputWidth: width,
    inputHeight: height,
    resize: 'stretch',
    padValue: 0,
    mean: [0, 0, 0],
    std: [1, 1, 1],
    channelOrder: 'RGB',
    outputResize: 'nearest-pil',
    numClasses: 3,
    ignoreIndex: 255,
  };
  return { descriptor, model };
}

/** An RGB image painting each pixel the colour of its class in `classes`. */
export function paint(classes: readonly number[]): Uint8Array {
  return Uint8Array.from(classes.flatMap((c) => [...CLASS_COLOURS[c]!]));
}
