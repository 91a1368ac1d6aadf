// The Node entry: model folders on the file system (and everything of the browser entry).
export * from './index';
export { MODEL_JSON, WEIGHTS_BIN, fileSystemLoadHandler, fileSystemSaveHandler, readJsonFile } from './model-folder/file-io';
export { loadGeneratorDir, readCladeJson, saveGeneratorDir } from './model-folder/generator-dir';
export { encoderDirOf, loadEncoderDir, saveEncoderDir } from './model-folder/encoder-dir';
export { ortEngine, ortSynthesizer } from './synthesis/ort-engine';
export {
  OrtGroupDNetSynthesizer,
  ortGroupDNetSynthesizer,
  OrtSeanSynthesizer,
  ortSeanSynthesizer,
  type OrtFamilyOptions,
} from './synthesis/ort-family';
export { loadOfficialGenerator, readOfficialCheckpoint, type LoadOfficialOptions, type OfficialCheckpoint } from './official/load-official';
export { outputName, planSynthesisFolder, type FolderItem, type FolderLayout, type FolderPlan } from './batch/folder-plan';
export { synthesizeFolder, type FolderFailure, type FolderProgress, type FolderSummary, type SynthesizeFolderOptions } from './batch/synthesize-folder';
