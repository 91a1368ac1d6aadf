import { isUserError } from '@clade/core';

/**
 * An HTTP answer other than 200: its status, a one-line message for `{"error": …}`, and headers
 * (Retry-After on 429/503). Routes throw it; the server's error handler writes it.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** The JSON body of every error answer: one line, no stack. */
export function errorBody(message: string): { error: string } {
  return { error: message.replace(/\s*\n\s*/g, ' ') };
}

/** A user error (ConfigError, IOError, ShapeError from @clade/*) is the client's fault: 400; the rest is ours: 500. */
export function statusOf(e: unknown): number {
  if (e instanceof HttpError) return e.status;
  return isUserError(e) ? 400 : 500;
}
