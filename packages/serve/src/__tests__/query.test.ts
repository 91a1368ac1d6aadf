import { HttpError, parseSynthesizeQuery, type ModelInfo } from '../index';

const model = (name: string, colorLabels = true): ModelInfo => ({
  name, family: 'CLADE', preset: colorLabels ? 'ade20k' : 'coco', size: { width: 256, height: 256 }, labelNc: 150, useVae: true, colorLabels,
});
const one = [model('a')];
const two = [model('a'), model('b', false)];

function refusal(q: Record<string, unknown>, models: ModelInfo[]): HttpError {
  try {
    parseSynthesizeQuery(q, models);
  } catch (e) {
    if (e instanceof HttpError) return e;
    throw e;
  }
  throw new Error('accepted');
}

describe('parseSynthesizeQuery', () => {
  it('defaults: the only model, seed 0, class ids', () => {
    expect(parseSynthesizeQuery({}, one)).toEqual({ model: one[0], seed: 0, labels: 'ids' });
    expect(parseSynthesizeQuery({ model: 'b', seed: '-7' }, two)).toEqual({ model: two[1], seed: -7, labels: 'ids' });
  });

  it.each([
    [{}, two, /query parameter 'model' is required; served models: a, b\./],
    [{ model: 'c' }, two, /unknown model 'c'; served models: a, b\./],
    [{ seed: '3.5' }, one, /seed must be an integer, got '3\.5'/],
    [{ seed: '1e3' }, one, /seed must be an integer, got '1e3'/],
    [{ seed: '99999999999999999999' }, one, /seed must be an integer/],
    [{ seed: ['1', '2'] }, one, /'seed' is given 2 times/],
    [{ labels: 'rgb' }, one, /labels must be one of ids, colors, got 'rgb'/],
    [{ model: 'b', labels: 'colors' }, two, /labels=colors is not available for model 'b' \(preset coco/],
    [{ sed: '1' }, one, /unknown query parameter 'sed'; allowed: model, seed, labels/],
  ])('refuses %j with a 400 naming the value and what is allowed', (q, models, message) => {
    const e = refusal(q, models);
    expect(e.status).toBe(400);
    expect(e.message).toMatch(message);
  });
});
