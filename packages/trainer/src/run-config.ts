import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '@clade/core';
import { assertPositiveInt } from '@clade/core/internal';
import { DATASET_NAMES, type DatasetName } from '@clade/data';
import { ENCODER_DEFAULTS, GENERATOR_DEFAULTS, resolveEncoderConfig, resolveGeneratorConfig, type EncoderConfig, type GeneratorConfig } from '@clade/spade-gen';
import { DISCRIMINATOR_DEFAULTS, resolveDiscriminatorConfig, type DiscriminatorConfig } from '@clade/spade-gen';
import { GROUPDNET_DEFAULTS, resolveGroupDNetConfig, type ConfigInput as GroupDNetConfigInput, type GroupDNetConfig } from '@clade/groupdnet';
import { SEAN_DEFAULTS, resolveSeanConfig, type SeanConfig } from '@clade/sean';
import { closestKey } from './closest-key';
import { EVAL_METRICS, type EvalConfig } from './eval-config';
import { GAN_MODES, type GanMode } from './losses';

/** The keys of T, listed once: the Record type makes tsc flag a key missing from T or extra to it. */
function keysOf<T>(keys: Record<keyof T, true>): readonly string[] {
  return Object.keys(keys);
}

/** Where the training pairs come from and how they are prepared. */
export interface DataConfig {
  /** Dataset layout (see @clade/data DATASETS). */
  dataset: DatasetName;
  /** Dataset root folder; relative paths resolve against the config file's folder. */
  root: string;
  /** Phase to list ('train'). */
  phase: 'train' | 'val';
  /** Resize to load×load, then random crop to the generator's cropSize. Default: cropSize (no crop). */
  loadSize: number | null;
  /** Random left-right flips. Default true. */
  flip: boolean;
  batchSize: number;
  /**
   * Gradient accumulation: each optimizer step (G, then D) uses the mean gradient of this many
   * batches, computed one batch at a time. batchSize × accumulate samples per step with the
   * activation memory of batchSize: it trades time for memory. An iteration (counters, logs,
   * checkpoints, lr schedule) is one optimizer step; an epoch ends when fewer than `accumulate`
   * batches remain. Sync-BN statistics and spectral-norm power iterations still run per batch.
   * Default 1.
   */
  accumulate: number;
  /**
   * Train on the bundled synthetic outdoor scenes (ADE20K ids) instead of files: the set is
   * written once into `root` (deterministic from its seed) and read through the ADE20K layout.
   */
  synthetic: SyntheticDataConfig | null;
}

const DATA_KEYS = keysOf<DataConfig>({
  dataset: true, root: true, phase: true, loadSize: true, flip: true, batchSize: true, accumulate: true, synthetic: true,
});

/** The bundled synthetic scenes: how many, their size (square) and the seed that draws them. */
export interface SyntheticDataConfig {
  count: number;
  size: number;
  seed: number;
}

const SYNTHETIC_KEYS = keysOf<SyntheticDataConfig>({ count: true, size: true, seed: true });

export interface LossConfig {
  ganMode: GanMode;
  /** Feature matching weight λ1 (0 disables). Default 10. */
  lambdaFeat: number;
  /** VGG perceptual weight λ2 (needs vggWeights). Default 10. */
  lambdaVgg: number;
  /** torchvision vgg19 .pth; null: train without the VGG loss (said in the log). */
  vggWeights: string | null;
  /** KLD weight λ3 (VAE only). Default 0.05. */
  lambdaKld: number;
}

const LOSS_KEYS = keysOf<LossConfig>({ ganMode: true, lambdaFeat: true, lambdaVgg: true, vggWeights: true, lambdaKld: true });

export interface OptimConfig {
  /** Base lr. Default 2e-4. */
  lr: number;
  /** TTUR: β=(0, 0.9), lr_G = lr/2, lr_D = 2·lr. Otherwise β=(0.5, 0.999), both lr. Default true. */
  ttur: boolean;
  /** Epochs at constant lr. Default 50 (the official default). */
  niter: number;
  /** Epochs of linear decay to 0 after niter. Default 0. */
  niterDecay: number;
}

const OPTIM_KEYS = keysOf<OptimConfig>({ lr: true, ttur: true, niter: true, niterDecay: true });

export interface ScheduleConfig {
  /** Stop after this many iterations (null: after niter + niterDecay epochs). */
  maxIterations: number | null;
  /** Checkpoint every N iterations (and at every epoch end). Default 100. */
  checkpointEvery: number;
  /** Log losses every N iterations. Default 1. */
  logEvery: number;
  /** Save a label | generated | real grid every N iterations (0: never). Default 100. */
  imageEvery: number;
}

const SCHEDULE_KEYS = keysOf<ScheduleConfig>({ maxIterations: true, checkpointEvery: true, logEvery: true, imageEvery: true });

/**
 * Fine-tuning: official state dicts loaded (strictly) into the freshly built nets at the start of a
 * NEW run; a resumed run continues from its own checkpoint and ignores these.
 */
export interface InitConfig {
  /** An official generator .pth (e.g. `latest_net_G.pth`), a clade run checkpoint (.npz) or a model folder (`clade export`) matching the generator config. */
  generator: string | null;
  /** An official discriminator .pth (`latest_net_D.pth`) or a clade run checkpoint (.npz). */
  discriminator: string | null;
  /** The VAE encoder's: an official netE .pth (`latest_net_E.pth`) or a clade run checkpoint (.npz). */
  encoder: string | null;
  /**
   * Run checkpoints only: load the weights whose name and shape match and keep the fresh init for
   * the rest (listed in the log), e.g. a VAE generator started from a non-VAE run (its `fc` differs).
   * Default false: any difference is an error.
   */
  partial: boolean;
}

const INIT_KEYS = keysOf<InitConfig>({ generator: true, discriminator: true, encoder: true, partial: true });

const EVAL_KEYS = keysOf<EvalConfig>({ every: true, metric: true, count: true, inceptionWeights: true, segmenter: true });

/** The generator families the trainer runs (REFERENCE §7, §17). */
export const MODEL_FAMILIES = ['spade', 'sean', 'groupdnet'] as const;
export type ModelFamily = (typeof MODEL_FAMILIES)[number];

/**
 * GroupDNet's grouped VAE encoder as trained: base width (a multiple of the classes) and the size
 * of the per-class crops it reads. Default ndf: the official width of the arch; default input:
 * the official 256² (256×512) when its mu lands on z's size, else the crop size that does.
 */
export interface GroupDNetEncoderConfig {
  ndf: number | null;
  inputSize: { height: number; width: number } | null;
  initSeed?: number | null;
}

const GROUPDNET_ENCODER_KEYS = keysOf<GroupDNetEncoderConfig>({ ndf: true, inputSize: true, initSeed: true });
const INPUT_SIZE_KEYS = keysOf<NonNullable<GroupDNetEncoderConfig['inputSize']>>({ height: true, width: true });

/**
 * The generator fields each family takes: its config's defaults plus the required fields they
 * leave out (the family packages own these lists; a run.json holds exactly them).
 */
const GENERATOR_KEYS: Record<ModelFamily, readonly string[]> = {
  spade: ['labelNc', ...Object.keys(GENERATOR_DEFAULTS)],
  sean: ['labelNc', ...Object.keys(SEAN_DEFAULTS)],
  groupdnet: ['arch', 'labelNc', ...Object.keys(GROUPDNET_DEFAULTS)],
};

/**
 * Which generator a run trains, with its encoder:
 * - 'spade' (default; SPADE, CLADE, CLADE-ICPE): `encoder` is the VAE's netE, present exactly when
 *   generator.useVae (ngf, cropSize and zDim default to the generator's);
 * - 'sean' (SEAN, SEAN-CLADE): G holds its style encoder and reads the real image's region styles;
 * - 'groupdnet' (GroupDNet, GroupDNet-CLADE): always a VAE, its grouped encoder reads per-class crops.
 */
export type ModelSection =
  | { model: 'spade'; generator: Partial<GeneratorConfig> & { labelNc: number }; encoder: Partial<EncoderConfig> | null }
  | { model: 'sean'; generator: SeanConfig; encoder: null }
  | { model: 'groupdnet'; generator: GroupDNetConfig; encoder: GroupDNetEncoderConfig };

/** One run, fully described; written to <out>/run.json so any run can be restarted from it. */
export type RunConfig = ModelSection & {
  discriminator: Partial<DiscriminatorConfig>;
  data: DataConfig;
  loss: LossConfig;
  optim: OptimConfig;
  schedule: ScheduleConfig;
  /** Weights to start a new run from (default none). */
  init: InitConfig;
  /** Periodic evaluation and the best checkpoint (default off). */
  eval: EvalConfig;
  /** Seed of data order, crops/flips and every random draw. Default 0. */
  seed: number;
};

/**
 * What a config file holds. `generator.init` / `discriminator.init` are short for
 * `init.generator` / `init.discriminator` (the resolved config keeps them under `init`, so the
 * network configs hold network fields only).
 */
export type RunConfigInput = {
  /** Default 'spade'. */
  model?: ModelFamily;
  /** The family's generator config (spade-gen's, @clade/sean's or @clade/groupdnet's). */
  generator: { labelNc: number; init?: string | null } & Record<string, unknown>;
  discriminator?: Partial<DiscriminatorConfig> & { init?: string | null };
  encoder?: Partial<EncoderConfig> | Partial<GroupDNetEncoderConfig>;
  init?: Partial<InitConfig>;
  data: Partial<DataConfig> & { dataset: DatasetName; root: string; batchSize?: number; accumulate?: number };
  loss?: Partial<LossConfig>;
  optim?: Partial<OptimConfig>;
  schedule?: Partial<ScheduleConfig>;
  eval?: Partial<EvalConfig>;
  seed?: number;
};

const RUN_CONFIG_KEYS = keysOf<RunConfigInput>({
  model: true, generator: true, discriminator: true, encoder: true, init: true, data: true, loss: true, optim: true, schedule: true, eval: true, seed: true,
});

/** The keys one section of a run config may hold, and the sections nested in it. */
interface KeySchema {
  keys: readonly string[];
  /** Nested sections by key; any other known key holds a value (null and arrays included). */
  sections?: Readonly<Record<string, KeySchema>>;
  /** What decides the keys, said after the section's path (e.g. "model 'sean'"). */
  note?: string;
  /** The section's own wording of the error, kept where users and tests already rely on it. */
  message?: (key: string, suggestion: string | null) => string;
}

/**
 * Every section a run config of this family may hold. Sean has no encoder section: any encoder
 * is refused by resolveModelSection with its own reason.
 */
function runConfigSchema(family: ModelFamily): KeySchema {
  const encoder: Record<ModelFamily, KeySchema | null> = {
    spade: { keys: Object.keys(ENCODER_DEFAULTS), note: "model 'spade'" },
    sean: null,
    groupdnet: {
      keys: GROUPDNET_ENCODER_KEYS,
      sections: { inputSize: { keys: INPUT_SIZE_KEYS } },
      message: (key, suggestion) =>
        `run config: unknown encoder field '${key}' for model 'groupdnet'${suggestion ? `; did you mean '${suggestion}'?` : '.'} ` +
        `Supported: ${GROUPDNET_ENCODER_KEYS.join(', ')}.`,
    },
  };
  return {
    keys: RUN_CONFIG_KEYS,
    sections: {
      // `init` under generator / discriminator is the short spelling of init.generator / init.discriminator.
      generator: { keys: [...GENERATOR_KEYS[family], 'init'], note: `model '${family}'` },
      discriminator: { keys: ['labelNc', ...Object.keys(DISCRIMINATOR_DEFAULTS), 'init'] },
      ...(encoder[family] && { encoder: encoder[family] }),
      init: { keys: INIT_KEYS },
      data: { keys: DATA_KEYS, sections: { synthetic: { keys: SYNTHETIC_KEYS } } },
      loss: { keys: LOSS_KEYS },
      optim: { keys: OPTIM_KEYS },
      schedule: { keys: SCHEDULE_KEYS },
      eval: { keys: EVAL_KEYS },
    },
  };
}

/** One line naming the full key path, the closest known key when one is close, and the known keys. */
function unknownKeyMessage(path: string, key: string, schema: KeySchema): string {
  const suggestion = closestKey(key, schema.keys);
  if (schema.message) return schema.message(key, suggestion);
  const hint = suggestion ? `; did you mean '${suggestion}'?` : '.';
  const known = path ? `Known keys of ${path}${schema.note ? ` (${schema.note})` : ''}` : 'Known top-level keys';
  return `run config: unknown key '${path ? `${path}.${key}` : key}'${hint} ${known}: ${schema.keys.join(', ')}.`;
}

/** Refuses any key the schema does not know, at every level: a misspelled key would otherwise train as if absent. */
function checkKeys(value: unknown, schema: KeySchema, path: string): void {
  if (value === null || value === undefined) return;
  if (typeof value !== 'object' || Array.isArray(value))
    throw new ConfigError(`run config: ${path || 'the config'} must be an object, got ${JSON.stringify(value)}.`);
  for (const [key, v] of Object.entries(value)) {
    if (!schema.keys.includes(key)) throw new ConfigError(unknownKeyMessage(path, key, schema));
    const nested = schema.sections?.[key];
    if (nested) checkKeys(v, nested, path ? `${path}.${key}` : key);
  }
}

function posInt(v: unknown, name: string): number {
  return assertPositiveInt(v, 'run config', name, JSON.stringify);
}

function nonNeg(v: unknown, name: string): number {
  if (!(typeof v === 'number' && Number.isFinite(v) && v >= 0))
    throw new ConfigError(`run config: ${name} must be a number ≥ 0, got ${JSON.stringify(v)}.`);
  return v;
}

/** An official PyTorch state dict (loaded strictly by key), as opposed to a clade checkpoint or model folder. */
export function isOfficialWeights(file: string): boolean {
  return /\.(pth|pt)$/i.test(file);
}

/** One init path from its short (`generator.init`) or long (`init.generator`) spelling. */
function initPath(short: unknown, long: unknown, net: 'generator' | 'discriminator' | 'encoder'): string | null {
  // A generator may also start from a model folder (`clade export`, e.g. the bundled model).
  const folder = net === 'generator';
  for (const [v, name] of [[short, `${net}.init`], [long, `init.${net}`]] as const)
    if (v != null && (typeof v !== 'string' || v === '' || !(folder || /\.(pth|pt|npz)$/i.test(v))))
      throw new ConfigError(
        `run config: ${name} must be a path to an official .pth or a clade run checkpoint ` +
          `.npz${folder ? ', or a model folder (clade export)' : ''}, or null, got ${JSON.stringify(v)}.`,
      );
  if (short != null && long != null && short !== long)
    throw new ConfigError(`run config: ${net}.init and init.${net} must not differ, got '${String(short)}' and '${String(long)}'.`);
  return ((short ?? long) as string | null | undefined) ?? null;
}

/** Validates a run config and fills in the defaults (the official ones where they exist). */
export function resolveRunConfig(input: RunConfigInput): RunConfig {
  if (!input || typeof input !== 'object') throw new ConfigError(`run config: must be an object, got ${JSON.stringify(input)}.`);
  // The top level first, so a misspelled 'generator' or 'model' is reported as such.
  checkKeys(input, { keys: RUN_CONFIG_KEYS }, '');
  if (!input.generator) throw new ConfigError('run config: generator must be given (at least {"labelNc": N}).');
  if (!input.data) throw new ConfigError('run config: data must be given (at least {"dataset", "root"}).');
  const family = input.model ?? 'spade';
  if (!MODEL_FAMILIES.includes(family)) throw new ConfigError(`run config: model must be one of ${MODEL_FAMILIES.join(', ')}, got '${String(family)}'.`);
  checkKeys(input, runConfigSchema(family), '');
  const { init: initG, ...generatorInput } = input.generator;
  const { init: initD, ...discriminatorInput } = input.discriminator ?? {};
  const init: InitConfig = {
    generator: initPath(initG, input.init?.generator, 'generator'),
    discriminator: initPath(initD, input.init?.discriminator, 'discriminator'),
    encoder: initPath(undefined, input.init?.encoder, 'encoder'),
    partial: input.init?.partial ?? false,
  };
  if (typeof init.partial !== 'boolean') throw new ConfigError(`run config: init.partial must be true or false, got ${JSON.stringify(init.partial)}.`);
  if (init.partial && ![init.generator, init.discriminator, init.encoder].some((f) => f != null && !isOfficialWeights(f)))
    throw new ConfigError(
      'run config: init.partial applies to clade run checkpoints (.npz) and model folders; ' +
        'official .pth files always load strictly. Give an init path as a .npz, or drop init.partial.',
    );
  const section = resolveModelSection(family, generatorInput, input.encoder);
  if (init.encoder && !(section.model === 'groupdnet' || (section.model === 'spade' && section.encoder)))
    throw new ConfigError(
      `run config: init.encoder is given but this run has no encoder (model ` +
        `'${section.model}'${section.model === 'spade' ? ' without generator.useVae' : ''}); drop init.encoder.`,
    );
  const g = section.generator as { labelNc: number; containDontcare?: boolean; useInstance?: boolean };
  // Validated here; stored as given (the nets take the label fields from the generator).
  resolveDiscriminatorConfig({
    ...discriminatorInput,
    labelNc: g.labelNc,
    containDontcare: g.containDontcare ?? false,
    useInstance: g.useInstance ?? false,
  });
  if (!DATASET_NAMES.includes(input.data.dataset))
    throw new ConfigError(`run config: data.dataset must be one of ${DATASET_NAMES.join(', ')}, got '${input.data.dataset}'.`);
  const data: DataConfig = { phase: 'train', loadSize: null, flip: true, batchSize: 1, accumulate: 1, synthetic: null, ...input.data };
  if (data.synthetic) {
    if (data.dataset !== 'ade20k')
      throw new ConfigError(`run config: data.synthetic scenes use ADE20K ids; data.dataset must be 'ade20k', got '${data.dataset}'.`);
    posInt(data.synthetic.count, 'data.synthetic.count');
    posInt(data.synthetic.size, 'data.synthetic.size');
    if (!Number.isInteger(data.synthetic.seed))
      throw new ConfigError(`run config: data.synthetic.seed must be an integer, got ${JSON.stringify(data.synthetic.seed)}.`);
  }
  posInt(data.batchSize, 'data.batchSize');
  posInt(data.accumulate, 'data.accumulate');
  if (data.loadSize !== null) posInt(data.loadSize, 'data.loadSize');
  const loss: LossConfig = { ganMode: 'hinge', lambdaFeat: 10, lambdaVgg: 10, vggWeights: null, lambdaKld: 0.05, ...input.loss };
  if (!GAN_MODES.includes(loss.ganMode))
    throw new ConfigError(`run config: loss.ganMode must be one of ${GAN_MODES.join(', ')}, got '${loss.ganMode}'.`);
  nonNeg(loss.lambdaFeat, 'loss.lambdaFeat');
  nonNeg(loss.lambdaVgg, 'loss.lambdaVgg');
  if (loss.vggWeights !== null && (typeof loss.vggWeights !== 'string' || loss.vggWeights === ''))
    throw new ConfigError(`run config: loss.vggWeights must be a path to torchvision's vgg19-*.pth or null, got ${JSON.stringify(loss.vggWeights)}.`);
  nonNeg(loss.lambdaKld, 'loss.lambdaKld');
  const optim: OptimConfig = { lr: 2e-4, ttur: true, niter: 50, niterDecay: 0, ...input.optim };
  nonNeg(optim.lr, 'optim.lr');
  posInt(optim.niter, 'optim.niter');
  nonNeg(optim.niterDecay, 'optim.niterDecay');
  const schedule: ScheduleConfig = { maxIterations: null, checkpointEvery: 100, logEvery: 1, imageEvery: 100, ...input.schedule };
  if (schedule.maxIterations !== null) posInt(schedule.maxIterations, 'schedule.maxIterations');
  posInt(schedule.checkpointEvery, 'schedule.checkpointEvery');
  posInt(schedule.logEvery, 'schedule.logEvery');
  nonNeg(schedule.imageEvery, 'schedule.imageEvery');
  const evaluation: EvalConfig = { every: 0, metric: 'fid', count: 50, inceptionWeights: null, segmenter: null, ...input.eval };
  nonNeg(evaluation.every, 'eval.every');
  if (!Number.isInteger(evaluation.every)) throw new ConfigError(`run config: eval.every must be an integer ≥ 0, got ${evaluation.every}.`);
  if (!EVAL_METRICS.includes(evaluation.metric))
    throw new ConfigError(`run config: eval.metric must be one of ${EVAL_METRICS.join(', ')}, got '${evaluation.metric}'.`);
  posInt(evaluation.count, 'eval.count');
  if (evaluation.every > 0 && evaluation.metric === 'fid' && !evaluation.inceptionWeights)
    throw new ConfigError(
      "run config: eval.metric 'fid' needs eval.inceptionWeights: download pytorch-fid's pt_inception-2015-12-05-6726825d.pth " +
        '(https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/pt_inception-2015-12-05-6726825d.pth) and give its path.',
    );
  if (evaluation.every > 0 && evaluation.metric === 'miou' && !evaluation.segmenter)
    throw new ConfigError("run config: eval.metric 'miou' needs eval.segmenter: the path of deeplabv3_mnv2_ade20k_513.onnx.");
  const seed = input.seed ?? 0;
  if (!Number.isInteger(seed)) throw new ConfigError(`run config: seed must be an integer, got ${JSON.stringify(seed)}.`);
  return { ...section, discriminator: discriminatorInput, data, loss, optim, schedule, init, eval: evaluation, seed };
}

/** The generator (and encoder) of a family, validated, with the defaults filled in. */
function resolveModelSection(family: ModelFamily, generatorInput: Record<string, unknown> & { labelNc: number }, encoderInput: unknown): ModelSection {
  if (family === 'sean') {
    if (encoderInput) throw new ConfigError("run config: encoder is not used with model 'sean' (its style encoder is part of the generator); drop encoder.");
    return { model: 'sean', generator: resolveSeanConfig(generatorInput as Partial<SeanConfig> & { labelNc: number }), encoder: null };
  }
  if (family === 'groupdnet') {
    const generator = resolveGroupDNetConfig(generatorInput as unknown as GroupDNetConfigInput);
    // Its keys were checked with the rest of the config (runConfigSchema).
    const e = (encoderInput ?? {}) as Partial<GroupDNetEncoderConfig>;
    if (e.ndf != null) posInt(e.ndf, 'encoder.ndf');
    if (e.inputSize != null) {
      posInt(e.inputSize.height, 'encoder.inputSize.height');
      posInt(e.inputSize.width, 'encoder.inputSize.width');
    }
    return {
      model: 'groupdnet',
      generator,
      encoder: { ndf: e.ndf ?? null, inputSize: e.inputSize ?? null, ...(e.initSeed != null && { initSeed: e.initSeed }) },
    };
  }
  const generator = resolveGeneratorConfig(generatorInput as Partial<GeneratorConfig> & { labelNc: number });
  if (encoderInput && !generator.useVae)
    throw new ConfigError('run config: encoder is given but generator.useVae is false; set useVae true to train a VAE, or drop encoder.');
  // Validated here (one error at load time), stored as given plus the generator-derived fields.
  const encoder = generator.useVae
    ? { ngf: generator.ngf, cropSize: generator.cropSize, zDim: generator.zDim, ...(encoderInput as Partial<EncoderConfig>) }
    : null;
  if (encoder) resolveEncoderConfig(encoder);
  return { model: 'spade', generator, encoder };
}

/** Learning rates of G and D in a (1-based) epoch, with the official linear decay after niter. */
export function learningRates(optim: OptimConfig, epoch: number): { g: number; d: number } {
  const { lr, niter, niterDecay, ttur } = optim;
  const decayed = epoch > niter && niterDecay > 0 ? Math.max(0, lr * (1 - (epoch - niter) / niterDecay)) : lr;
  return ttur ? { g: decayed / 2, d: decayed * 2 } : { g: decayed, d: decayed };
}

/** Adam betas of the run. */
export function adamBetas(optim: OptimConfig): { beta1: number; beta2: number } {
  return optim.ttur ? { beta1: 0, beta2: 0.9 } : { beta1: 0.5, beta2: 0.999 };
}

/**
 * Adam's ε: torch.optim.Adam's default, which the official trainer keeps. tfjs' default is the
 * backend's float epsilon (1e-7): with β1 = 0 the first update is −lr·g/(|g| + ε), so that moves the
 * updates of gradients near 1e-6 by several % of lr.
 */
const ADAM_EPSILON = 1e-8;

/**
 * An Adam optimizer with the run's hyperparameters (betas by TTUR, ε as torch's, no weight
 * decay), at learning rate `lr` (the schedule may change it).
 */
export function createAdam(optim: OptimConfig, lr: number): tf.Optimizer {
  const { beta1, beta2 } = adamBetas(optim);
  return tf.train.adam(lr, beta1, beta2, ADAM_EPSILON);
}
