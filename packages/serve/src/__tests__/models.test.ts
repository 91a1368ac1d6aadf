import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { CladeModelJson } from '@clade/runtime';
import { modelInfo, presetPalette, readModelInfos, workerExecArgv } from '../index';

const json = (over: Partial<CladeModelJson['generator']>, preset: CladeModelJson['preset'] = 'ade20k'): CladeModelJson =>
  ({
    preset,
    generator: { normMode: 'clade', normPerBlock: null, cropSize: 256, aspectRatio: 1, useVae: false, ...over },
    label: { labelNc: 150, containDontcare: true, ade20kLabelShift: false },
  }) as unknown as CladeModelJson;

describe('modelInfo', () => {
  it('names the family from the norm and the size from the test geometry', () => {
    expect(modelInfo('m', json({ useVae: true }))).toEqual({
      name: 'm', family: 'CLADE', preset: 'ade20k', size: { width: 256, height: 256 }, labelNc: 150, useVae: true, colorLabels: true,
    });
    expect(modelInfo('m', json({ normMode: 'cladeIcpe' })).family).toBe('CLADE-ICPE');
    expect(modelInfo('m', json({ normPerBlock: ['spade', 'clade'] } as never)).family).toBe('mixed');
    const city = modelInfo('c', json({ cropSize: 512, aspectRatio: 2 }, 'cityscapes'));
    expect(city.size).toEqual({ width: 512, height: 256 });
  });

  it('offers colour labels where the preset has a palette', () => {
    expect(presetPalette('ade20k-outdoor')?.name).toBe('ade20k');
    expect(presetPalette('cityscapes')?.name).toBe('cityscapes');
    expect(presetPalette('coco')).toBeNull();
  });
});

describe('readModelInfos', () => {
  it('refuses a folder that does not exist, naming the flag', async () => {
    const missing = path.join(mkdtempSync(path.join(tmpdir(), 'clade-serve-')), 'nope');
    await expect(readModelInfos([{ name: 'x', dir: missing }])).rejects.toThrow(/--model '.*nope' is not a folder/);
  });
});

describe('workerExecArgv', () => {
  it('adds the source flags for a TypeScript worker, once, and nothing for a built one', () => {
    expect(workerExecArgv('/x/dist/worker.cjs', [])).toBeUndefined();
    expect(workerExecArgv('/x/src/worker.ts', [])).toEqual(['--conditions=@clade/source', '--import', 'tsx']);
    expect(workerExecArgv('/x/src/worker.ts', ['--conditions=@clade/source', '--import', 'tsx'])).toEqual(['--conditions=@clade/source', '--import', 'tsx']);
  });
});
