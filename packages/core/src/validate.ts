// Argument checks that configs and layers of every @clade/* package share. Messages follow the
// errors convention: `<who>: <field> must be <rule>, got <value>.`
import { ConfigError } from './errors';

/** How a rejected value is written in a message. */
export type ShowValue = (v: unknown) => string;

const quoted: ShowValue = (v) => `'${String(v)}'`;

/** Returns `v` if it is one of `allowed`; else a ConfigError listing them (value quoted by default). */
export function assertOneOf<T extends string>(
  v: unknown,
  allowed: readonly T[],
  who: string,
  field: string,
  show: ShowValue = quoted,
): T {
  if (!allowed.includes(v as T)) throw new ConfigError(`${who}: ${field} must be one of ${allowed.join(', ')}, got ${show(v)}.`);
  return v as T;
}

/** Returns `v` if it is an integer ≥ 1; else a ConfigError (value as `String(v)` by default). */
export function assertPositiveInt(v: unknown, who: string, field: string, show: ShowValue = String): number {
  if (!(typeof v === 'number' && Number.isInteger(v) && v >= 1))
    throw new ConfigError(`${who}: ${field} must be a positive integer, got ${show(v)}.`);
  return v;
}
