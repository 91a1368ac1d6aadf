import { ConfigError, ShapeError, seededNormal } from '@clade/core';
import { countNonFinite } from '@clade/core/internal';
import { interleavePositionalMap, prepareDecoded } from '@clade/data';
import { presetInfo } from '@clade/spade-gen';
import type { LoadedGenerator } from '../model-folder/clade-json';
import type { GeneratorSpec, PreparedInput, SynthesisRequest } from './request';
import { modelInputSize, testPreprocess } from './test-geometry';

/** What synthesis needs to know of a loaded tfjs generator (its inputs as its graph names them). */
export function generatorSpec(g: LoadedGenerator): GeneratorSpec {
  const names = g.model.inputNames;
  return { preset: g.preset, config: g.config, label: g.label, inputs: { dist: names.includes('dist'), z: names.includes('z') }, source: g.source };
}

/** z for a VAE generator: the given latent (checked: a NaN would pass as a black image), else N(0, I) from the seed. */
function latentOf(g: GeneratorSpec, r: SynthesisRequest): Float32Array {
  const zDim = g.config.zDim;
  if (r.z === undefined) return seededNormal(zDim, r.seed ?? 0);
  if (r.z.length !== zDim) throw new ShapeError(`z must hold ${zDim} values, got ${r.z.length}.`);
  const { first } = countNonFinite(r.z);
  if (first >= 0) throw new ConfigError(`z holds a non-finite value (${r.z[first]} at index ${first}); every value must be finite.`);
  return r.z;
}

/**
 * A request as the generator takes it, by the official test transform (PIL NEAREST to the model's
 * size, label mapping, edges of the resized instance map, the positional map computed at the
 * label's size then resized), plus z. The one home of these steps for every caller.
 */
export function prepareRequest(g: GeneratorSpec, r: SynthesisRequest): PreparedInput {
  const uses = g.inputs;
  const { width, height } = modelInputSize(g.preset, g.config);
  const what = r.source ?? 'label';
  if (g.config.useInstance && !r.instance) throw new ConfigError(`this generator takes an instance map beside '${what}' (its edge channel).`);
  if (!g.config.useInstance && r.instance) throw new ConfigError(`this generator has no instance-edge channel; it takes no instance map.`);
  if (!uses.dist && r.positional) throw new ConfigError(`a positional map is for CLADE-ICPE generators; this one has none.`);
  if (!uses.z && (r.z !== undefined || r.seed !== undefined)) throw new ConfigError(`z and its seed are for VAE generators; this one has no z input.`);
  // A map at the model's size (and not the label's) is used as it is; one at the label's size follows the label.
  const atModelSize = r.positional && r.positional.width === width && r.positional.height === height && (r.label.width !== width || r.label.height !== height);
  const sample = prepareDecoded(
    { id: what, label: r.label, instance: r.instance ?? null, positional: atModelSize ? null : r.positional ?? null },
    {
      label: g.label,
      preprocess: testPreprocess(g.preset, g.config),
      positional: uses.dist && !atModelSize,
      positionalMap: { skipValue: presetInfo(g.preset).icpeSkipValue },
    },
  );
  if (sample.width !== width || sample.height !== height)
    throw new ShapeError(`'${what}' became ${sample.width}x${sample.height}; the model takes ${width}x${height}.`);
  return {
    width,
    height,
    classes: sample.classes,
    edges: sample.edges,
    positional: atModelSize ? interleavePositionalMap(r.positional!) : sample.positional,
    z: uses.z ? latentOf(g, r) : null,
  };
}
