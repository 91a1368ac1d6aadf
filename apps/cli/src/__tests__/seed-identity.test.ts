import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { decode } from 'fast-png';
import { ROOT, runAll } from './run-cli';

// One seeded latent source and one quantiser: the bundled VAE model gives the same pixels for the
// same mask and --seed through `clade synthesize` and `clade showcase`.
describe('the same --seed through synthesize and showcase', () => {
  it('gives byte-identical images, and another seed another image', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'clade-seed-'));
    const masks = path.join(ROOT, 'examples/masks');
    const label = path.join(masks, 'scene-1.png');
    const model = path.join(ROOT, 'models/default-clade');
    const results = await runAll([
      ['showcase', '--model', model, '--masks', masks, '--seed', '3', '--out', path.join(dir, 'show')],
      ['synthesize', '--checkpoint', model, '--label', label, '--seed', '3', '--out', path.join(dir, 'three.png')],
      ['synthesize', '--checkpoint', model, '--label', label, '--seed', '4', '--out', path.join(dir, 'four.png')],
    ]);
    for (const r of results) expect([r.code, r.err]).toEqual([0, '']);
    const pixels = (f: string) => Buffer.from(decode(readFileSync(path.join(dir, f))).data as Uint8Array);
    expect(pixels('three.png').equals(pixels('show/scene-1.clade.png'))).toBe(true);
    expect(pixels('four.png').equals(pixels('three.png'))).toBe(false);
  });
});
