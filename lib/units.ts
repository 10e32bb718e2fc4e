/**
 * Durations and sizes as users write them on the command line and in scenario files.
 * `10s`, `5m`, `1h`, `250ms`; a bare number is seconds (osquery's own flags are in seconds).
 */
import { osqsimError } from './errors.js';

const DURATION_UNITS_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Parses a duration into milliseconds; throws CLI_INVALID_DURATION. Compound forms like `1h30m` work. */
export function parseDurationMs(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw osqsimError('CLI_INVALID_DURATION', { value: input });
    return input * 1000;
  }
  const text = input.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let consumed = 0;
  for (let match = part.exec(text); match !== null; match = part.exec(text)) {
    total += Number(match[1]) * DURATION_UNITS_MS[match[2]!]!;
    consumed = part.lastIndex;
  }
  if (text.length === 0 || consumed !== text.length) throw osqsimError('CLI_INVALID_DURATION', { value: input });
  return total;
}

export function parseDurationSeconds(input: string | number): number {
  return parseDurationMs(input) / 1000;
}

/** Formats milliseconds for people: 850ms, 12.5s, 5m, 1h30m. */
export function formatDurationMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))}s`;
  const totalSeconds = Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  return [hours ? `${hours}h` : '', minutes ? `${minutes}m` : '', seconds ? `${seconds}s` : ''].join('') || '0s';
}

const SIZE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/** Parses a size into bytes: `5MiB`, `512KiB`, `1048576`. */
export function parseSizeBytes(input: string | number): number {
  if (typeof input === 'number') return input;
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(input.trim());
  const unit = match?.[2]?.toLowerCase() || 'b';
  const factor = SIZE_UNITS[unit];
  if (!match || factor === undefined) throw osqsimError('CLI_INVALID_SIZE', { value: input });
  return Math.round(Number(match[1]) * factor);
}

/**
 * A count as users write one: `1500`, `1_500`, `1,500`, `150k`, `2m` (thousands, millions). Throws
 * CLI_INVALID_OPTION naming `option` when it is not a whole number ≥ `minimum`.
 */
export function parseCount(option: string, text: string, minimum = 0): number {
  const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.trim().replace(/[_,]/g, ''));
  const factor = match?.[2]?.toLowerCase() === 'k' ? 1000 : match?.[2]?.toLowerCase() === 'm' ? 1_000_000 : 1;
  const value = match ? Number(match[1]) * factor : Number.NaN;
  if (!Number.isInteger(value) || value < minimum) {
    throw osqsimError('CLI_INVALID_OPTION', { option, reason: `expected a whole number ≥ ${minimum} (got "${text}")` });
  }
  return value;
}
