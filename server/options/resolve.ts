/**
 * Server options from CLI flags and the environment (strings) or from code (a partial object):
 * merged over the defaults — defaults < environment < flags — checked once and frozen. Every problem
 * names the flag (or the environment variable) it came from. The option table is schema.ts; this is
 * the only place that reads process.env for the server.
 */
import type { ServerOptions } from './options.js';
import { DEFAULT_SERVER_OPTIONS, OPTION_ROWS, flagProperty, type AnyOptionRow, type ServerFlags } from './schema.js';
import { invalidOption } from './value-kinds.js';

export type { ServerFlags } from './schema.js';
export { parseEnrollSecret } from './value-kinds.js';

/** Environment variables as process.env holds them. */
export type Environment = Readonly<Record<string, string | undefined>>;

type Mutable<T> = { -readonly [K in keyof T]?: T[K] };
/** Where a value came from, when not from code: the flag or the environment variable. */
type Sources = Partial<Record<keyof ServerOptions, string>>;

function fromText(row: AnyOptionRow, texts: readonly string[], source: string): unknown {
  if (row.kind.repeatable === true) {
    return texts.flatMap((text) => row.kind.parse(text, source) as readonly unknown[]);
  }
  return row.kind.parse(texts[texts.length - 1]!, source);
}

/**
 * `osqsim server` flags and the environment → validated, frozen options. Throws CLI_* errors
 * (exit code 2). A flag beats its environment variable; an empty variable counts as unset.
 */
export function serverOptionsFromFlags(flags: ServerFlags, env: Environment = process.env): ServerOptions {
  const given: Mutable<ServerOptions> = {};
  const sources: Sources = {};
  const raw = flags as Readonly<Record<string, string | boolean | readonly string[] | undefined>>;
  for (const row of OPTION_ROWS) {
    const flagValue = raw[flagProperty(row.flag)];
    const envValue = row.env === undefined ? undefined : env[row.env];
    let value: unknown;
    if (flagValue !== undefined) {
      // A switch arrives from commander as true (given without a value).
      const texts = typeof flagValue === 'boolean' ? [String(flagValue)] : typeof flagValue === 'string' ? [flagValue] : flagValue;
      value = fromText(row, texts, row.flag);
      if (value !== undefined) sources[row.key] = row.flag;
    }
    if (value === undefined && envValue !== undefined && envValue !== '') {
      value = fromText(row, [envValue], row.env!);
      if (value !== undefined) sources[row.key] = row.env!;
    }
    if (value !== undefined) (given as Record<string, unknown>)[row.key] = value;
  }
  return resolve(given, sources);
}

/** Defaults + the given options, checked and frozen (buildServer calls this; it reads no environment). */
export function resolveServerOptions(partial: Partial<ServerOptions>): ServerOptions {
  return resolve(partial, {});
}

function resolve(partial: Partial<ServerOptions>, sources: Sources): ServerOptions {
  const defined = Object.fromEntries(Object.entries(partial).filter(([, value]) => value !== undefined)) as Partial<ServerOptions>;
  const options: ServerOptions = { ...DEFAULT_SERVER_OPTIONS, ...defined };
  const flagOf = new Map(OPTION_ROWS.map((each) => [each.key, each.flag]));
  const nameOf = (key: keyof ServerOptions): string => sources[key] ?? flagOf.get(key) ?? `options.${key}`;
  for (const row of OPTION_ROWS) {
    const value = options[row.key];
    if (row.check === undefined || value === undefined) continue;
    const reason = (row.check as (value: unknown, options: ServerOptions, nameOf: (key: keyof ServerOptions) => string) => string | undefined)(value, options, nameOf);
    if (reason !== undefined) throw invalidOption(nameOf(row.key), reason);
  }
  return Object.freeze({ ...options, enrollSecrets: Object.freeze([...options.enrollSecrets]) });
}
