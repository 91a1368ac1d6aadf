/**
 * One error base for the whole project. `CladeError.isInstance` works across duplicate
 * copies of this package (a Symbol.for marker, not instanceof). The CLI prints ConfigError,
 * ShapeError, IOError and DivergedError as one line with exit code 2; anything else is a bug.
 */
const MARKER = Symbol.for('@clade/error');

export class CladeError extends Error {
  private readonly [MARKER] = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    Object.setPrototypeOf(this, new.target.prototype);
  }

  static isInstance(e: unknown): e is CladeError {
    return typeof e === 'object' && e !== null && MARKER in e;
  }
}

/** Bad arguments or options (a user error). */
export class ConfigError extends CladeError {}
/** Rank, dimension or channel mismatch (a user error at a package edge). */
export class ShapeError extends CladeError {}
/** Load/save failures: missing, corrupt or foreign files, unknown checkpoint keys. */
export class IOError extends CladeError {}
/** Training whose losses went NaN/±Infinity: the run's settings need a change (a user error). */
export class DivergedError extends CladeError {}
/** A capability that this build does not provide. */
export class NotImplementedError extends CladeError {}

/** True for errors the CLI reports as one readable line (exit code 2). */
export function isUserError(e: unknown): boolean {
  return CladeError.isInstance(e) && !(e instanceof NotImplementedError);
}
