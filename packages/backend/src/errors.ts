/**
 * The backend package's only error. It carries the project-wide `Symbol.for('@clade/error')`
 * marker, so `CladeError.isInstance` in `@clade/core` (and the CLI's user-error check) treat it
 * like a `ConfigError`, without this package depending on core (core depends on us for tests).
 *
 * Message format: `<Component>: <what> must be <rule>, got <value>. [Supported: a, b, c.]`
 */
const MARKER = Symbol.for('@clade/error');

export class BackendError extends Error {
  private readonly [MARKER] = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    Object.setPrototypeOf(this, new.target.prototype);
  }

  /** True for any `@clade/*` error (the shared marker), across duplicate package copies. */
  static isInstance(e: unknown): e is BackendError {
    return typeof e === 'object' && e !== null && MARKER in e;
  }
}
