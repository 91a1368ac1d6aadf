import { createHash } from 'node:crypto';
import { describeWithShared, sharedPath } from '@clade/test-utils';
import { loadImage, resizeBicubicPil, resizeBicubicPil8 } from '../../index';
import golden from './fixtures/pil-bicubic.json';

// Expected values from Pillow (see golden.generatedBy / golden.pillow).
const sha256 = (a: Uint8Array) => createHash('sha256').update(a).digest('hex');

describe(`resizeBicubicPil8 vs Pillow ${golden.pillow} BICUBIC`, () => {
  it.each(golden.synthetic.map((c) => [`${c.input} → ${c.width}x${c.height}`, c] as const))('%s is exact', (_, c) => {
    const inp = golden.inputs[c.input as keyof typeof golden.inputs];
    const out = resizeBicubicPil8(Uint8Array.from(inp.data), inp.width, inp.height, inp.channels, c.width, c.height);
    expect(Array.from(out)).toEqual(c.output);
  });

  it('returns a copy for equal sizes', () => {
    const d = Uint8Array.from([1, 2, 3]);
    const out = resizeBicubicPil8(d, 1, 1, 3, 1, 1);
    expect(out).not.toBe(d);
    expect(Array.from(out)).toEqual([1, 2, 3]);
  });
});

const files = [...new Set(golden.real.map((r) => r.file))];
describeWithShared('resizeBicubicPil on real photos vs Pillow', files, () => {
  it.each(files)('%s: every size is bit-exact', async (file) => {
    const img = await loadImage(sharedPath(file));
    for (const r of golden.real.filter((g) => g.file === file)) {
      const out = resizeBicubicPil(img, r.width, r.height);
      expect(Array.from(out.data.subarray(0, 12))).toEqual(r.first);
      expect(sha256(out.data)).toBe(r.sha256);
    }
  });
});
