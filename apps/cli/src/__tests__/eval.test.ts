import { mkdtempSync, rmSync, writeFileSync, readdirSync, copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describeWithShared, sharedPath } from '@clade/test-utils';
import { expectUserError, runAll, runCli } from './run-cli';
import { writeStandInInception } from './stand-in-inception';

const ADE = 'data/ade20k_sceneparsing';
const MODEL = 'models/deeplabv3_mnv2_ade20k_513.onnx';
const FIG = 'data/paper_figures/ADE';

describe('clade eval: user errors (one line, exit 2)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'clade-eval-'));
    writeFileSync(path.join(dir, 's.npz'), 'not a zip');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names the unsupported combination or the missing file', async () => {
    const [unknown, noReal, kidStats, noWeights, noLabels, noSegmenter] = await runAll([
      ['eval', 'psnr', '--fake', dir],
      ['eval', 'fid', '--fake', dir],
      ['eval', 'kid', '--real', path.join(dir, 's.npz'), '--fake', dir],
      ['eval', 'fid', '--real', dir, '--fake', dir, '--inception-weights', path.join(dir, 'pt_inception-2015-12-05-6726825d.pth')],
      ['eval', 'miou', '--fake', dir],
      ['eval', 'miou', '--fake', dir, '--labels', dir],
    ]);
    expectUserError(unknown!, /metric must be one of fid, kid, miou, all, got 'psnr'/);
    expectUserError(noReal!, /eval fid: --real <dir\|stats\.npz> is required/);
    expectUserError(kidStats!, /KID needs the real images' feature vectors; --real must be a folder/);
    const weightsHint = new RegExp(
      /Download https:\/\/github\.com\/mseitzer\/pytorch-fid\/releases\/download\//.source +
        /fid_weights\/pt_inception-2015-12-05-6726825d\.pth .* and put it at '/.source,
    );
    expectUserError(noWeights!, weightsHint);
    expectUserError(noLabels!, /--labels <dir> .* is required/);
    expectUserError(noSegmenter!, /miou: pass --dataset <ade20k\|.*> or --segmenter <onnx\|descriptor\.json>/);
  });
});

describeWithShared('clade eval miou on the ADE20K samples', [MODEL, `${ADE}/images`], () => {
  it('prints the MODELS.md figures and the protocol as one JSON object', async () => {
    const r = await runCli(
      [
        'eval', 'miou', '--fake', sharedPath(`${ADE}/images`), '--labels', sharedPath(`${ADE}/annotations`),
        '--segmenter', sharedPath(MODEL), '--dataset', 'ade20k', '--json',
      ],
      120_000,
    );
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.accuracy).toBeCloseTo(0.7315, 4);
    expect(j.miou).toBeCloseTo(0.3187, 4);
    expect(j.miou_union).toBeCloseTo(0.1406, 4);
    expect(j.per_class).toHaveLength(151);
    expect(j.protocol.segmentation.sha256).toBe('10c55d47c6ac9f448a50aa1102dab39b77af570cb0e2a9c50b3435ad890710f0');
    expect(j.protocol.dataset).toBe('ade20k');
    expect(r.err).toMatch(/segmenter: 3\/3/);
  });
});

describeWithShared('clade eval fid/kid with stand-in Inception weights', [`${FIG}/gt`, `${FIG}/spade`], () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'clade-eval-fid-'));
    writeStandInInception(path.join(dir, 'w.pth'));
    for (const [src, dst] of [[`${FIG}/gt`, 'real'], [`${FIG}/spade`, 'fake']] as const) {
      mkdirSync(path.join(dir, dst));
      for (const f of readdirSync(sharedPath(src)).sort().slice(0, 5)) copyFileSync(sharedPath(src, f), path.join(dir, dst, f));
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the same FID from folders and from saved statistics, with KID and the protocol', async () => {
    const w = path.join(dir, 'w.pth');
    const common = ['--inception-weights', w, '--dims', '64'];
    const save = await runCli(['eval', 'fid', '--real', path.join(dir, 'real'), '--save-stats', path.join(dir, 'real.npz'), ...common], 120_000);
    expect(save.code).toBe(0);
    const [direct, fromStats] = await Promise.all([
      runCli(['eval', 'all', '--real', path.join(dir, 'real'), '--fake', path.join(dir, 'fake'), '--kid-subsets', '3', '--json', ...common], 180_000),
      runCli(['eval', 'fid', '--real', path.join(dir, 'real.npz'), '--fake', path.join(dir, 'fake'), '--json', ...common], 180_000),
    ]);
    expect(direct!.code).toBe(0);
    expect(fromStats!.code).toBe(0);
    const a = JSON.parse(direct!.out);
    const b = JSON.parse(fromStats!.out);
    expect(a.fid).toBeGreaterThan(0);
    expect(Math.abs(a.fid - b.fid)).toBeLessThan(1e-9 * a.fid);
    expect(typeof a.kid).toBe('number');
    expect(a.protocol.kid).toMatchObject({ subsets: 3, subsetSize: 5, dims: 64 });
    expect(b.protocol.fid.real).toMatchObject({ kind: 'stats', count: 5 });
    expect(a.details.inceptionWarning).toMatch(/not comparable/);
  }, 240_000);
});
