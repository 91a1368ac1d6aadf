import type { PreprocessConfig } from '@clade/data';
import { presetInfo, type GeneratorConfig, type PresetName } from '@clade/spade-gen';

/**
 * The test-time geometry of the official loader (REFERENCE §12.1): resize to load = crop (no
 * crop offset, no flip) for square presets; 'fixed' (W = crop, H = round(crop / aspect)) for
 * Cityscapes and any aspect ratio ≠ 1. A label already at that size is not resampled. Without a
 * preset (a trained run), the aspect ratio alone decides.
 */
export function testPreprocess(preset: PresetName | null, c: Pick<GeneratorConfig, 'cropSize' | 'aspectRatio'>): PreprocessConfig {
  const fixed = (preset !== null && presetInfo(preset).testPreprocess === 'fixed') || c.aspectRatio !== 1;
  return fixed
    ? { mode: 'fixed', loadSize: c.cropSize, cropSize: c.cropSize, aspectRatio: c.aspectRatio, flip: false }
    : { mode: 'resize_and_crop', loadSize: c.cropSize, cropSize: c.cropSize, aspectRatio: 1, flip: false };
}

/** The size (width, height) a label has when it enters the generator. */
export function modelInputSize(preset: PresetName | null, c: Pick<GeneratorConfig, 'cropSize' | 'aspectRatio'>): { width: number; height: number } {
  const p = testPreprocess(preset, c);
  if (p.mode !== 'fixed') return { width: p.cropSize, height: p.cropSize };
  const h = p.cropSize / (p.aspectRatio ?? 1);
  // Python round (half to even), as the official loader.
  const r = Math.round(h);
  return { width: p.cropSize, height: Math.abs(h % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r };
}
