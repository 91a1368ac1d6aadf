import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { initBackend } from '@clade/backend';
import {
  DEEPLABV3_MNV2_ADE20K,
  FidInceptionV3,
  OnnxSegmenter,
  evalPreset,
  evaluateShard,
  mergeShards,
  saveShardStatistics,
  type ShardConfig,
} from '@clade/metrics';
import type { Shard } from '@clade/data';
import { describeWithShared, sharedPath } from '@clade/test-utils';
import { expectUserError, runAll, type CliResult } from './run-cli';
import { writeStandInInception } from './stand-in-inception';

const ADE = 'data/ade20k_sceneparsing';
const MODEL = 'models/deeplabv3_mnv2_ade20k_513.onnx';
const FIG = 'data/paper_figures/ADE';

/** A result JSON without FID's float terms (the distance is compared to 1e-9 relative instead; the terms round differently). */
function withoutFid(r: { fid: number; details: { fid: Record<string, unknown> } }): unknown {
  const { method, rankSigma1, rankProduct } = r.details.fid;
  return { ...r, fid: null, details: { ...r.details, fid: { method, rankSigma1, rankProduct } } };
}

// 2 generated images with their label maps (mIoU through the real ADE20K segmenter) and 3 real
// images (5 shards leave empty parts); dims 64 with stand-in weights keeps every Inception pass small.
describeWithShared('clade eval --shard i/n and eval merge', [MODEL, `${ADE}/images`, `${ADE}/annotations`, `${FIG}/gt`], () => {
  let dir: string;
  const at = (...p: string[]) => path.join(dir, ...p);
  const common = () => [
    '--real', at('real'), '--fake', at('fake'), '--labels', at('labels'),
    '--dataset', 'ade20k', '--segmenter', sharedPath(MODEL), '--inception-weights', at('w.pth'), '--dims', '64', '--kid-subsets', '3',
  ];

  /** The single-process run (the reference) and the first CLI batch, shared by both tests. */
  let batch: CliResult[];
  let single: { fid: number; kid: number; kid_std: number; miou: number; per_class: unknown[]; details: Record<string, unknown>; protocol: unknown };
  // In-process shards use the networks the CLI runs load, on the backend it picks (auto), so their features are the CLI's.
  let inception: FidInceptionV3;
  let segmenter: OnnxSegmenter;
  let shardConfig: (shard: Shard) => ShardConfig;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'clade-eval-shards-'));
    writeStandInInception(at('w.pth'));
    const copy = (from: string, to: string, n: number) => {
      mkdirSync(at(to));
      for (const f of readdirSync(sharedPath(from)).sort().slice(0, n)) copyFileSync(sharedPath(from, f), at(to, f));
    };
    copy(`${FIG}/gt`, 'real', 3);
    copy(`${ADE}/images`, 'fake', 2);
    copy(`${ADE}/annotations`, 'labels', 2);
    // Two at a time (2 cores); the refusal is quick and overlaps the runs.
    batch = await runAll([
      ['eval', 'all', ...common(), '--out', at('single.json')],
      ['eval', 'all', ...common(), '--shard', '0/2', '--save-stats', at('s0.npz')],
      ['eval', 'all', ...common(), '--shard', '1/2', '--out', at('s1.json')],
    ]);
    if (batch[0]!.code === 0) single = JSON.parse(readFileSync(at('single.json'), 'utf8'));
    const backend = (await initBackend({ backend: 'auto' })).name;
    inception = await FidInceptionV3.load(at('w.pth'));
    segmenter = await OnnxSegmenter.load(DEEPLABV3_MNV2_ADE20K, sharedPath(MODEL));
    shardConfig = (shard) => ({
      shard,
      metric: 'all',
      fake: { kind: 'images', path: at('fake'), label: '--fake' },
      fidKid: {
        real: { kind: 'images', path: at('real'), label: '--real' },
        model: inception,
        dims: 64,
        kid: { subsets: 3, subsetSize: 1000, seed: 0 },
        backend,
      },
      miou: { labels: at('labels'), segmenter: DEEPLABV3_MNV2_ADE20K, model: segmenter },
      preset: evalPreset('ade20k'),
    });
  }, 240_000);
  afterAll(async () => {
    inception?.dispose();
    await segmenter?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a CLI shard and an in-process one, merged on the CLI, print what the single run prints (FID to 1e-9, mIoU exact)', async () => {
    const [whole, s0, noStats] = batch;
    expect([whole!.code, s0!.code]).toEqual([0, 0]);
    expect(s0!.out).toBe(`shard 0/2 of eval all: fake 1 of 2 images, real 2 of 3; statistics saved: ${at('s0.npz')}\n`);
    expectUserError(noStats!, /--shard 1\/2 needs --save-stats <file\.npz>/);
    expect(existsSync(at('s1.json'))).toBe(false);
    await saveShardStatistics(at('s1.npz'), await evaluateShard(shardConfig({ index: 1, count: 2 })));
    // Given out of order: the merge orders them.
    const [merged, missing, stray] = await runAll([
      ['eval', 'merge', at('s1.npz'), at('s0.npz'), '--out', at('merged.json')],
      ['eval', 'merge', at('s0.npz')],
      ['eval', 'merge', at('s0.npz'), at('s1.npz'), '--dims', '64', '--out', at('stray.json')],
    ]);
    expect(merged!.code).toBe(0);
    expect(merged!.out).toBe(whole!.out);
    const b = JSON.parse(readFileSync(at('merged.json'), 'utf8'));
    expect(single.fid).toBeGreaterThan(0);
    const rel = Math.abs(b.fid - single.fid) / single.fid;
    process.stdout.write(`eval merge, 2 shards (CLI): FID relative difference ${rel.toExponential(2)}\n`);
    expect(rel).toBeLessThan(1e-9);
    expect(b.miou).toBe(single.miou);
    expect(b.per_class).toEqual(single.per_class);
    expect(withoutFid(b)).toEqual(withoutFid(single as never));
    expectUserError(missing!, /mergeShards: 1 of 2 shards missing \(1\/2\); pass all 2\./);
    expectUserError(stray!, /eval merge: --dims does not apply .* merge takes shard files, --real, --json, --out and --force/);
    expect(existsSync(at('stray.json'))).toBe(false);
  }, 120_000);

  it('1 and 5 shards in-process equal the single CLI run (1 shard: bit for bit)', async () => {
    for (const n of [1, 5]) {
      const shards = [];
      for (let i = 0; i < n; i++) shards.push({ file: `shard ${i}`, stats: await evaluateShard(shardConfig({ index: i, count: n })) });
      const m = await mergeShards(shards);
      const rel = Math.abs(m.fidKid!.fid!.distance - single.fid) / single.fid;
      process.stdout.write(`eval merge, ${n} shard(s) (in-process): FID relative difference ${rel.toExponential(2)}\n`);
      expect(rel).toBeLessThan(1e-9);
      if (n === 1) expect(m.fidKid!.fid!.distance).toBe(single.fid);
      expect([m.fidKid!.kid!.kid, m.fidKid!.kid!.std]).toEqual([single.kid, single.kid_std]);
      expect(m.miou!.scores.miou).toBe(single.miou);
      expect(m.miou!.scores.perClass).toEqual(single.per_class);
      expect(m.miou!.perImage).toEqual((single.details.miou as { perImage: unknown }).perImage);
      expect(m.protocol).toEqual(single.protocol);
    }
  }, 120_000);
});
