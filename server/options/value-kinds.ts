/**
 * How a server option's value is written on the command line and in the environment: one kind per
 * sort of value (duration, size, whole number …). Each kind parses text, naming the flag or the
 * environment variable it came from in its error, and formats a value back the way a user would
 * write it, so help and the README print the defaults from the same values the server uses.
 */
import { osqsimError } from '../../lib/errors.js';
import { LOG_LEVELS, isLogLevel } from '../../lib/log.js';
import { formatDurationMs, parseDurationMs, parseDurationSeconds, parseSizeBytes } from '../../lib/units.js';
import type { LevelWithSilent } from 'pino';
import type { EditedPoliciesMode, StatsStrategyName } from '../../contract/vocabulary.js';
import { parseStoreSpec } from '../store/index.js';
import type { EnrollSecretOption } from './options.js';

export interface ValueKind<T> {
  /**
   * Text → value; throws CLI_INVALID_OPTION (or CLI_INVALID_STORE) naming `source`, the flag or the
   * environment variable. undefined means "not given" (an empty token).
   */
  parse(text: string, source: string): T | undefined;
  /** Value → text as a user would write it (`1h`, `5MiB`). */
  format(value: T): string;
  /** The flag may be given several times; each occurrence adds to the list. */
  readonly repeatable?: boolean;
  /** The flag takes no value: giving it means true (its environment variable takes true/false). */
  readonly switch?: boolean;
}

/** The error every option problem raises: `invalid option --port: "x" is not a whole number`. */
export function invalidOption(option: string, reason: string): Error {
  return osqsimError('CLI_INVALID_OPTION', { option, reason });
}

export const text: ValueKind<string> = {
  parse: (value) => value,
  format: (value) => value,
};

/** A secret such as the API token: an empty value counts as not given. */
export const token: ValueKind<string> = {
  parse: (value) => (value === '' ? undefined : value),
  format: () => '(set)',
};

/** A switch: the flag alone means true; its environment variable is `true`/`1` or `false`/`0`. */
export const onOff: ValueKind<boolean> = {
  parse: (value, source) => {
    const lowered = value.trim().toLowerCase();
    if (lowered === '') return undefined;
    if (lowered === 'true' || lowered === '1') return true;
    if (lowered === 'false' || lowered === '0') return false;
    throw invalidOption(source, `"${value}" is not true, false, 1 or 0`);
  },
  format: (value) => String(value),
  switch: true,
};

/** `memory` or a mysql:// URL (the store's own grammar, server/store/index.ts). */
export const storeSpec: ValueKind<string> = {
  parse: (value) => {
    parseStoreSpec(value);
    return value;
  },
  format: (value) => value,
};

export const wholeNumber: ValueKind<number> = {
  parse: (value, source) => {
    if (!/^\d+$/.test(value.trim())) throw invalidOption(source, `"${value}" is not a whole number`);
    return Number(value);
  },
  format: (value) => String(value),
};

/** A non-negative decimal: `0.5`, `1`, `2`. */
export const decimal: ValueKind<number> = {
  parse: (value, source) => {
    if (!/^\d+(\.\d+)?$/.test(value.trim())) throw invalidOption(source, `"${value}" is not a number ≥ 0 (0.5, 1, 2)`);
    return Number(value);
  },
  format: (value) => String(value),
};

/** Milliseconds, written `500ms`, `10s`, `5m`, `1h` (a bare number is seconds). */
export const durationMs: ValueKind<number> = {
  parse: (value, source) => {
    try {
      return parseDurationMs(value);
    } catch {
      throw invalidOption(source, `"${value}" is not a duration (500ms, 10s, 5m, 1h)`);
    }
  },
  format: (value) => formatDurationMs(value),
};

/** osquery's agent options: whole seconds ≥ 1, written `10`, `10s`, `5m`. */
export const wholeSeconds: ValueKind<number> = {
  parse: (value, source) => {
    let seconds: number;
    try {
      seconds = parseDurationSeconds(value);
    } catch {
      throw invalidOption(source, `"${value}" is not a duration (10, 10s, 5m)`);
    }
    if (!Number.isInteger(seconds) || seconds < 1) throw invalidOption(source, `"${value}" must be a whole number of seconds ≥ 1`);
    return seconds;
  },
  format: (value) => String(value),
};

const BINARY_UNITS: ReadonlyArray<readonly [string, number]> = [
  ['GiB', 1024 ** 3],
  ['MiB', 1024 ** 2],
  ['KiB', 1024],
];

/** Bytes, written `1048576`, `512KiB`, `5MiB`. */
export const sizeBytes: ValueKind<number> = {
  parse: (value, source) => {
    try {
      return parseSizeBytes(value);
    } catch {
      throw invalidOption(source, `"${value}" is not a size (1048576, 512KiB, 5MiB)`);
    }
  },
  format: (value) => {
    const unit = BINARY_UNITS.find(([, bytes]) => value >= bytes && value % bytes === 0);
    return unit === undefined ? String(value) : `${value / unit[1]}${unit[0]}`;
  },
};

export const logLevel: ValueKind<LevelWithSilent> = {
  parse: (value, source) => {
    if (!isLogLevel(value)) throw invalidOption(source, `"${value}" (expected ${LOG_LEVELS.slice(0, -1).join(', ')} or silent)`);
    return value;
  },
  format: (value) => value,
};

/** Checked against the strategy list when the options are resolved (code may give one too). */
export const statsStrategy: ValueKind<StatsStrategyName> = {
  parse: (value) => value as StatsStrategyName,
  format: (value) => value,
};

/** Checked against the mode list when the options are resolved. */
export const editedPoliciesMode: ValueKind<EditedPoliciesMode> = {
  parse: (value) => value as EditedPoliciesMode,
  format: (value) => value,
};

/** `self-signed` or `self-signed:DIR` (the folder for the CA, certificate, key and agent files). */
export const tlsMode: ValueKind<string> = {
  parse: (value, source) => {
    if (value === '') return undefined;
    if (!/^self-signed(:.+)?$/.test(value)) throw invalidOption(source, `"${value}" (expected self-signed or self-signed:DIR)`);
    return value;
  },
  format: (value) => value,
};

/** The folder of a `self-signed:DIR` mode, undefined for plain `self-signed`. */
export function tlsModeDir(mode: string): string | undefined {
  return mode.startsWith('self-signed:') ? mode.slice('self-signed:'.length) : undefined;
}

/** `SECRET` or `SECRET:TEAM` (the team is created on demand). */
export function parseEnrollSecret(value: string, source = '--enroll-secret'): EnrollSecretOption {
  const colon = value.indexOf(':');
  const secret = (colon < 0 ? value : value.slice(0, colon)).trim();
  const team = colon < 0 ? undefined : value.slice(colon + 1).trim();
  if (secret === '') throw invalidOption(source, `"${value}" has an empty secret (expected SECRET or SECRET:TEAM)`);
  if (team !== undefined && team === '') throw invalidOption(source, `"${value}" has an empty team name`);
  return team === undefined ? { secret } : { secret, team };
}

/** Repeatable `SECRET[:TEAM]`; each occurrence adds one secret. */
export const enrollSecrets: ValueKind<readonly EnrollSecretOption[]> = {
  parse: (value, source) => [parseEnrollSecret(value, source)],
  format: (value) => (value.length === 0 ? 'none' : value.map(({ secret, team }) => (team === undefined ? secret : `${secret}:${team}`)).join(', ')),
  repeatable: true,
};
