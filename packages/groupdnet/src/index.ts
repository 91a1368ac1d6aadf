export {
  GROUPDNET_ARCHS,
  GROUPDNET_NORMS,
  GROUPDNET_UPSAMPLING,
  GROUPDNET_DEFAULTS,
  LATENT_PER_CLASS,
  resolveGroupDNetConfig,
  defaultGroupSchedule,
  groupScheduleOf,
  semanticNcOf,
  segmapNcOf,
  numClassesOf,
  startSizeOf,
  blockNamesOf,
  type GroupDNetConfig,
  type GroupDNetArch,
  type GroupDNetNorm,
  type GroupDNetUpsampling,
  type ConfigInput,
} from './config';
export { groupdnetPlan, type GroupDNetPlan, type GroupBlockPlan, type GroupSpadePlan } from './plan';
export { groupdnetCost, type GroupDNetCost, type Split } from './cost';
export { GroupSPADE, GroupDNetSegLayout, SEG_LAYOUTS, registerGroupDNetLayers, type GroupSPADEArgs, type SegLayoutArgs, type SegLayout } from './group-spade';
export { GroupDNetGenerator, type GroupDNetInputs } from './generator';
export {
  GroupDNetEncoder,
  ENCODER_NDF,
  encoderInputSize,
  encoderWidths,
  encoderOutputSize,
  classCrops,
  groupdnetEncoderCost,
  type EncoderOptions,
} from './encoder';
export { sampleLatent, resampleClass, classLatent, latentFromNCHW, type LatentShape } from './latent';
export {
  GROUPDNET_PRESET_NAMES,
  GROUPDNET_PRESETS,
  GROUPDNET_MODELS,
  groupdnetPresetInfo,
  groupdnetPresetConfig,
  createGroupDNet,
  groupdnetProfile,
  synthesize,
  type GroupDNetPresetName,
  type GroupDNetPreset,
  type GroupDNetModel,
  type GroupDNetPaperFigure,
  type GroupDNetProfile,
  type SynthesizeOptions,
} from './presets';
