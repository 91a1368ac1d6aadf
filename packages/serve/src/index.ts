// @clade/serve: `clade serve`, label PNG → image over HTTP. The worker entry is '@clade/serve/worker'.
export { Admission, MovingAverage, retryAfterSeconds } from './admission';
export { buildApp, type AppLogOptions } from './app';
export type { ServeContext } from './context';
export { HttpError, errorBody, statusOf } from './errors';
export { BODY, LABEL_CODINGS, checkLabelHeader, decodeLabelBody, type LabelCoding } from './labels';
export { METRIC_PREFIX, createMetrics, type PoolGauges, type ServeMetrics } from './metrics';
export { modelInfo, presetPalette, readModelInfos, type ModelInfo } from './models';
export {
  BUNDLED_MODEL_DIR,
  DEFAULT_BODY_LIMIT,
  DEFAULT_HOST,
  DEFAULT_MAX_PIXELS,
  DEFAULT_PORT,
  DEFAULT_TIMEOUT_MS,
  parseModelSource,
  resolveServeOptions,
  serveOptionsFromFlags,
  type ModelSource,
  type ServeFlags,
  type ServeOptions,
  type ServeOptionsInput,
} from './options';
export { SynthesisPool, resolveWorkerFile, workerExecArgv, type PoolOptions } from './pool';
export { parseSynthesizeQuery, type SynthesizeQuery } from './query';
export { startServer, type RunningServer, type StartServerOptions } from './server';
export { closeOnSignals } from './signals';
export type { SynthesisResult, SynthesisTask, WorkerConfig, WorkerMessage } from './task';
