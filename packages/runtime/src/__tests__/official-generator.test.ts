// Official SPADE/CLADE `.pth` generators: the config is inferred from the state dict's keys and
// shapes (norm, ngf, VAE, edges, label count), and loading is strict, naming what does not fit.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { IOError, torchStateDictOf, writeTorchCheckpoint } from '@clade/core';
import { SpadeGenerator, type GeneratorConfig } from '@clade/spade-gen';
import { inferGeneratorConfig, officialGeneratorFromState, officialStateShapesOf } from '../index';
import { loadOfficialGenerator, readOfficialCheckpoint } from '../node';

const TINY = { ngf: 4, cropSize: 32 } as const;

function shapesOf(config: Partial<GeneratorConfig> & { labelNc: number }): Map<string, { shape: number[] }> {
  const g = new SpadeGenerator({ ...TINY, ...config });
  try {
    return officialStateShapesOf(g.model);
  } finally {
    g.dispose();
  }
}


describe('inferGeneratorConfig (from a key → shape map)', () => {
  it('reads norm, ngf, VAE and the label count of a custom CLADE generator', () => {
    const got = inferGeneratorConfig(shapesOf({ labelNc: 5, normMode: 'clade' }), { preset: 'custom' });
    expect(got).toMatchObject({ ngf: 4, normMode: 'clade', normPerBlock: null, useVae: false, labelNc: 5, useInstance: false });
  });

  it('reads the edge channel and the hidden width of SPADE, and a VAE z size', () => {
    const got = inferGeneratorConfig(shapesOf({ labelNc: 5, normMode: 'spade', useInstance: true, useVae: true, zDim: 8 }), {
      preset: 'custom',
      labelNc: 5,
    });
    expect(got).toMatchObject({ ngf: 4, normMode: 'spade', useVae: true, zDim: 8, useInstance: true });
    expect(got.spadeHiddenNc).toBeGreaterThan(0);
    expect(got.labelNc).toBeUndefined(); // known, so not inferred
  });

  it('reads a CLADE edge channel and per-block norms', () => {
    const edged = inferGeneratorConfig(shapesOf({ labelNc: 5, normMode: 'cladeIcpe', useInstance: true }), { preset: 'custom' });
    expect(edged).toMatchObject({ normMode: 'cladeIcpe', useInstance: true, labelNc: 5 });
    const perBlock = ['spade', 'spade', 'clade', 'clade', 'clade', 'clade', 'clade'] as const;
    const mixed = inferGeneratorConfig(shapesOf({ labelNc: 5, normPerBlock: [...perBlock] }), { preset: 'custom' });
    expect(mixed.normPerBlock).toEqual(perBlock);
    expect(mixed.normMode).toBeUndefined();
  });

  it('leaves out what it cannot tell', () => {
    expect(inferGeneratorConfig(new Map(), { preset: 'coco' })).toEqual({});
  });
});

describe('loadOfficialGenerator', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'clade-official-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips a .pth: the config is inferred and the weights load', async () => {
    const g = new SpadeGenerator({ ...TINY, labelNc: 5, normMode: 'clade', initSeed: 3 });
    const state = torchStateDictOf(g.model);
    const file = path.join(dir, 'latest_net_G.pth');
    writeFileSync(file, writeTorchCheckpoint(state));
    const loaded = await loadOfficialGenerator(file, { preset: 'custom', overrides: { cropSize: 32 } });
    try {
      expect(loaded.config).toMatchObject({ labelNc: 5, ngf: 4, normMode: 'clade', cropSize: 32 });
      expect(loaded.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(loaded.source).toBe(file);
      const want = g.model.weights.map((w) => w.read().dataSync());
      loaded.model.weights.forEach((w, i) => expect(w.read().dataSync()).toEqual(want[i]));
    } finally {
      loaded.model.dispose();
      g.dispose();
    }
  });

  it('refuses a state dict that does not fit, and a missing file', async () => {
    const { state } = await readOfficialCheckpoint(path.join(dir, 'latest_net_G.pth'));
    const config = new SpadeGenerator({ ...TINY, labelNc: 5, normMode: 'spade' });
    const spadeConfig = config.config;
    config.dispose();
    expect(() => officialGeneratorFromState(state, 'x.pth', { preset: 'custom', config: spadeConfig, fitHint: 'Check the norm.' })).toThrow(
      /^checkpoint 'x\.pth' does not fit the custom generator: \d+ missing keys .*\. Check the norm\.$/,
    );
    await expect(readOfficialCheckpoint(path.join(dir, 'nope.pth'))).rejects.toThrow(IOError);
    await expect(readOfficialCheckpoint(path.join(dir, 'nope.pth'))).rejects.toThrow(/^checkpoint '.*nope\.pth' could not be read \(no such file\)\.$/);
  });
});
