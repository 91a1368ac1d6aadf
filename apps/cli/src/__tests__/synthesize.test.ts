// `clade synthesize` through the real CLI. Parity data: ../shared/fixtures/p1_coco_generator
// (official PyTorch generators, COCO-Stuff config, ngf 4, crop 64, instances; see its
// manifest.json) and p2_preprocessing (the same sample at its original 640x426).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readNpy, type NdArray } from '@clade/core';
import { nativeOrtAvailability } from '@clade/onnx';
import { describeWithShared, sharedPath, maxAbsDiff } from '@clade/test-utils';
import { decode as decodePng, encode as encodePng } from 'fast-png';
import { quantizeImage } from '@clade/runtime';
import { buildProgram } from '../main';
import { expectUserError, runAll, type CliResult } from './run-cli';

const P1 = 'fixtures/p1_coco_generator';
const P2 = 'fixtures/p2_preprocessing/val_000000000139';
const p1 = (f: string) => sharedPath(P1, f);
const npy = (file: string): NdArray => readNpy(new Uint8Array(readFileSync(file)), file);


const COCO_TINY = ['--preset', 'coco', '--ngf', '4', '--crop-size', '64'];

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'clade-synth-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describeWithShared('clade synthesize: parity with the official generators (p1_coco_generator)', [`${P1}/manifest.json`, `${P2}_label_orig.png`], () => {
  const cases = [
    // Label and instance PNGs already 64x64: used as-is. ICPE gets the official map (computed on the 640x426 original).
    { tag: 'spade', ref: 'spade', args: ['--checkpoint', p1('spade_G.pth'), '--norm', 'spade'] },
    { tag: 'clade', ref: 'clade', args: ['--checkpoint', p1('clade_G.pth'), '--norm', 'clade'] },
    {
      tag: 'clade_icpe',
      ref: 'clade_icpe',
      args: ['--checkpoint', p1('clade_icpe_G.pth'), '--norm', 'clade-icpe', '--dist-map', p1('input_dist.npy')],
    },
    // The same through our ONNX export and onnxruntime (CLADE fused on @clade/ort-native where it is built).
    { tag: 'spade_onnx', ref: 'spade', args: ['--checkpoint', p1('spade_G.pth'), '--norm', 'spade', '--engine', 'onnx'] },
    {
      tag: 'clade_icpe_onnx',
      ref: 'clade_icpe',
      args: [
        '--checkpoint', p1('clade_icpe_G.pth'), '--norm', 'clade-icpe', '--dist-map', p1('input_dist.npy'), '--engine',
        'onnx', '--json',
      ],
    },
  ];
  const results = new Map<string, CliResult>();

  beforeAll(async () => {
    const jobs = cases.map((c) => [
      'synthesize', ...c.args, ...COCO_TINY, '--label', p1('input_label.png'), '--instance', p1('input_instance.png'),
      '--out', path.join(tmp, `${c.tag}.png`), '--out-npy', path.join(tmp, `${c.tag}.npy`),
    ]);
    // The whole official test pipeline from the original 640x426 PNGs: PIL-NEAREST resize,
    // edges, and the ICPE map computed from the label and floor-resized (norm read off the checkpoint).
    jobs.push([
      'synthesize', '--checkpoint', p1('clade_icpe_G.pth'), ...COCO_TINY,
      '--label', sharedPath(`${P2}_label_orig.png`), '--instance', sharedPath(`${P2}_inst_orig.png`),
      '--out', path.join(tmp, 'orig.png'), '--out-npy', path.join(tmp, 'orig.npy'),
    ]);
    const rs = await runAll(jobs);
    [...cases.map((c) => c.tag), 'orig'].forEach((t, i) => results.set(t, rs[i]!));
  }, 180_000);

  it('export-onnx writes the ONNX file synthesize --engine onnx runs (inputs label, edge; output image)', async () => {
    const onnx = path.join(tmp, 'clade.onnx');
    const [r, again] = await runAll([
      ['export-onnx', p1('clade_G.pth'), onnx, ...COCO_TINY, '--norm', 'clade', '--json'],
    ]).then(async (first) => [...first, ...(await runAll([['export-onnx', p1('clade_G.pth'), onnx, ...COCO_TINY, '--norm', 'clade']]))]);
    expect({ code: r!.code, err: r!.err }).toEqual({ code: 0, err: '' });
    const summary = JSON.parse(r!.out);
    expect(readFileSync(onnx).length).toBe(summary.bytes);
    expect(JSON.stringify(summary.io)).toMatch(/label.*edge/);
    expectUserError(again!, /export-onnx: <out.onnx> '.*clade\.onnx' exists; pass --force to replace it/);
  });

  it('export-onnx --fused-clade writes one ai.clade node per CLADE layer; synthesize --engine onnx says which onnxruntime ran', async () => {
    const onnx = path.join(tmp, 'clade-fused.onnx');
    const [r] = await runAll([['export-onnx', p1('clade_G.pth'), onnx, ...COCO_TINY, '--norm', 'clade', '--fused-clade', '--json']]);
    expect({ code: r!.code, err: r!.err }).toEqual({ code: 0, err: '' });
    expect(JSON.parse(r!.out).fusedClade).toBe(true);
    expect(readFileSync(onnx).includes('CladeModulate')).toBe(true);
    const native = (await nativeOrtAvailability()).available;
    expect(JSON.parse(results.get('clade_icpe_onnx')!.out).backend).toBe(native ? 'onnxruntime (@clade/ort-native, fused CLADE)' : 'onnxruntime-node');
  });

  for (const c of [...cases, { tag: 'orig', ref: 'clade_icpe' }]) {
    it(`${c.tag}: --out-npy within 1e-4 of ${c.ref}_output.npy, PNG quantised officially`, () => {
      const r = results.get(c.tag)!;
      expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: '' });
      const got = npy(path.join(tmp, `${c.tag}.npy`));
      const want = npy(p1(`${c.ref}_output.npy`));
      expect({ dtype: got.dtype, shape: got.shape }).toEqual({ dtype: 'float32', shape: [1, 3, 64, 64] });
      const d = maxAbsDiff(got.data as Float32Array, want.data as Float32Array);
      expect(d).toBeLessThanOrEqual(1e-4);
      // The PNG holds the quantised output, HWC.
      const png = decodePng(readFileSync(path.join(tmp, `${c.tag}.png`)));
      expect([png.width, png.height, png.channels, png.depth]).toEqual([64, 64, 3, 8]);
      const nchw = got.data as Float32Array;
      const hwc = new Float32Array(nchw.length);
      for (let p = 0; p < 64 * 64; p++) for (let ch = 0; ch < 3; ch++) hwc[p * 3 + ch] = nchw[ch * 4096 + p]!;
      expect(Buffer.from(png.data as Uint8Array).equals(Buffer.from(quantizeImage(hwc)))).toBe(true);
    });
  }
});

describeWithShared('clade synthesize: user errors (exit 2, one line)', [`${P1}/manifest.json`], () => {
  it('missing file, wrong preset, unknown label ids, checkpoint of another config, missing instance map', async () => {
    // input_label.png with 12 pixels set to 200 (COCO-Stuff ids are 0..181 and 255).
    const label = decodePng(readFileSync(p1('input_label.png')));
    const data = Uint8Array.from(label.data as Uint8Array);
    data.fill(200, 0, 12);
    const bad = path.join(tmp, 'bad_label.png');
    writeFileSync(bad, encodePng({ width: label.width, height: label.height, data, channels: 1, depth: 8 }));
    const base = ['--label', p1('input_label.png'), '--instance', p1('input_instance.png'), '--out', path.join(tmp, 'x.png')];
    const [missing, preset, ids, other, noInst] = await runAll([
      ['synthesize', '--checkpoint', path.join(tmp, 'nope.pth'), ...COCO_TINY, ...base],
      ['synthesize', '--checkpoint', p1('clade_G.pth'), '--preset', 'cocostuff', ...base],
      ['synthesize', '--checkpoint', p1('clade_G.pth'), ...COCO_TINY, ...base.slice(2), '--label', bad],
      ['synthesize', '--checkpoint', p1('clade_G.pth'), ...COCO_TINY, '--norm', 'spade', ...base],
      ['synthesize', '--checkpoint', p1('clade_G.pth'), ...COCO_TINY, '--label', p1('input_label.png'), '--out', path.join(tmp, 'x.png')],
    ]);
    expectUserError(missing!, /--checkpoint '.*nope\.pth' does not exist/);
    expectUserError(preset!, /--preset must be one of .*got 'cocostuff'/);
    expectUserError(ids!, /bad_label\.png' has raw values 200 \(12 px\)/);
    expectUserError(
      other!,
      /clade_G\.pth' does not fit the coco spade .* missing keys \(head_0\.norm_0\.mlp_shared.*unexpected keys .*class_specified_affine.*mis-shaped keys/,
    );
    expectUserError(noInst!, /takes an instance map: pass --instance/);
  });
});

describeWithShared('clade synthesize --norm spade-light / mixed:K (p1_coco_generator)', [`${P1}/manifest.json`], () => {
  it('spade-light is SPADE at the Table IV width (--ngf overrides it); mixed:K must fit the checkpoint', async () => {
    const io = ['--label', p1('input_label.png'), '--instance', p1('input_instance.png'), '--out', path.join(tmp, 'light.png')];
    const [light, wide, mixed] = await runAll([
      [
        'synthesize', '--checkpoint', p1('spade_G.pth'), '--norm', 'spade-light', ...COCO_TINY, ...io, '--out-npy',
        path.join(tmp, 'light.npy'),
      ],
      // Refused before writing; each names its own --out, as the first may have written light.png already.
      [
        'synthesize', '--checkpoint', p1('spade_G.pth'), '--norm', 'spade-light', '--preset', 'coco', '--crop-size',
        '64', ...io.slice(0, -1), path.join(tmp, 'wide.png'),
      ],
      ['synthesize', '--checkpoint', p1('spade_G.pth'), '--norm', 'mixed:2', ...COCO_TINY, ...io.slice(0, -1), path.join(tmp, 'mixed.png')],
    ]);
    expect({ code: light!.code, err: light!.err }).toEqual({ code: 0, err: '' });
    const d = maxAbsDiff(npy(path.join(tmp, 'light.npy')).data as Float32Array, npy(p1('spade_output.npy')).data as Float32Array);
    expect(d).toBeLessThanOrEqual(1e-4);
    expectUserError(wide!, /spade_G\.pth' does not fit the coco spade \(labelNc 182\+dontcare\+edges, ngf 8, crop 64.*mis-shaped keys/);
    expectUserError(
      mixed!,
      /spade_G\.pth' does not fit the coco spade,spade,clade,clade,clade,clade,clade .*missing keys \(G_middle_1\.norm_0\.class_specified_affine/,
    );
  });
});

describe('--help of synthesize, profile and convert', () => {
  // In-process (commander renders the same text the CLI prints); saves three process starts.
  function helpOf(name: string): string {
    const cmd = buildProgram().commands.find((c) => c.name() === name)!;
    let text = '';
    cmd.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
    cmd.outputHelp();
    return text;
  }

  it('documents the flags, with examples', () => {
    const [syn, prof, conv] = ['synthesize', 'profile', 'convert'].map(helpOf) as [string, string, string];
    for (const h of [syn, prof, conv]) expect(h).toMatch(/Examples:\n\s+clade \w+/);
    for (const flag of [
      '--checkpoint', '--label', '--instance', '--dist-map', '--z', '--preset', '--label-nc', '--norm', '--ngf',
      '--crop-size', '--aspect-ratio', '--upsampling', '--vae', '--out', '--out-npy', '--style', '--encoder',
      '--style-sample',
    ])
      expect(syn).toContain(flag);
    expect(prof).toMatch(/--json/);
    expect(conv).toMatch(/Usage: clade convert \[options\] <in\.pth> <out-dir>/);
  });
});
