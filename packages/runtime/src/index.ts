// The browser-safe entry: no Node modules. File IO is in '@clade/runtime/node'.
export { quantizeImage, quantizeOutput } from './quantize';
export { CLADE_JSON, CLADE_JSON_FORMAT, onnxExportable, parseCladeJson, type CladeModelJson, type LoadedGenerator } from './model-folder/clade-json';
export { decodeFloatWeights, quantizeFloat16, toFloat16Bits } from './model-folder/float16';
export { ENCODER_DIR, ENCODER_JSON, ENCODER_JSON_FORMAT, type EncoderModelJson, type LoadedEncoder } from './model-folder/encoder-json';
export { Synthesizer, tfjsSynthesizer } from './synthesis/synthesizer';
export { tfjsEngine, tfjsFeeds, type GeneratorEngine } from './synthesis/engine';
export { prepareRequest, generatorSpec } from './synthesis/prepare';
export { testPreprocess, modelInputSize } from './synthesis/test-geometry';
export type { GeneratorSpec, SynthesisRequest, PreparedInput, SynthesizedImage, RawImage, ImageSynthesizer } from './synthesis/request';
export { SeanSynthesizer, type SeanRequest, type SeanStyle, type SeanStyleEdit, type SeanPreparedInput, type SeanPreparedStyle } from './synthesis/sean';
export { GroupDNetSynthesizer, type GroupDNetRequest, type GroupDNetPreparedInput } from './synthesis/groupdnet';
export { inferGeneratorConfig, type KnownGeneratorFields, type OfficialStateShapes } from './official/infer-config';
export { checkStateFits, officialStateShapesOf, torchShapeOf } from './official/state-fits';
export { officialGeneratorFromState, type OfficialGeneratorOptions } from './official/generator';
