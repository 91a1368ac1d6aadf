export { GAN_MODES, ganLoss, featureMatchingLoss, kldLoss, type GanMode } from './losses';
export {
  resolveRunConfig,
  MODEL_FAMILIES,
  learningRates,
  adamBetas,
  createAdam,
  type RunConfig,
  type RunConfigInput,
  type ModelFamily,
  type ModelSection,
  type GroupDNetEncoderConfig,
  type DataConfig,
  type LossConfig,
  type OptimConfig,
  type ScheduleConfig,
} from './run-config';
export {
  saveCheckpoint, loadCheckpoint, readCheckpointState, initFromCheckpoint, initFromModelFolder, type TrainingState,
  type Checkpointable, type CheckpointInit,
} from './checkpoint';
export { trainStep, type StepLosses, type StepModels } from './step';
export {
  buildTrainable,
  spadeTrainable,
  seanTrainable,
  groupdnetTrainable,
  groupdnetEncoderInput,
  type TrainableGenerator,
  type SampleSpec,
  type StepBatch,
} from './trainable';
export { train, type TrainOptions, type TrainResult } from './train';
export { reconstructionL1 } from './reconstruction';
export { EVAL_METRICS, isBetter, type BestScore, type EvalConfig, type EvalMetric } from './eval-config';
export { createEvaluator, type Evaluator, type HeldOutImage } from './evaluation';
export {
  VGG19_WIDTHS,
  VGG19_CONV_INDICES,
  VGG_LAYER_WEIGHTS,
  Vgg19Features,
  vgg19Features,
  loadVgg19Features,
  vggLoss,
  type Vgg19FeaturesOptions,
} from './vgg';
export { imageGrid, saveImageGrid, type ImageGridInputs, type RgbGrid } from './image-grid';
