/**
 * One error base for the whole project. `CladeError.isInstance` works across duplicate
 * copies of this package (a Symbol.for marker, not instanceof). The CLI prints ConfigError,
 * ShapeError, IOError and DivergedError as one line with exit code 2; anything else is a bug.
 */
const MARKER = Symbol.for('@clade/error');

export class CladeError extends Error {
  private readonly [MARKER] = true;
  // Names are literals, not new.target.name: a minifier renames classes.
  override name: string = 'CladeError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    Object.setPrototypeOf(this, new.target.prototype);
  }

  static isInstance(e: unknown): e is CladeError {
    return typeof e === 'object' && e !== null && MARKER in e;
  }
}

/** Bad arguments or options (a user error). */
export class ConfigError extends CladeError {
  override name = 'ConfigError';
}
/** Rank, dimension or channel mismatch (a user error at a package edge). */
export class ShapeError extends CladeError {
  override name = 'ShapeError';
}
/** Load/save failures: missing, corrupt or foreign files, unknown checkpoint keys. */
export class IOError extends CladeError {
  override name = 'IOError';
}
/** Training whose losses went NaN/±Infinity: the run's settings need a change (a user error). */
export class DivergedError extends CladeError {
  override name = 'DivergedError';
}
/** A capability that this build does not provide. */
export class NotImplementedError extends CladeError {
  override name = 'NotImplementedError';
}

/** True for errors the CLI reports as one readable line (exit code 2). */
export function isUserError(e: unknown): boolean {
  return CladeError.isInstance(e) && !(e instanceof NotImplementedError);
}
