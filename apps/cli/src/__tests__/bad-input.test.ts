import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { crc32 } from 'node:zlib';
import * as path from 'node:path';
import { saveNpyFile } from '@clade/core';
import { fileTreeSnapshot } from '@clade/test-utils';
import { encode } from 'fast-png';
import { ROOT, runAll, type CliResult } from './run-cli';

// Bad input as a new user types it, through the real CLI: each case exits 2 with one line that
// says what is wrong (the words that matter), and no file in the case's folder changes: the
// folder is hashed before and after, and nothing is added or removed.
const dir = mkdtempSync(path.join(tmpdir(), 'clade-bad-input-'));
const at = (...p: string[]) => path.join(dir, ...p);
const MODEL = path.join(ROOT, 'models/default-clade');
const TINY = path.join(ROOT, 'examples/train-tiny.json');

interface Case {
  name: string;
  args: string[];
  error: RegExp;
  /** Paths that must not exist afterwards (a command that refuses creates nothing). */
  absent?: string[];
}

const CASES: Case[] = [
  // Runs: never replaced without --force, never created by a failed or mistyped command.
  { name: 'train --out an existing run', args: ['train', '--config', TINY, '--out', at('run')],
    error: /run folder '.*run' already holds a run \(run\.json\); continue it with --resume, or replace it with --force/ },
  { name: 'train --out a folder of other files', args: ['train', '--config', TINY, '--out', at('photos')], error: /already holds 1 file \(a\.png\)/ },
  { name: 'train --resume a mistyped folder', args: ['train', '--resume', at('rnu')],
    error: /rnu.run\.json' not found; start a run with --config first/, absent: [at('rnu')] },
  { name: 'train --resume with --force', args: ['train', '--resume', at('run'), '--force'], error: /--force would change what the run trains/ },
  { name: 'train on a missing dataset', args: ['train', '--config', at('no-data.json'), '--out', at('new-run')],
    error: /no-such-data/, absent: [at('new-run')] },
  { name: 'train --config with a misspelled key', args: ['train', '--config', at('typo.json'), '--out', at('new-run')],
    error: /unknown key 'schedule\.maxIteratons'; did you mean 'maxIterations'\?/, absent: [at('new-run')] },
  { name: 'train --config that is not an object', args: ['train', '--config', at('list.json'), '--out', at('new-run')],
    error: /list\.json' must hold a JSON object \(a run config\), got \[\]/, absent: [at('new-run')] },
  { name: 'train --resume of a run.json that is not JSON', args: ['train', '--resume', at('broken-run')], error: /broken-run.run\.json' is not valid JSON/ },
  // Outputs: never an input, never an existing file without --force, the right extension, a folder.
  { name: 'synthesize --out = --label', args: ['synthesize', '--checkpoint', MODEL, '--label', at('label.png'), '--out', at('label.png')],
    error: /--out '.*label\.png' is also --label: writing it would destroy that file/ },
  { name: 'synthesize --out-npy = --z',
    args: ['synthesize', '--checkpoint', MODEL, '--label', at('label.png'), '--z', at('z.npy'), '--out', at('new.png'), '--out-npy', at('z.npy')],
    error: /--out-npy '.*z\.npy' is also --z/, absent: [at('new.png')] },
  { name: 'synthesize --out an existing file', args: ['synthesize', '--checkpoint', MODEL, '--label', at('label.png'), '--out', at('exists.png')],
    error: /--out '.*exists\.png' exists; pass --force to replace it/ },
  { name: 'synthesize --out not a .png', args: ['synthesize', '--checkpoint', MODEL, '--label', at('label.png'), '--out', at('out.jpg')],
    error: /--out must name a \.png file, got '.*out\.jpg'/, absent: [at('out.jpg')] },
  { name: 'synthesize --out under a file', args: ['synthesize', '--checkpoint', MODEL, '--label', at('label.png'), '--out', at('exists.png', 'x.png')],
    error: /exists\.png' is a file, not a folder/ },
  { name: 'synthesize --out a folder', args: ['synthesize', '--checkpoint', MODEL, '--label', at('label.png'), '--out', at('folder.png')],
    error: /--out '.*folder\.png' is a folder; name a \.png file/ },
  { name: 'synthesize --z with NaN', args: ['synthesize', '--checkpoint', MODEL, '--label', at('label.png'), '--z', at('nan-z.npy'), '--out', at('new.png')],
    error: /--z '.*nan-z\.npy' holds a non-finite value \(NaN at index 3/, absent: [at('new.png')] },
  // The limit every generator config passes (a .pth checkpoint's, profile's), before anything is built.
  { name: 'profile --crop-size 65536', args: ['profile', '--preset', 'ade20k', '--norm', 'clade', '--crop-size', '65536'],
    error: /--crop-size 65536 is over the limit of 2048 .*raise the limit with --max-crop-size/ },
  // Image files: checked from their header before decoding, in user terms, with a deliberate way past the limit.
  { name: 'a label whose header claims 30000×30000', args: ['synthesize', '--checkpoint', MODEL, '--label', at('bomb.png'), '--out', at('new.png')],
    error: /'.*bomb\.png' is 30000×30000 = 900,000,000 pixels, over the limit of 67,108,864 \(raise it with --max-pixels\)/, absent: [at('new.png')] },
  { name: 'a label over a lowered --max-pixels', args: ['--max-pixels', '1000', 'data', 'dist-map', '--label', at('label.png'), '--out', at('new.npy')],
    error: /label\.png' is 64×64 = 4,096 pixels, over the limit of 1,000/, absent: [at('new.npy')] },
  { name: '--max-pixels 0', args: ['--max-pixels', '0', 'data', 'dist-map', '--label', at('label.png'), '--out', at('new.npy')],
    error: /--max-pixels must be a positive integer or 'none', got '0'/, absent: [at('new.npy')] },
  { name: 'a truncated label PNG', args: ['synthesize', '--checkpoint', MODEL, '--label', at('cut.png'), '--out', at('new.png')],
    error: /'.*cut\.png' is (a )?truncated/, absent: [at('new.png')] },
  { name: 'a label that is not an image', args: ['data', 'dist-map', '--label', at('notes.png'), '--out', at('new.npy')],
    error: /'.*notes\.png' is not a PNG or JPEG image/, absent: [at('new.npy')] },
  // showcase: its folder's foreign files are kept; one bad mask means no output at all.
  { name: 'showcase over a file it did not write', args: ['showcase', '--out', at('shown'), '--masks', at('masks')],
    error: /--out '.*shown' already holds sheet\.png, not written by clade showcase; pass --force/ },
  { name: 'showcase --model a missing folder', args: ['showcase', '--model', at('no-model'), '--out', at('sheet')],
    error: /--model '.*no-model' does not exist/, absent: [at('sheet')] },
  { name: 'a model folder with a truncated weights.bin',
    args: ['synthesize', '--checkpoint', at('cut-model'), '--label', at('label.png'), '--out', at('new.png')],
    error: /cut-model.weights\.bin' is truncated: [\d,]+ of the [\d,]+ bytes its model\.json lists/, absent: [at('new.png')] },
  { name: 'a model folder whose weights hold NaN', args: ['synthesize', '--checkpoint', at('nan-model'), '--label', at('label.png'), '--out', at('new.png')],
    error: /nan-model.weights\.bin': tensor 'fc\/kernel' holds 1 non-finite value \(first NaN at index 3\); the file is damaged or the run diverged/,
    absent: [at('new.png')] },
  { name: 'a 0-width label PNG', args: ['data', 'dist-map', '--label', at('empty.png'), '--out', at('new.npy')],
    error: /'.*empty\.png' has a 0×64 image: width and height must be at least 1/, absent: [at('new.npy')] },
  { name: 'train --config with cropSize 65536', args: ['train', '--config', at('huge.json'), '--out', at('new-run')],
    error: /generator\.cropSize 65536 is over the limit of 2048 .*raise the limit with --max-crop-size/, absent: [at('new-run')] },
  { name: "train --config with 'generatr'", args: ['train', '--config', at('generatr.json'), '--out', at('new-run')],
    error: /unknown key 'generatr'; did you mean 'generator'\?/, absent: [at('new-run')] },
  { name: 'showcase with one bad mask', args: ['showcase', '--out', at('sheet'), '--masks', at('bad-masks')],
    error: /'.*b\.png' is not a PNG or JPEG image/, absent: [at('sheet')] },
  { name: 'data dist-map --out = --label (not .npy)', args: ['data', 'dist-map', '--label', at('label.png'), '--out', at('label.png')],
    error: /--out must name a \.npy file, got '.*label\.png'/ },
  { name: 'data dist-map --out an existing .npy', args: ['data', 'dist-map', '--label', at('label.png'), '--out', at('z.npy')],
    error: /--out '.*z\.npy' exists; pass --force to replace it/ },
  { name: 'eval --out an existing file', args: ['eval', 'fid', '--real', at('photos'), '--fake', at('photos'), '--out', at('exists.json')],
    error: /--out '.*exists\.json' exists; pass --force to replace it/ },
  { name: 'eval --kid-subset-size 0', args: ['eval', 'kid', '--real', at('photos'), '--fake', at('photos'), '--kid-subset-size', '0'],
    error: /--kid-subset-size must be a positive integer, got '0'/ },
  { name: 'export-onnx over its checkpoint', args: ['export-onnx', at('model.onnx'), at('model.onnx')],
    error: /<out\.onnx> '.*model\.onnx' is also <checkpoint>/ },
];

/** A PNG whose header (IHDR, CRC fixed) claims another size: a few bytes that ask for gigabytes. */
function withSize(png: Uint8Array, width: number, height: number): Buffer {
  const b = Buffer.from(png);
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  b.writeUInt32BE(crc32(b.subarray(12, 29)), 29); // the CRC covers the chunk type and its 13 data bytes
  return b;
}

beforeAll(async () => {
  const ids = new Uint8Array(64 * 64).map((_, i) => (i % 64 < 32 ? 2 : 5));
  writeFileSync(at('label.png'), encode({ width: 64, height: 64, data: ids, channels: 1, depth: 8 }));
  writeFileSync(at('exists.png'), 'a user file');
  writeFileSync(at('exists.json'), '{"mine": true}');
  writeFileSync(at('model.onnx'), 'not really a model');
  mkdirSync(at('folder.png'));
  mkdirSync(at('run'));
  writeFileSync(at('run', 'run.json'), '{}');
  mkdirSync(at('broken-run'));
  writeFileSync(at('broken-run', 'run.json'), '{"generator": ');
  mkdirSync(at('photos'));
  writeFileSync(at('photos', 'a.png'), 'x');
  await saveNpyFile(at('z.npy'), { dtype: 'float32', shape: [1, 256], data: new Float32Array(256) });
  await saveNpyFile(at('nan-z.npy'), { dtype: 'float32', shape: [1, 256], data: new Float32Array(256).map((_, i) => (i === 3 ? NaN : 0)) });
  const noData = JSON.parse(readFileSync(TINY, 'utf8'));
  noData.data = { dataset: 'ade20k', root: at('no-such-data'), loadSize: 72, batchSize: 1 };
  writeFileSync(at('no-data.json'), JSON.stringify(noData));
  const typo = JSON.parse(readFileSync(TINY, 'utf8'));
  typo.schedule = { maxIteratons: 5 };
  writeFileSync(at('typo.json'), JSON.stringify(typo));
  writeFileSync(at('list.json'), '[]');
  const png = readFileSync(at('label.png'));
  writeFileSync(at('cut.png'), png.subarray(0, Math.floor(png.length / 2)));
  writeFileSync(at('notes.png'), 'my notes, not an image');
  writeFileSync(at('bomb.png'), withSize(encode({ width: 1, height: 1, data: new Uint8Array(1), channels: 1, depth: 8 }), 30000, 30000));
  for (const d of ['masks', 'bad-masks', 'shown', 'cut-model', 'nan-model']) mkdirSync(at(d));
  for (const f of ['model.json', 'clade.json', 'weights.bin']) writeFileSync(at('nan-model', f), readFileSync(path.join(MODEL, f)));
  const nan = readFileSync(at('nan-model', 'weights.bin'));
  nan.writeUInt16LE(0x7e00, 6); // float16 NaN in element 3 of the first weight (fc/kernel, stored as float16)
  writeFileSync(at('nan-model', 'weights.bin'), nan);
  writeFileSync(at('empty.png'), withSize(png, 0, 64));
  const { generator, ...rest } = JSON.parse(readFileSync(TINY, 'utf8'));
  writeFileSync(at('generatr.json'), JSON.stringify({ generatr: generator, ...rest }));
  writeFileSync(at('huge.json'), JSON.stringify({ generator: { ...generator, cropSize: 65536 }, ...rest }));
  for (const f of ['model.json', 'clade.json']) writeFileSync(at('cut-model', f), readFileSync(path.join(MODEL, f)));
  const weights = readFileSync(path.join(MODEL, 'weights.bin'));
  writeFileSync(at('cut-model', 'weights.bin'), weights.subarray(0, weights.length >> 1));
  writeFileSync(at('shown', 'sheet.png'), 'my own sheet');
  writeFileSync(at('masks', 'a.png'), png);
  writeFileSync(at('bad-masks', 'a.png'), png);
  writeFileSync(at('bad-masks', 'b.png'), 'not a mask');
});

describe('bad input: exit 2, one line naming the problem, nothing on disk changed', () => {
  let results: CliResult[] = [];
  let before: Record<string, string> = {};
  beforeAll(async () => {
    before = fileTreeSnapshot(dir);
    results = await runAll(CASES.map((c) => c.args));
  }, 600_000);

  it.each(CASES.map((c, i) => [c.name, i] as const))('%s', (_, i) => {
    const c = CASES[i]!;
    const r = results[i]!;
    const lines = r.err.trim().split('\n');
    expect({ code: r.code, lines, stack: /\n\s+at /.test(r.err) }).toEqual({ code: 2, lines: [expect.stringMatching(c.error)], stack: false });
    for (const p of c.absent ?? []) expect(existsSync(p)).toBe(false);
  });

  it('no case changed, added or removed a file', () => {
    expect(fileTreeSnapshot(dir)).toEqual(before);
  });
});
