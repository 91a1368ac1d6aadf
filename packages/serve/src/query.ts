import { HttpError } from './errors';
import { LABEL_CODINGS, type LabelCoding } from './labels';
import type { ModelInfo } from './models';

/** A synthesize request's query, checked: which model, which seed, how the label is coded. */
export interface SynthesizeQuery {
  model: ModelInfo;
  /** The seed of z for VAE models (as `clade synthesize --seed`; default 0); ignored by others, as there. */
  seed: number;
  labels: LabelCoding;
}

const one = (q: Record<string, unknown>, key: string): string | undefined => {
  const v = q[key];
  if (Array.isArray(v)) throw new HttpError(400, `query parameter '${key}' is given ${v.length} times; give it once.`);
  return v === undefined ? undefined : String(v);
};

/**
 * `?model=<name>&seed=<n>&labels=ids|colors` → a checked query; a 400 naming the parameter, the
 * value and what is allowed otherwise. `model` may be left out when one model is served.
 */
export function parseSynthesizeQuery(q: Record<string, unknown>, models: readonly ModelInfo[]): SynthesizeQuery {
  const names = models.map((m) => m.name);
  const known = ['model', 'seed', 'labels'];
  const extra = Object.keys(q).filter((k) => !known.includes(k));
  if (extra.length) throw new HttpError(400, `unknown query parameter '${extra[0]}'; allowed: ${known.join(', ')}.`);
  const name = one(q, 'model');
  if (name === undefined && models.length > 1) throw new HttpError(400, `query parameter 'model' is required; served models: ${names.join(', ')}.`);
  const model = name === undefined ? models[0] : models.find((m) => m.name === name);
  if (!model) throw new HttpError(400, `unknown model '${name}'; served models: ${names.join(', ')}.`);
  const s = one(q, 'seed') ?? '0';
  const seed = Number(s);
  if (!/^-?\d+$/.test(s) || !Number.isSafeInteger(seed)) throw new HttpError(400, `seed must be an integer, got '${s}'.`);
  const labels = (one(q, 'labels') ?? 'ids') as LabelCoding;
  if (!LABEL_CODINGS.includes(labels)) throw new HttpError(400, `labels must be one of ${LABEL_CODINGS.join(', ')}, got '${labels}'.`);
  if (labels === 'colors' && !model.colorLabels)
    throw new HttpError(400, `labels=colors is not available for model '${model.name}' (preset ${model.preset} has no colour palette here); send class ids.`);
  return { model, seed, labels };
}
