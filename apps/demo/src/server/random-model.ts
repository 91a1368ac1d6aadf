// The union package registers the cpu backend: a Node script building weights needs one.
import '@tensorflow/tfjs';
import { SpadeGenerator, presetLabelSpec, type GeneratorConfig, type NormMode } from '@clade/spade-gen';
import { saveGeneratorDir } from '@clade/runtime/node';

/** What a random-init model folder is made of; everything else is the ADE20K preset. */
export interface RandomModelOptions {
  /** 'clade' or 'spade'. Default 'clade'. */
  normMode?: NormMode;
  /** Generator width. Default 16 (the bundled model's). */
  ngf?: number;
  /** Output size. Default 256. */
  cropSize?: number;
  /** Default 0. */
  initSeed?: number;
  /** Default true (as `clade export --float16`). */
  float16?: boolean;
  /** Param-free norm. Default 'syncBatch' (what training uses; eval mode already gives a contrasty random image). */
  paramFreeNorm?: GeneratorConfig['paramFreeNorm'];
  /** A VAE generator (style input z). Default false. */
  useVae?: boolean;
}

/**
 * Writes a random-init ADE20K generator folder (model.json, weights.bin, clade.json) through
 * @clade/runtime's `saveGeneratorDir`, the `clade export` code path. For the browser test while no
 * trained model is bundled, and for timing SPADE vs CLADE (weights do not change the cost).
 */
export async function writeRandomModel(dir: string, options: RandomModelOptions = {}): Promise<GeneratorConfig> {
  const { normMode = 'clade', ngf = 16, cropSize = 256, initSeed = 0, float16 = true, paramFreeNorm = 'syncBatch', useVae = false } = options;
  const g = new SpadeGenerator({ labelNc: 150, containDontcare: true, normMode, ngf, cropSize, initSeed, paramFreeNorm, useVae });
  try {
    await saveGeneratorDir(
      dir,
      { preset: 'ade20k', config: g.config, label: presetLabelSpec(g.config), model: g.model, source: 'random-init' },
      { file: `random-init-${normMode}${useVae ? '-vae' : ''}-ngf${ngf}-seed${initSeed}`, sha256: '' },
      { float16 },
    );
    return g.config;
  } finally {
    g.dispose();
  }
}
