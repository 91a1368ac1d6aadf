import { quantizeImage } from '../index';

describe('quantizeImage (official tensor2im: trunc(clip((x + 1) / 2 · 255)) in float32)', () => {
  it('truncates, clips and maps NaN to 0', () => {
    expect([...quantizeImage([-1, 0, 1, -2, 3, 0.999, -0.999, Number.NaN])]).toEqual([0, 127, 255, 0, 255, 254, 0, 0]);
    expect([...quantizeImage(Float32Array.of(-1.5, 1.2, -0.0039215))]).toEqual([0, 255, 127]);
  });
});
