// @clade/metrics: reproducible evaluation for semantic image synthesis.
export { eigh, eigvalsh, type SymmetricEigen } from './linalg/eigh';
export { pivotedCholesky, eigenSqrtFactor, congruence, factorCongruence, type PsdFactor } from './linalg/factor';
export { GaussianAccumulator, checkStats, type GaussianMoments, type GaussianStats } from './stats/gaussian';
export {
  frechetDistance,
  FRECHET_METHODS,
  type FrechetMethod,
  type FrechetOptions,
  type FrechetResult,
} from './stats/frechet';
export { FeatureBuffer, checkFeatures, type FeatureMatrix } from './stats/features';
export {
  kernelInceptionDistance,
  kidFromSubsets,
  kidSubsets,
  mmd2Unbiased,
  type KidOptions,
  type KidResult,
  type KidSubset,
} from './stats/kid';
export { saveStats, loadStats, statsToNpz, statsFromNpz } from './stats/stats-file';
export { resizeBilinearPil } from '@clade/data';
export {
  ConfusionMatrix,
  MIOU_AVERAGING,
  type MiouAveraging,
  type LabelPlane,
  type SegmentationScores,
} from './seg/confusion';
export {
  DEEPLABV3_MNV2_ADE20K,
  SEGMENTERS,
  checkDescriptor,
  type SegmenterDescriptor,
} from './seg/descriptor';
export {
  OnnxSegmenter,
  sha256Hex,
  type LoadSegmenterOptions,
  type SegmenterInput,
} from './seg/segmenter';
export {
  evaluateSegmentation,
  type EvaluateSegmentationOptions,
  mapGroundTruth,
  type PerImageScore,
  type SegmentationEvaluation,
} from './seg/evaluate';
export { listImages, pairByStem, IMAGE_EXTENSIONS, type ImageLabelPair } from './files';
export { MODEL_LOAD_TIMEOUT_MS } from './onnx/node';
export {
  FID_INCEPTION_CONVS,
  BN_EPSILON,
  fidInceptionStateShapes,
  type ConvSpec,
} from './inception/architecture';
export {
  FidInceptionV3,
  INCEPTION_DIMS,
  FID_WEIGHTS_FILE,
  FID_WEIGHTS_URL,
  FID_WEIGHTS_SHA256_PREFIX,
  type InceptionDims,
  type FidInceptionOptions,
} from './inception/fid-inception';
export {
  EVAL_PRESETS,
  EVAL_DATASETS,
  CITYSCAPES_LABEL_TO_TRAIN_ID,
  evalPreset,
  type EvalPreset,
} from './protocol/presets';
export { METRICS_VERSION, softwareVersions } from './protocol/versions';
export {
  KID_KERNEL,
  PYTORCH_FID_INPUT,
  PYTORCH_FID_NETWORK,
  PYTORCH_FID_STATISTICS,
  UNOFFICIAL_WEIGHTS_WARNING,
  baseProtocol,
  describeFrechet,
  describeLabelConvention,
  describeReferenceSplit,
  describeSegmenter,
  featureProtocol,
  formatProtocol,
  saveJson,
  type EvalProtocol,
  type FeatureProtocol,
  type FidProtocol,
  type KidProtocol,
  type SegmentationProtocol,
} from './protocol/protocol';
export { imageFeatures, type ImageFeatureOptions, type ImageFeatures } from './pipeline/features';
export { defaultModelsDir, defaultModelPath } from './models-dir';
export type { RunStage, StageProgress } from './runs/progress';
export { loadReferenceStats, saveReferenceStats, type ReferenceStats, type StatsRecord } from './runs/reference-stats';
export { evaluateFidKid, type FidKidConfig, type FidKidEvaluation, type ImageFolder } from './runs/fid-kid-run';
export { evaluateMiou, type MiouConfig, type MiouEvaluation } from './runs/miou-run';
export { evaluateMetrics, type MetricsConfig, type MetricsReport } from './runs/metrics-run';
export {
  SHARD_FORMAT,
  SHARD_FORMAT_VERSION,
  loadShardStatistics,
  saveShardStatistics,
  shardFromArrays,
  shardToArrays,
  type ShardKid,
  type ShardMeta,
  type ShardReal,
  type ShardSet,
  type ShardStatistics,
} from './shards/shard-file';
export { evaluateShard, listDigest, type ShardConfig } from './shards/shard-run';
export { checkShards, loadShards, mergeShards, type MergeOptions, type MergedEvaluation, type ShardInput } from './shards/merge';
