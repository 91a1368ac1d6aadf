import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '@clade/core';
import { closestKey, editDistance } from '../closest-key';
import { resolveRunConfig, type RunConfig, type RunConfigInput } from '../index';

const EXAMPLES = path.resolve(__dirname, '../../../../examples');
const data = { dataset: 'ade20k' as const, root: '.' };
const FAMILIES: Record<'spade' | 'vae' | 'sean' | 'groupdnet', RunConfigInput> = {
  spade: { generator: { labelNc: 3, normMode: 'clade', ngf: 4, cropSize: 64 }, discriminator: { ndf: 4 }, data },
  vae: { generator: { labelNc: 3, ngf: 4, cropSize: 64, useVae: true, zDim: 16 }, encoder: { zDim: 16 }, data },
  sean: { model: 'sean', generator: { labelNc: 19, classBranch: 'clade', ngf: 8, cropSize: 64, styleLength: 16 }, data },
  groupdnet: {
    model: 'groupdnet',
    generator: { arch: 'deepfashion', labelNc: 19, normMode: 'clade', ngf: 8, cropSize: 64, numUpsamplingLayers: 'normal', groups: [8, 8, 8, 4, 4, 2, 2, 1] },
    encoder: { ndf: 19, inputSize: { height: 64, width: 64 } },
    data,
  },
};

/** A deep copy of `config` with `value` set at the dotted `key` (missing sections created). */
function withKey(config: RunConfigInput, key: string, value: unknown): RunConfigInput {
  const copy = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
  const parts = key.split('.');
  let at = copy;
  for (const p of parts.slice(0, -1)) at = (at[p] ??= {}) as Record<string, unknown>;
  at[parts[parts.length - 1]!] = value;
  return copy as RunConfigInput;
}

/** The ConfigError message resolveRunConfig throws (fails the test when it throws none or another kind). */
function errorOf(config: RunConfigInput): string {
  try {
    resolveRunConfig(config);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('resolveRunConfig accepted the config');
}

describe('closestKey', () => {
  it('edit distance counts an adjacent swap as one edit', () => {
    expect(editDistance('maxIterations', 'maxIterations')).toBe(0);
    expect(editDistance('maxIteratons', 'maxIterations')).toBe(1);
    expect(editDistance('nfd', 'ndf')).toBe(1);
    expect(editDistance('', 'seed')).toBe(4);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests within the typo budget only, ignoring case', () => {
    expect(closestKey('labelnc', ['labelNc', 'ngf'])).toBe('labelNc');
    expect(closestKey('inceptionWeight', ['inceptionWeights', 'segmenter'])).toBe('inceptionWeights');
    expect(closestKey('xy', ['lr', 'ttur'])).toBeNull(); // 2 edits turn any 2 letters into 'lr'
    expect(closestKey('banana', ['maxIterations', 'logEvery'])).toBeNull();
  });
});

describe('strict run config: every unknown key is a ConfigError', () => {
  it('a misspelled top-level key names it and suggests the known one, before any other check', () => {
    const { generator, ...rest } = FAMILIES.spade;
    expect(errorOf({ ...rest, generatr: generator } as never)).toBe(
      "run config: unknown key 'generatr'; did you mean 'generator'? Known top-level keys: " +
        'model, generator, discriminator, encoder, init, data, loss, optim, schedule, eval, seed.',
    );
    expect(errorOf(withKey(FAMILIES.sean, 'modle', 'sean'))).toMatch(/^run config: unknown key 'modle'; did you mean 'model'\?/);
  });

  it.each([
    ['spade', 'generator.normMod', 'normMode', "generator (model 'spade')"],
    ['spade', 'generator.labelnc', 'labelNc', "generator (model 'spade')"],
    ['sean', 'generator.styleLenght', 'styleLength', "generator (model 'sean')"],
    ['groupdnet', 'generator.grups', 'groups', "generator (model 'groupdnet')"],
    ['spade', 'discriminator.nfd', 'ndf', 'discriminator'],
    ['vae', 'encoder.zdim', 'zDim', "encoder (model 'spade')"],
    ['groupdnet', 'encoder.inputSize.heigth', 'height', 'encoder.inputSize'],
    ['spade', 'init.genrator', 'generator', 'init'],
    ['spade', 'data.batchsize', 'batchSize', 'data'],
    ['spade', 'data.synthetic.cout', 'count', 'data.synthetic'],
    ['spade', 'loss.lambdaVGG', 'lambdaVgg', 'loss'],
    ['spade', 'optim.nitre', 'niter', 'optim'],
    ['spade', 'schedule.maxIteratons', 'maxIterations', 'schedule'],
    ['spade', 'eval.metrc', 'metric', 'eval'],
  ] as const)('%s: %s suggests %s', (family, key, suggestion, section) => {
    // data.synthetic needs the other synthetic fields to be a section at all.
    const config = key.startsWith('data.synthetic.') ? withKey(FAMILIES[family], 'data.synthetic', { size: 8, seed: 0 }) : FAMILIES[family];
    expect(errorOf(withKey(config, key, 1))).toMatch(
      new RegExp(
        `^run config: unknown key '${key.replace(/\./g, '\\.')}'; did you mean ` +
          `'${suggestion}'\\? Known keys of ${section.replace(/[()]/g, '\\$&')}: `,
      ),
    );
  });

  it('a key far from every known one lists the known keys', () => {
    expect(errorOf(withKey(FAMILIES.spade, 'schedule.banana', 1))).toBe(
      "run config: unknown key 'schedule.banana'. Known keys of schedule: maxIterations, checkpointEvery, logEvery, imageEvery.",
    );
    expect(errorOf(withKey(FAMILIES.spade, 'data.synthetic', { count: 1, size: 8, seed: 0, palette: 'warm' }))).toBe(
      "run config: unknown key 'data.synthetic.palette'. Known keys of data.synthetic: count, size, seed.",
    );
  });

  it('a section that is not an object is named', () => {
    expect(errorOf(withKey(FAMILIES.spade, 'schedule', 5))).toBe('run config: schedule must be an object, got 5.');
    expect(errorOf(withKey(FAMILIES.spade, 'loss', ['hinge']))).toBe('run config: loss must be an object, got ["hinge"].');
  });

  it("each family's generator takes its own config's fields (plus the short init) and no other's", () => {
    expect(resolveRunConfig(withKey(FAMILIES.spade, 'generator.normPerBlock', null)).generator).toMatchObject({ normPerBlock: null });
    expect(resolveRunConfig(withKey(FAMILIES.sean, 'generator.spadeHiddenNc', 16)).generator).toMatchObject({ spadeHiddenNc: 16 });
    expect(resolveRunConfig(withKey(FAMILIES.groupdnet, 'generator.initSeed', 3)).generator).toMatchObject({ arch: 'deepfashion', initSeed: 3 });
    for (const family of ['spade', 'sean', 'groupdnet'] as const)
      expect(resolveRunConfig(withKey(FAMILIES[family], 'generator.init', 'g.pth')).init.generator).toBe('g.pth');
    expect(errorOf(withKey(FAMILIES.spade, 'generator.styleLength', 16))).toMatch(
      new RegExp(
        String.raw`^run config: unknown key 'generator\.styleLength'\. ` +
          String.raw`Known keys of generator \(model 'spade'\): labelNc, containDontcare, useInstance, normMode, normPerBlock,`,
      ),
    );
    expect(errorOf(withKey(FAMILIES.sean, 'generator.normMode', 'clade'))).toMatch(
      /^run config: unknown key 'generator\.normMode'\. Known keys of generator \(model 'sean'\): labelNc, containDontcare, classBranch,/,
    );
    expect(errorOf(withKey(FAMILIES.groupdnet, 'generator.useVae', true))).toMatch(
      /^run config: unknown key 'generator\.useVae'\. Known keys of generator \(model 'groupdnet'\): arch, labelNc,/,
    );
    expect(errorOf(withKey(FAMILIES.sean, 'generator.arch', 'deepfashion'))).toMatch(/unknown key 'generator\.arch'/);
  });

  it('keeps the encoder messages of the families: groupdnet names the field, sean takes no encoder at all', () => {
    expect(errorOf(withKey(FAMILIES.groupdnet, 'encoder.nef', 3))).toBe(
      "run config: unknown encoder field 'nef' for model 'groupdnet'; did you mean 'ndf'? Supported: ndf, inputSize, initSeed.",
    );
    expect(errorOf(withKey(FAMILIES.groupdnet, 'encoder.widths', 3))).toBe(
      "run config: unknown encoder field 'widths' for model 'groupdnet'. Supported: ndf, inputSize, initSeed.",
    );
    expect(errorOf(withKey(FAMILIES.sean, 'encoder', { ndff: 19 }))).toMatch(/encoder is not used with model 'sean'/);
  });

  it.each(['spade', 'vae', 'sean', 'groupdnet'] as const)('%s: a resolved config, as train() writes it to run.json, resolves to itself', (family) => {
    const config: RunConfig = resolveRunConfig({
      ...FAMILIES[family],
      init: { generator: 'run/latest.npz', partial: true },
      eval: { every: 10, metric: 'miou', segmenter: 'seg.onnx' },
      data: { ...data, synthetic: { count: 4, size: 72, seed: 0 }, loadSize: 72 },
    });
    // train() fills in the init seeds before writing run.json.
    config.generator.initSeed ??= 1;
    config.discriminator.initSeed ??= 2;
    if (config.encoder) config.encoder.initSeed ??= 3;
    const runJson = JSON.parse(JSON.stringify(config)) as RunConfigInput;
    expect(resolveRunConfig(runJson)).toEqual(config);
  });

  it.each(readdirSync(EXAMPLES).filter((f) => f.endsWith('.json')))('examples/%s resolves', (file) => {
    const config = JSON.parse(readFileSync(path.join(EXAMPLES, file), 'utf8')) as RunConfigInput;
    expect(resolveRunConfig(config).data.dataset).toBe(config.data.dataset);
  });
});
