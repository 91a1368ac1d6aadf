import { ConfigError, ShapeError } from '@clade/core';

/** Integer samples of a label or instance map, as PIL holds them: mode L / P (8-bit), I;16, I (32-bit). */
export type LabelData = Uint8Array | Uint16Array | Int32Array;

/** A single-channel integer map (labels or instances), row-major [H,W]. */
export interface LabelMap<D extends LabelData = LabelData> {
  width: number;
  height: number;
  data: D;
}

/** An 8-bit RGB image, row-major, channels interleaved [H,W,3] (PIL mode RGB). */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * A CLADE-ICPE positional map in the official layout: float32 [2,H,W], channel 0 = vertical
 * (row) offset, channel 1 = horizontal (column) offset.
 */
export interface PositionalMap {
  width: number;
  height: number;
  data: Float32Array;
}

/** A pixel rectangle: top-left corner (x, y) and size. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Throws unless `width`/`height` are positive integers; `what` names the caller. */
export function assertSize(width: number, height: number, what: string): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new ConfigError(`${what}: size must be positive integers, got ${width}x${height}.`);
}

/** Throws unless `data.length` equals `width·height·channels`. */
export function assertPlane(
  plane: { width: number; height: number; data: ArrayLike<number> },
  channels: number,
  what: string,
): void {
  assertSize(plane.width, plane.height, what);
  const want = plane.width * plane.height * channels;
  if (plane.data.length !== want)
    throw new ShapeError(
      `${what}: data must hold ${channels}x${plane.height}x${plane.width} = ${want} values, got ${plane.data.length}.`,
    );
}

/** A new typed array of the same class as `like`. */
export function allocLike<D extends LabelData>(like: D, length: number): D {
  const Ctor = like.constructor as new (n: number) => D;
  return new Ctor(length);
}
