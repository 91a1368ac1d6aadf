// `clade convert` → tfjs model folder → `clade synthesize --checkpoint <dir>`, and a VAE
// custom generator saved by our file-system handler (no shared data needed).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { labelsToSegmap, readNpy, writeNpy, type NdArray } from '@clade/core';
import { SpadeGenerator, presetLabelSpec } from '@clade/spade-gen';
import { describeWithShared, sharedPath, maxAbsDiff } from '@clade/test-utils';
import { encode as encodePng } from 'fast-png';
import { saveGeneratorDir } from '@clade/runtime/node';
import { expectUserError, runAll } from './run-cli';

const P1 = 'fixtures/p1_coco_generator';
const p1 = (f: string) => sharedPath(P1, f);
const npy = (file: string): NdArray => readNpy(new Uint8Array(readFileSync(file)), file);


let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'clade-convert-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describeWithShared('clade convert: .pth → tfjs folder round trip (p1_coco_generator)', [`${P1}/manifest.json`], () => {
  it('the converted CLADE-ICPE model gives the official output; flags may not contradict it; no silent overwrite', async () => {
    const dir = path.join(tmp, 'coco-icpe');
    const [conv] = await runAll([['convert', p1('clade_icpe_G.pth'), dir, '--preset', 'coco', '--crop-size', '64', '--json']]);
    expect({ code: conv!.code, err: conv!.err }).toEqual({ code: 0, err: '' });
    expect(JSON.parse(conv!.out)).toMatchObject({ preset: 'coco', stateDictKeys: 270, generator: { normMode: 'cladeIcpe', ngf: 4 } });
    for (const f of ['model.json', 'weights.bin', 'clade.json']) expect(existsSync(path.join(dir, f))).toBe(true);
    const meta = JSON.parse(readFileSync(path.join(dir, 'clade.json'), 'utf8'));
    expect(meta).toMatchObject({ format: 'clade-generator', preset: 'coco', label: { labelNc: 182, containDontcare: true } });

    const out = path.join(tmp, 'dir.npy');
    const io = ['--label', p1('input_label.png'), '--instance', p1('input_instance.png'), '--out', path.join(tmp, 'dir.png')];
    const [syn, again, contra] = await runAll([
      ['synthesize', '--checkpoint', dir, ...io, '--dist-map', p1('input_dist.npy'), '--out-npy', out],
      ['convert', p1('clade_icpe_G.pth'), dir, '--preset', 'coco', '--crop-size', '64'],
      ['synthesize', '--checkpoint', dir, '--norm', 'spade', ...io.slice(0, -1), path.join(tmp, 'contra.png')],
    ]);
    expect({ code: syn!.code, err: syn!.err }).toEqual({ code: 0, err: '' });
    expect(maxAbsDiff(npy(out).data as Float32Array, npy(p1('clade_icpe_output.npy')).data as Float32Array)).toBeLessThanOrEqual(1e-4);
    expectUserError(again!, /already holds a model .*pass --force/);
    expectUserError(contra!, /holds a coco clade-icpe .* generator; --norm spade contradicts it/);
  });
});

describe('clade synthesize with a VAE custom generator saved as a tfjs folder', () => {
  it('reads z from .npy (official [1,zDim]) and matches the in-process forward', async () => {
    const config = { labelNc: 3, ngf: 4, cropSize: 32, normMode: 'clade' as const, useVae: true, zDim: 8 };
    const g = new SpadeGenerator(config);
    const w = 32;
    const ids = Int32Array.from({ length: w * w }, (_, i) => (Math.floor(i / w / 11) + Math.floor((i % w) / 13)) % 3);
    const z = Float32Array.from({ length: 8 }, (_, i) => Math.sin(i + 1));
    const labels = tf.tensor3d(ids, [1, w, w], 'int32');
    const seg = labelsToSegmap(labels, 3);
    const zt = tf.tensor2d(z, [1, 8]);
    g.apply({ seg, z: zt }, true).dispose(); // one training pass: power iterations give a sane sigma (REFERENCE §15.3)
    const want = tf.transpose(g.apply({ seg, z: zt }), [0, 3, 1, 2]);
    const dir = path.join(tmp, 'vae');
    await saveGeneratorDir(
      dir,
      { preset: 'custom', config: g.config, label: presetLabelSpec(g.config), model: g.model, source: 'test' },
      { file: 'test', sha256: '' },
    );
    writeFileSync(path.join(tmp, 'l.png'), encodePng({ width: w, height: w, data: Uint8Array.from(ids), channels: 1, depth: 8 }));
    writeFileSync(path.join(tmp, 'z.npy'), writeNpy({ dtype: 'float32', shape: [1, 8], data: z }));
    const [r] = await runAll([
      [
        'synthesize', '--checkpoint', dir, '--label', path.join(tmp, 'l.png'), '--z', path.join(tmp, 'z.npy'), '--out',
        path.join(tmp, 'vae.png'), '--out-npy', path.join(tmp, 'vae.npy'),
      ],
    ]);
    expect({ code: r!.code, err: r!.err }).toEqual({ code: 0, err: '' });
    const got = npy(path.join(tmp, 'vae.npy'));
    expect(got.shape).toEqual([1, 3, 32, 32]);
    expect(maxAbsDiff(got.data as Float32Array, want.dataSync())).toBeLessThanOrEqual(1e-4);
    // Not a saturated image: the comparison means something.
    const unsaturated = (got.data as Float32Array).filter((v) => Math.abs(v) < 0.99).length;
    expect(unsaturated).toBeGreaterThan(got.data.length / 2);
    tf.dispose([labels, seg, zt, want]);
    g.dispose();
  });
});
