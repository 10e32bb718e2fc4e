/**
 * Column sizes both stores enforce, so a value too long for MySQL's VARCHAR is the same typed error
 * (STORE_INVALID, 400) on memory and MySQL instead of a truncation or a driver error.
 * VARCHAR(n) counts characters (code points), not UTF-16 units.
 */
import { osqsimError } from '../../lib/errors.js';

export const MAX_NAME_CHARS = 255;
export const MAX_SECRET_CHARS = 255;
export const MAX_TEAM_DESCRIPTION_CHARS = 1023;

export function charCount(value: string): number {
  return Array.from(value).length;
}

/** Throws STORE_INVALID when `value` has more than `max` characters. */
export function assertFits(what: string, value: string, max: number): void {
  if (value.length <= max) return;
  const n = charCount(value);
  if (n > max) throw osqsimError('STORE_INVALID', { what, reason: `${n} characters, at most ${max}` });
}
