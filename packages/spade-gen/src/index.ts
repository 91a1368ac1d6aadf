export {
  NORM_MODES,
  UPSAMPLING_MODES,
  GENERATOR_DEFAULTS,
  DEFAULT_MAX_CROP_SIZE,
  resolveGeneratorConfig,
  numClassesOf,
  semanticNcOf,
  startSizeOf,
  blockNamesOf,
  blockNormsOf,
  numUpOf,
  type GeneratorConfig,
  type NormMode,
  type Upsampling,
} from './config';
export { OfficialNetwork } from './network';
export { NamedActivations, imageHead, type GeneratorGraph } from './generator-graph';
export { SpadeGenerator, ACTIVATION_NAMES, type GeneratorInputs } from './generator';
export { generatorPlan, type GeneratorPlan, type BlockPlan } from './plan';
export { generatorCost, type GeneratorCost, type Split } from './cost';
export {
  PRESET_NAMES,
  PRESETS,
  presetInfo,
  presetGeneratorConfig,
  presetLabelSpec,
  paperFigureOf,
  spadeLightConfig,
  spadeLightFigureOf,
  type SpadeLightPreset,
  type PresetName,
  type GeneratorPreset,
  type PresetLabelSpec,
  type PaperFigure,
} from './presets';
export {
  MultiscaleDiscriminator,
  DISCRIMINATOR_DEFAULTS,
  D_KERNEL,
  D_PADDING,
  resolveDiscriminatorConfig,
  discriminatorPlan,
  discriminatorShapes,
  discriminatorCost,
  type DiscriminatorConfig,
  type DiscriminatorLayerPlan,
  type DiscriminatorInputs,
  type DiscriminatorFeatures,
  type DiscriminatorCost,
} from './discriminator';
export {
  ConvEncoder,
  ENCODER_DEFAULTS,
  ENCODER_INPUT_SIZE,
  resolveEncoderConfig,
  encoderWidths,
  encoderFinalSize,
  encoderCost,
  reparameterize,
  type EncoderConfig,
  type EncoderOutput,
} from './encoder';
