/**
 * Checks of a scheduled query's fields, shared by the queries REST API, `POST /spec/queries` and
 * fleetctl `kind: report` documents: Fleet's Verify() (server/fleet/queries.go — blank name or
 * SQL, logging type, platforms) with Fleet's own messages, plus osqsim's read-only SQL rule (as
 * for policies) and the sizes the MySQL columns hold.
 */
import { normalisePlatformList } from '../../contract/platforms.js';
import { QUERY_LOGGING_TYPES, type QueryLogging } from '../store/query-types.js';
import { MAX_NAME_CHARS } from '../store/limits.js';
import { ALLOWED_PLATFORMS, readOnlyProblem, tooLongProblem } from './validate.js';

/** Fleet's messages (server/fleet/queries.go errQueryEmptyName, …). */
export const QUERY_ERRORS = {
  emptyName: 'query name cannot be empty',
  emptyQuery: "query's SQL query cannot be empty",
  invalidPlatform: "query's platform must be a comma-separated list of 'darwin', 'linux', 'windows', and/or 'chrome' in a single string",
  invalidLogging: "invalid logging value, must be one of 'snapshot', 'differential', 'differential_ignore_removals'",
  invalidQuery: "query's SQL query is invalid",
} as const;

/** The largest interval MySQL's INT UNSIGNED column (Fleet's schedule_interval) holds. */
export const MAX_QUERY_INTERVAL = 4_294_967_295;
const MAX_DESCRIPTION_BYTES = 65_535;
const MAX_VERSION_CHARS = 255;

export interface QueryFields {
  name?: string;
  query?: string;
  platform?: string;
  logging?: string;
  description?: string;
  minOsqueryVersion?: string;
}

export const isQueryLogging = (value: string): value is QueryLogging => (QUERY_LOGGING_TYPES as readonly string[]).includes(value);

export interface QueryFieldProblem {
  readonly field: keyof QueryFields;
  readonly message: string;
}

/** The first problem and its field, worded as Fleet words it, or undefined. `partial` = PATCH (only given fields are checked). */
export function queryProblem(fields: QueryFields, partial: boolean): QueryFieldProblem | undefined {
  const at = (field: keyof QueryFields, message: string): QueryFieldProblem => ({ field, message });
  if (!partial || fields.name !== undefined) {
    if ((fields.name ?? '').trim() === '') return at('name', QUERY_ERRORS.emptyName);
    const long = tooLongProblem('query name', fields.name?.normalize('NFC'), MAX_NAME_CHARS);
    if (long) return at('name', long);
  }
  if (!partial || fields.query !== undefined) {
    const sql = fields.query ?? '';
    if (sql.trim() === '') return at('query', QUERY_ERRORS.emptyQuery);
    const problem = readOnlyProblem(sql);
    if (problem) return at('query', `${QUERY_ERRORS.invalidQuery}: ${problem}`);
  }
  // Fleet's NewQuery and ModifyQuery turn an empty logging type into snapshot before Verify().
  if (fields.logging !== undefined && fields.logging !== '' && !isQueryLogging(fields.logging)) return at('logging', QUERY_ERRORS.invalidLogging);
  if (fields.platform !== undefined && fields.platform.trim() !== '') {
    for (const item of normalisePlatformList(fields.platform).split(',')) {
      if (!ALLOWED_PLATFORMS.includes(item)) return at('platform', `${QUERY_ERRORS.invalidPlatform} (got "${item}")`);
    }
  }
  if (fields.description !== undefined) {
    const bytes = Buffer.byteLength(fields.description, 'utf8');
    if (bytes > MAX_DESCRIPTION_BYTES) return at('description', `query description is too long (${bytes} bytes; at most ${MAX_DESCRIPTION_BYTES})`);
  }
  const version = tooLongProblem('min_osquery_version', fields.minOsqueryVersion, MAX_VERSION_CHARS);
  return version ? at('minOsqueryVersion', version) : undefined;
}

/** undefined when `value` is a valid interval in seconds; otherwise why not. */
export function intervalProblem(value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_QUERY_INTERVAL) {
    return `interval must be a whole number of seconds from 0 to ${MAX_QUERY_INTERVAL}, got ${JSON.stringify(value)}`;
  }
  return undefined;
}
