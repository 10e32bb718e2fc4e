/**
 * A benchmark's flags as one table (fastify's option schema, k6's consolidated config): each row
 * has the flag as typed, its help, its default as typed, and the parser that checks it. The same
 * table feeds `osqsim bench <name>` and `npx tsx bench/<name>.ts`, so both accept the same flags and
 * reject bad values with the option named. Durations and sizes use lib/units.ts.
 */
import { osqsimError } from '../lib/errors.js';
import { parseCount, parseDurationMs, parseSizeBytes } from '../lib/units.js';

/** One flag. `parse` receives the typed text (or, for a switch, true/false), and undefined when absent. */
export interface BenchParam<T> {
  /** Commander spelling: `--hosts <n>`, `--buffer-pool <size>`, `--reset`, `--no-naive`. */
  readonly flag: string;
  readonly help: string;
  /** The default as a user would type it; absent = no default. */
  readonly default?: string;
  readonly required?: boolean;
  /** The flag may be given more than once; the values arrive joined by commas. */
  readonly repeatable?: boolean;
  readonly parse: (value: string | boolean | undefined, option: string) => T;
}

export type BenchParams = Readonly<Record<string, BenchParam<unknown>>>;

/** The parsed values of a table, keyed like the table. */
export type ParamValues<T extends BenchParams> = { readonly [K in keyof T]: ReturnType<T[K]['parse']> };

/** A parser from text; `check` turns text into a value or throws with the option named. */
type TextParser<T> = (text: string, option: string) => T;

function invalid(option: string, reason: string): Error {
  return osqsimError('CLI_INVALID_OPTION', { option, reason });
}

/** A flag that takes a value and has a default (or is required). */
export function option<T>(flag: string, help: string, parse: TextParser<T>, defaultText?: string): BenchParam<T> {
  return {
    flag,
    help,
    ...(defaultText === undefined ? { required: true } : { default: defaultText }),
    parse: (value, name) => {
      if (typeof value !== 'string') throw invalid(name, 'a value is required');
      return parse(value, name);
    },
  };
}

/** A flag that may be given more than once (`--endpoint read --endpoint log`): `parse` sees the values joined by commas. */
export function repeatable<T>(param: BenchParam<T>): BenchParam<T> {
  return { ...param, repeatable: true };
}

/** A flag that takes a value and may be left out (undefined then). */
export function optional<T>(flag: string, help: string, parse: TextParser<T>): BenchParam<T | undefined> {
  return { flag, help, parse: (value, name) => (typeof value === 'string' ? parse(value, name) : undefined) };
}

/** A switch: `--reset` (false unless given) or `--no-naive` (true unless negated). */
export function toggle(flag: string, help: string): BenchParam<boolean> {
  const negatable = flag.startsWith('--no-');
  return { flag, help, parse: (value) => (value === undefined ? negatable : value === true) };
}

// --- value parsers: the one place each kind of value is checked -----------------------------------

/** A whole number ≥ 1 (≥ 0 with `min: 0`); `1_000` and `1,000` are accepted. */
export function integer(min = 1): TextParser<number> {
  return (text, name) => parseCount(name, text, min);
}

export const positiveInt = integer(1);
export const nonNegativeInt = integer(0);

/** A number > 0 (a rate). */
export const positiveNumber: TextParser<number> = (text, name) => {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0) throw invalid(name, `expected a number > 0 (got "${text}")`);
  return value;
};

/** A number ≥ 0 (a factor). */
export const nonNegativeNumber: TextParser<number> = (text, name) => {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) throw invalid(name, `expected a number ≥ 0 (got "${text}")`);
  return value;
};

/** A duration in milliseconds: `10s`, `500ms`, `1m`; a bare number is seconds (lib/units.ts). */
export const durationMs: TextParser<number> = (text) => parseDurationMs(text);

/** A size in bytes: `2GiB`, `512MiB`, a byte count (lib/units.ts). */
export const sizeBytes: TextParser<number> = (text) => parseSizeBytes(text);

export const text: TextParser<string> = (value) => value;

export function oneOf<const V extends string>(values: readonly V[]): TextParser<V> {
  return (value, name) => {
    if (!(values as readonly string[]).includes(value)) throw invalid(name, `expected one of ${values.join(', ')} (got "${value}")`);
    return value as V;
  };
}

/** A comma-separated list of known names (each a `noun`), at least one. */
export function listOf<const V extends string>(values: readonly V[], noun = 'value'): TextParser<V[]> {
  return (value, name) => {
    const items = value.split(',').map((item) => item.trim()).filter(Boolean);
    for (const item of items) {
      if (!(values as readonly string[]).includes(item)) throw invalid(name, `unknown ${noun} "${item}" (expected ${values.join(', ')})`);
    }
    if (items.length === 0) throw invalid(name, `expected a comma-separated list of ${values.join(', ')}`);
    return items as V[];
  };
}

/** An http:// or https:// URL. */
export const httpUrl: TextParser<string> = (value, name) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(name, `not a URL: "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(name, 'expected an http:// or https:// URL');
  return value;
};

// --- the table → values ------------------------------------------------------------------------

/** The option's long name without dashes or `no-`: `--buffer-pool <size>` → `buffer-pool`. */
export function flagName(flag: string): string {
  return flag.split(/[\s,]+/).find((part) => part.startsWith('--'))!.slice(2).replace(/^no-/, '');
}

/** The key commander stores a flag's value under: `buffer-pool` → `bufferPool`. */
export function attributeName(flag: string): string {
  return flagName(flag).replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/**
 * Parses raw flag values (keyed by attribute name, as commander gives them; defaults not applied)
 * through the table. The first bad value throws CLI_INVALID_OPTION (or CLI_INVALID_DURATION/SIZE).
 */
export function parseParams<T extends BenchParams>(params: T, raw: Readonly<Record<string, unknown>>): ParamValues<T> {
  const values: Record<string, unknown> = {};
  for (const [key, param] of Object.entries(params)) {
    const given = raw[attributeName(param.flag)];
    const value = typeof given === 'string' || typeof given === 'boolean' ? given : param.default;
    values[key] = param.parse(value, `--${flagName(param.flag)}`);
  }
  return values as ParamValues<T>;
}
