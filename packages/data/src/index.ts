export {
  type LabelData,
  type LabelMap,
  type RgbImage,
  type PositionalMap,
  type Rect,
} from './planes';
export { pilNearestIndices, resizeNearestPil } from './resize/pil-nearest';
export { floorNearestIndices } from './resize/floor-nearest';
export {
  PIL_BICUBIC,
  PIL_BILINEAR,
  pilResampleCoeffs,
  bicubicCoeffs,
  resizePil8,
  resizeBicubicPil8,
  resizeBicubicPil,
  resizeBilinearPil,
  type PilFilter,
  type ResampleCoeffs,
} from './resize/pil-resample';
export { instanceEdges } from './edges';
export { connectedComponents8, type Components } from './icpe/connected-components';
export { positionalMap, type PositionalMapOptions } from './icpe/positional-map';
export { transformPositionalMap, type TransformPositionalMapOptions } from './icpe/transform-map';
export {
  loadPositionalMapNpy,
  savePositionalMapNpy,
  positionalMapPath,
  cachedPositionalMaps,
  writePositionalMaps,
  isUpToDate,
  type ColorLabelOptions,
  type PositionalCacheOptions,
  type PositionalMapStatus,
  type PositionalMapsSummary,
  type WritePositionalMapsOptions,
} from './icpe/cache';
export { cropPlane, flipPlaneLR, flipPlaneUD } from './plane-ops';
export { seededRng, type Rng } from './rng';
export {
  PREPROCESS_MODES,
  EVAL_PARAMS,
  planTransform,
  plannedSize,
  sampleTransformParams,
  roundHalfEven,
  type PreprocessMode,
  type PreprocessConfig,
  type TransformParams,
  type TransformStep,
} from './geometry';
export { transformLabelMap, transformImage } from './transform';
export {
  numClassChannels,
  UNKNOWN_RAW_VALUE,
  type LabelSpec,
} from './labels/label-spec';
export { mapLabelValues, checkLabelValues, outOfRangeValues, labelHistogram } from './labels/map-label-values';
export { decodeLabelPng, loadLabelPng } from './decode/label-png';
export {
  decodeColorLabel,
  encodeColorLabel,
  loadColorLabel,
  loadLabel,
  type ColorMatch,
  type ColorLabelMap,
  type DecodeColorLabelOptions,
  type LoadColorLabelOptions,
  type LoadLabelOptions,
} from './decode/color-label';
export {
  ADE20K_PALETTE,
  CITYSCAPES_PALETTE,
  CITYSCAPES_LABELS,
  COLOR_PALETTES,
  colorPalette,
  spadeLabelColormap,
  type ColorPalette,
  type CityscapesLabel,
} from './labels/palettes';
export { ADE20K_CLASS_NAMES } from './labels/class-names';
export { decodeImage, loadImage } from './decode/image';
export {
  readImageHeader,
  sniffImageFormat,
  type ImageFormat,
  type ImageHeader,
  type PngHeader,
  type JpegHeader,
} from './decode/image-header';
export { MAX_IMAGE_PIXELS, checkPixelLimit, type ImageLimitOptions } from './decode/image-limits';
export {
  type SamplePair,
  type SkippedSample,
  type DatasetListing,
  type PairingOptions,
} from './datasets/pairs';
export { listAde20k, type Ade20kListOptions } from './datasets/ade20k';
export { listCocoStuff, type CocoStuffListOptions } from './datasets/coco-stuff';
export { listCityscapes, cityscapesKey, type CityscapesListOptions } from './datasets/cityscapes';
export { listCelebAMaskHq, type CelebAMaskHqListOptions } from './datasets/celebamask-hq';
export { listDeepFashion, type DeepFashionListOptions } from './datasets/deepfashion';
export { listCustom, type CustomLayout } from './datasets/custom';
export {
  DATASET_NAMES,
  DATASETS,
  datasetInfo,
  listDataset,
  type DatasetName,
  type DatasetInfo,
  type ListDatasetOptions,
} from './datasets/registry';
export {
  inspectDataset,
  classNamesOf,
  type DatasetReport,
  type DatasetProblem,
  type DatasetProblemKind,
  type ClassShare,
  type SizeCount,
  type InspectDatasetOptions,
} from './datasets/inspect';
export {
  DATASET_PHASES,
  listDatasetSplits,
  type DatasetSplit,
  type ListSplitsOptions,
} from './datasets/splits';
export { imageToFloat } from './loader/image-to-float';
export {
  prepareSample,
  prepareDecoded,
  interleavePositionalMap,
  type DecodedSample,
  type PrepareDecodedOptions,
  type PrepareSampleOptions,
  type PreparedSample,
} from './loader/prepare-sample';
export { collate, disposeBatch, type Batch } from './loader/collate';
export { iterateBatches, type BatchOptions } from './loader/batches';
export { SYNTH_CLASSES, SYNTH_CLASS_NAMES, type SynthClassName } from './synth/classes';
export { SCENE_KINDS, type SceneKind } from './synth/compose';
export type { Lighting } from './synth/context';
export { synthScene, SYNTH_VERSION, type SynthScene, type SynthSceneOptions } from './synth/scene';
export {
  writeSynthDataset,
  synthSampleSeed,
  synthSampleId,
  encodeLabelPng,
  encodeRgbPng,
  type WriteSynthDatasetOptions,
  type SynthDatasetSummary,
  type SynthSampleInfo,
  type SynthSplit,
} from './synth/write';
export { parseShard, formatShard, shardItems, shardRange, WHOLE, type Shard } from './shards/shard';
