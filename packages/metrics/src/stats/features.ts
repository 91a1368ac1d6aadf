import { ShapeError } from '@clade/core';
import { assertPositiveInt } from '@clade/core/internal';

/** A row-major matrix of feature vectors: rows × dims. */
export interface FeatureMatrix {
  rows: number;
  dims: number;
  data: Float32Array | Float64Array;
}

/** Checks a FeatureMatrix's shape. */
export function checkFeatures(f: FeatureMatrix, what: string): void {
  if (!Number.isInteger(f.dims) || f.dims < 1) throw new ShapeError(`${what}: dims must be a positive integer, got ${f.dims}.`);
  if (!Number.isInteger(f.rows) || f.rows < 0 || f.data.length !== f.rows * f.dims)
    throw new ShapeError(`${what}: expected rows·dims = ${f.rows}·${f.dims} values, got ${f.data.length}.`);
}

/**
 * Growable store of feature vectors (float32, as the network emits them; exact), for KID,
 * which needs the vectors themselves rather than their mean and covariance.
 */
export class FeatureBuffer {
  readonly dims: number;
  private buf: Float32Array;
  private n = 0;

  constructor(dims: number, capacity = 64) {
    assertPositiveInt(dims, 'FeatureBuffer', 'dims');
    this.dims = dims;
    this.buf = new Float32Array(Math.max(1, capacity) * dims);
  }

  get rows(): number {
    return this.n;
  }

  /** Appends `data.length / dims` rows. */
  add(data: ArrayLike<number>): this {
    const rows = data.length / this.dims;
    if (!Number.isInteger(rows)) throw new ShapeError(`FeatureBuffer.add: ${data.length} values is not a multiple of dims ${this.dims}.`);
    const need = (this.n + rows) * this.dims;
    if (need > this.buf.length) {
      const next = new Float32Array(Math.max(need, this.buf.length * 2));
      next.set(this.buf.subarray(0, this.n * this.dims));
      this.buf = next;
    }
    this.buf.set(data, this.n * this.dims);
    this.n += rows;
    return this;
  }

  matrix(): FeatureMatrix {
    return { rows: this.n, dims: this.dims, data: this.buf.subarray(0, this.n * this.dims) };
  }
}
