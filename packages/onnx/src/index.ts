export { ProtoWriter, ProtoReader } from './proto';
export {
  encodeModel,
  GraphBuilder,
  floatTensor,
  int32Tensor,
  int64Tensor,
  DataType,
  IR_VERSION,
  OPSET,
  CLADE_ONNX_DOMAIN,
  type ModelData,
  type GraphData,
  type NodeData,
  type TensorData,
  type ValueInfo,
  type AttributeValue,
  type Dim,
  type DataTypeName,
} from './onnx';
export {
  exportLayersModelToOnnx,
  registerOnnxConverter,
  onnxConvertibleLayers,
  nearestIndices,
  ExportContext,
  BATCH_DIM,
  type LayerConverter,
  type Value,
  type TensorValue,
  type SemanticValue,
  type SemanticSource,
  type InputSpec,
  type ExportLayersModelOptions,
} from './convert';
export { builtinConverters, spadeModulation, type SpadeConvs } from './converters';
export { groupdnetConverters } from './converters-groupdnet';
export { seanConverters } from './converters-sean';
export {
  exportGroupDNetToOnnx,
  groupdnetIo,
  groupdnetFeeds,
  exportSeanToOnnx,
  seanIo,
  seanFeeds,
  OrtImageGenerator,
  type ExportableGroupDNet,
  type GroupDNetIo,
  type GroupDNetFeeds,
  type ExportableSean,
  type SeanIo,
  type SeanFeeds,
  type ImageFeed,
} from './family';
export {
  exportGeneratorToOnnx,
  generatorIo,
  type ExportableGenerator,
  type ExportGeneratorOptions,
  type GeneratorIo,
} from './generator';
export {
  OrtGenerator,
  transposeNhwc,
  type OrtGeneratorOptions,
  type OrtGeneratorFeeds,
  type OrtImage,
  type ImageLayout,
  type TfGeneratorInputs,
} from './runner';
export {
  loadOrt,
  createSession,
  MODEL_LOAD_TIMEOUT_MS,
  type OrtSessionOptions,
  type OrtSession,
  type OrtEngine,
  type GeneratorSession,
  type SessionFeed,
} from './ort';
export { loadNativeOrt, nativeOrtAvailability, NativeOrtSession } from './native';
