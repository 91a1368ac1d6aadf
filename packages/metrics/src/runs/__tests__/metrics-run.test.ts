import * as tf from '@tensorflow/tfjs-core';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { evalPreset, evaluateMetrics, formatProtocol, type SegmenterDescriptor } from '../../index';
import { hashedUniform } from '../../__tests__/helpers/hashed';
import { writeHashedInception } from '../../__tests__/helpers/inception-pth';
import { png } from '../../__tests__/helpers/png';
import { paint, rgbSegmenter } from '../../__tests__/helpers/rgb-segmenter';

describe('evaluateMetrics', () => {
  let dir: string;
  let descriptor: SegmenterDescriptor;
  const at = (...p: string[]) => path.join(dir, ...p);
  const miou = () => ({ images: at('images'), labels: at('labels'), segmenter: descriptor, segmenterFile: at(descriptor.fileName) });

  beforeAll(async () => {
    const { initBackend } = await import('@clade/backend');
    await initBackend({ backend: 'wasm', threads: 1 });
    dir = mkdtempSync(path.join(tmpdir(), 'metrics-run-'));
    writeHashedInception(at('w.pth'));
    const seg = rgbSegmenter(4, 2);
    descriptor = seg.descriptor;
    writeFileSync(at(descriptor.fileName), seg.model);
    for (const d of ['real', 'images', 'labels']) mkdirSync(at(d));
    for (let i = 0; i < 2; i++) {
      const classes = [0, 1, 2, i, 2, 1, 0, i];
      writeFileSync(at('images', `${i}.png`), png(4, 2, 3, paint(classes)));
      writeFileSync(at('labels', `${i}.png`), png(4, 2, 1, Uint8Array.from(classes)));
      writeFileSync(at('real', `${i}.png`), png(4, 2, 3, Uint8Array.from({ length: 24 }, (_, j) => Math.floor(hashedUniform(9, i, j) * 256))));
    }
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await tf.setBackend('cpu');
  });

  it('runs FID and mIoU and gives them one protocol, in the order formatProtocol prints', async () => {
    const before = tf.memory().numTensors;
    const r = await evaluateMetrics({
      preset: evalPreset('ade20k'),
      fidKid: { real: { kind: 'images', path: at('real') }, fake: { kind: 'images', path: at('images') }, weights: at('w.pth'), dims: 64, backend: 'native' },
      miou: miou(),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(Object.keys(r.protocol)).toEqual(['protocolVersion', 'dataset', 'imageSize', 'fid', 'kid', 'segmentation', 'software']);
    expect(r.protocol).toMatchObject({ protocolVersion: 1, dataset: 'ade20k', imageSize: '256×256', kid: null });
    expect(r.protocol.fid).toBe(r.fidKid!.protocol.fid);
    expect(r.protocol.fid!.referenceSplit).toMatch(/^train \(the ade20k preset/);
    expect(r.protocol.segmentation).toBe(r.miou!.protocol);
    expect(r.protocol.segmentation!.labelConvention).toBe(evalPreset('ade20k').labelConvention);
    expect(r.protocol.software).toEqual(r.fidKid!.software);
    expect(Object.keys(r.protocol.software)).toEqual(['@clade/metrics', 'onnxruntime-node', '@tensorflow/tfjs-core', 'tfjsBackend']);
    expect(r.fidKid!.fid!.distance).toBeGreaterThan(0);
    expect(r.miou!.scores.accuracy).toBe(1);
    expect(formatProtocol(r.protocol)).toMatch(/dataset: ade20k[^]*fid: pytorch-fid InceptionV3[^]*segmentation: rgb_argmax[^]*tfjsBackend native$/);
  }, 120_000);

  it('records no tfjs backend when no Inception features ran', async () => {
    const r = await evaluateMetrics({ miou: miou() });
    expect([r.fidKid, r.protocol.fid, r.protocol.dataset]).toEqual([null, null, null]);
    expect(Object.keys(r.protocol.software)).toEqual(['@clade/metrics', 'onnxruntime-node', '@tensorflow/tfjs-core']);
  });

  it('refuses an empty request', async () => {
    await expect(evaluateMetrics({})).rejects.toThrow('evaluateMetrics: nothing to evaluate; pass fidKid and/or miou.');
  });
});
