import { ConfigError, labelsToSegmap } from '@clade/core';
import type { LabelMap, RgbImage } from '@clade/data';
import { interpolateStyles, numClassesOf, transferRegionStyles, type SeanGenerator } from '@clade/sean';
import * as tf from '@tensorflow/tfjs-core';
import type { RawImage } from './request';
import { checkSeed, classMapOf, photoValuesOf } from './test-inputs';
import { TfjsGeneratorSynthesizer } from './tfjs-synthesizer';

/** A style photo and the mask its regions are read under. */
export interface SeanStyle {
  /** The photo as decoded (8-bit RGB, any size: the test geometry brings it to the model's size by PIL BICUBIC). */
  photo: RgbImage;
  /** Its mask of raw class ids; default the request's label (the official reconstruction setting). */
  label?: LabelMap;
  /** How messages name `label`, e.g. "--style-label 'mask.png'". */
  labelName?: string;
}

/** How a second style edits the first: some classes' codes taken from it, or every code blended, (1 − mix)·A + mix·B. */
export type SeanStyleEdit = { transferClasses: readonly number[] } | { mix: number };

/** One SEAN image: a label map drawn with the region styles of a photo. */
export interface SeanRequest {
  /** Raw class ids at any size (PIL NEAREST to the model's size). */
  label: LabelMap;
  /** How messages name `label`, e.g. "--label 'mask.png'". Default 'the label'. */
  labelName?: string;
  style: SeanStyle;
  /** A second style, applied by `edit` (default: a blend at mix 0.5). */
  styleB?: SeanStyle;
  edit?: SeanStyleEdit;
  /** Seed of the per-pixel ACE noise (the official test also draws it). Default 0. */
  seed?: number;
}

/** A prepared style: the photo [H,W,3] in [−1, 1] and its mask's class indices [H,W], at the model's size. */
export interface SeanPreparedStyle {
  image: Float32Array;
  /** The request's `classes` itself when the style has no mask of its own. */
  classes: Int32Array;
}

/** A request at the model's size, on plain arrays. */
export interface SeanPreparedInput {
  width: number;
  height: number;
  classes: Int32Array;
  style: SeanPreparedStyle;
  styleB: SeanPreparedStyle | null;
  edit: SeanStyleEdit | null;
  seed: number;
}

/** The checked edit: transfer class ids inside [0, K), a finite mix in [0, 1]. */
function checkEdit(edit: SeanStyleEdit, k: number): SeanStyleEdit {
  if ('transferClasses' in edit) {
    const bad = edit.transferClasses.find((j) => !(Number.isInteger(j) && j >= 0 && j < k));
    if (bad !== undefined) throw new ConfigError(`SEAN transferClasses must be class ids in 0..${k - 1}, got ${bad}.`);
    return { transferClasses: [...edit.transferClasses] };
  }
  if (!(edit.mix >= 0 && edit.mix <= 1)) throw new ConfigError(`SEAN mix must be a number in [0, 1] (0: style, 1: styleB), got ${edit.mix}.`);
  return { mix: edit.mix };
}

/**
 * Label map → image for one SEAN / SEAN-CLADE generator (tfjs): the styles are encoded inside the
 * regions of their masks, optionally edited by a second style (region transfer or a blend), and
 * the label is drawn with them. The steps and the quantiser are those of `Synthesizer`.
 */
export class SeanSynthesizer extends TfjsGeneratorSynthesizer<SeanRequest, SeanPreparedInput, SeanGenerator> {
  /** Class channels K (labelNc + dontcare): the valid ids are 0..K−1. */
  override get numClasses(): number {
    return numClassesOf(this.generator.config);
  }

  override prepare(request: SeanRequest): SeanPreparedInput {
    const c = this.generator.config;
    if (request.edit && !request.styleB) throw new ConfigError('a SEAN style edit (transferClasses or mix) takes its second style from styleB.');
    const classes = classMapOf(request.label, c, request.labelName ?? 'the label');
    const style = (s: SeanStyle, what: string): SeanPreparedStyle => ({
      image: photoValuesOf(s.photo, c),
      classes: s.label ? classMapOf(s.label, c, s.labelName ?? `the ${what} mask`) : classes,
    });
    const { width, height } = this.size;
    return {
      width,
      height,
      classes,
      style: style(request.style, 'style'),
      styleB: request.styleB ? style(request.styleB, 'styleB') : null,
      edit: request.styleB ? checkEdit(request.edit ?? { mix: 0.5 }, this.numClasses) : null,
      seed: checkSeed(request.seed ?? 0, 'the SEAN noise seed'),
    };
  }

  /** The one-hot of class indices at the prepared size (inside a tidy). */
  protected segOf(p: SeanPreparedInput, classes: Int32Array): tf.Tensor4D {
    return labelsToSegmap(tf.tensor3d(classes, [1, p.height, p.width], 'int32'), this.numClasses);
  }

  /**
   * The style codes the synthesis reads (call inside a tidy): the styles encoded inside their masks'
   * regions, then the edit (region transfer or blend). Every engine takes these same codes.
   */
  protected styleCodes(p: SeanPreparedInput, seg: tf.Tensor4D): tf.Tensor3D {
    const g = this.generator;
    const codesOf = (s: SeanPreparedStyle) => {
      const image = tf.tensor4d(s.image, [1, p.height, p.width, 3]);
      return g.encode(image, s.classes === p.classes ? seg : this.segOf(p, s.classes));
    };
    const codes = codesOf(p.style);
    if (!p.styleB || !p.edit) return codes;
    const codesB = codesOf(p.styleB);
    return 'transferClasses' in p.edit ? transferRegionStyles(codes, codesB, [...p.edit.transferClasses]) : interpolateStyles(codes, codesB, p.edit.mix);
  }

  override async run(p: SeanPreparedInput): Promise<RawImage> {
    const y = tf.tidy(() => {
      const seg = this.segOf(p, p.classes);
      return this.generator.synthesize(seg, this.styleCodes(p, seg), { noise: p.seed });
    });
    return this.readOutput(y);
  }
}
