/**
 * `osqsim simulate --start-at TIME`: the wall-clock instant every shard of one run takes as t = 0, so
 * shards started on several machines (or by `osqsim run` as several processes) check in on one
 * schedule. Written as RFC 3339 (`2026-12-05T12:00:00Z`, an offset instead of Z, fractions allowed) or
 * as epoch milliseconds (`1796472000000`). Pure: the caller passes the clock.
 */
import { osqsimError } from './errors.js';

/** How far ahead a start may be: a day covers scheduling a run; more is almost always a typo. */
export const START_AT_MAX_AHEAD_MS = 24 * 3_600_000;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

const invalid = (reason: string) => osqsimError('CLI_INVALID_OPTION', { option: '--start-at', reason });

/** `text` → epoch ms, refused (CLI_INVALID_OPTION, exit 2) when malformed, in the past or more than a day ahead of `nowMs`. */
export function parseStartAt(text: string, nowMs: number): number {
  const trimmed = text.trim();
  let at: number;
  if (/^\d+$/.test(trimmed)) {
    at = Number(trimmed);
    // Epoch seconds (10 digits) are a common slip: they would read as January 1970.
    if (trimmed.length < 12) throw invalid(`"${text}" looks like epoch seconds; give epoch milliseconds (${trimmed}000) or an RFC 3339 time like 2026-12-05T12:00:00Z`);
  } else if (RFC3339.test(trimmed)) {
    at = Date.parse(trimmed.replace(' ', 'T'));
    if (!Number.isFinite(at)) throw invalid(`"${text}" is not a valid date and time`);
  } else {
    throw invalid(`expected an RFC 3339 time like 2026-12-05T12:00:00Z or epoch milliseconds (got "${text}")`);
  }
  if (at < nowMs) {
    throw invalid(`${new Date(at).toISOString()} is ${((nowMs - at) / 1000).toFixed(1)} s in the past; choose a time far enough ahead for every shard to start (e.g. now + 30 s)`);
  }
  if (at - nowMs > START_AT_MAX_AHEAD_MS) {
    throw invalid(`${new Date(at).toISOString()} is more than 24 h ahead (${((at - nowMs) / 3_600_000).toFixed(1)} h); check the date`);
  }
  return at;
}
