/**
 * A shard failure that another attempt cannot fix (e.g. a bad argument): the shard fails for good at once
 * instead of using up its retries. Recognised across duplicate package copies by a symbol marker.
 */
const MARKER = Symbol.for('@clade/queue/permanent');

export class PermanentShardError extends Error {
  private readonly [MARKER] = true;
  override name = 'PermanentShardError';
  static isInstance(e: unknown): e is PermanentShardError {
    return typeof e === 'object' && e !== null && MARKER in e;
  }
}
