import { pairByStem } from '../files';
import { defaultModelPath } from '../models-dir';
import type { EvalPreset } from '../protocol/presets';
import { describeLabelConvention, describeSegmenter, type SegmentationProtocol } from '../protocol/protocol';
import type { SegmenterDescriptor } from '../seg/descriptor';
import { evaluateSegmentation, type SegmentationEvaluation } from '../seg/evaluate';
import { OnnxSegmenter } from '../seg/segmenter';
import type { StageProgress } from './progress';

export interface MiouConfig {
  /** Generated images (a folder), paired with `labels` by file stem. */
  images: string;
  /** The label maps (a folder of PNGs) the images were generated from. */
  labels: string;
  /** How the segmenter runs and what its ids mean. */
  segmenter: SegmenterDescriptor;
  /** Its ONNX file. Default: the descriptor's fileName in the models folder. */
  segmenterFile?: string;
  /** onnxruntime intra-op threads. Default: onnxruntime's choice. */
  threads?: number;
  /** The dataset's conventions, recorded in the protocol. */
  preset?: EvalPreset | null;
  progress?: StageProgress;
}

export interface MiouEvaluation extends SegmentationEvaluation {
  protocol: SegmentationProtocol;
}

/**
 * Segmentation scores of generated images against the label maps they came from (mIoU over one
 * confusion matrix of the whole set, pixel accuracy, per class), with the protocol that produced
 * them. The segmenter's session is released before returning.
 */
export async function evaluateMiou(config: MiouConfig): Promise<MiouEvaluation> {
  const { images, labels, segmenter: descriptor } = config;
  const file = config.segmenterFile ?? defaultModelPath(descriptor.fileName);
  const pairs = await pairByStem(images, labels);
  const segmenter = await OnnxSegmenter.load(descriptor, file, { threads: config.threads });
  try {
    const progress = config.progress?.('segmenter');
    const evaluation = await evaluateSegmentation(segmenter, pairs, { onImage: progress && (({ done, total }) => progress(done, total)) });
    return {
      ...evaluation,
      protocol: {
        ...describeSegmenter(descriptor),
        file,
        sha256: segmenter.sha256,
        labelConvention: describeLabelConvention(descriptor, config.preset ?? null),
        images: { path: images, count: pairs.length },
        labels,
      },
    };
  } finally {
    await segmenter.dispose();
  }
}
