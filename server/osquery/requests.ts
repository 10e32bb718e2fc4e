/**
 * Request bodies of the osquery TLS remote API (reference fleet-policies.md §1.4–§1.8), checked by
 * hand: cheap on the hot path, and every rejection says which field was wrong (400 OSQ_BAD_REQUEST).
 */
import { osqsimError } from '../../lib/errors.js';
import type { ResultRow } from './detail-queries.js';

type Json = Record<string, unknown>;

function bad(reason: string): Error {
  return osqsimError('OSQ_BAD_REQUEST', { reason });
}

export function asObject(body: unknown): Json {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('the body must be a JSON object');
  return body as Json;
}

/** The node key, or undefined when absent or empty (→ 401 node_invalid); a non-string is a 400. */
export function nodeKeyOf(body: Json): string | undefined {
  const key = body.node_key;
  if (key === undefined || key === null || key === '') return undefined;
  if (typeof key !== 'string') throw bad('node_key must be a string');
  return key;
}

function optionalString(body: Json, field: string): string {
  const value = body[field];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw bad(`${field} must be a string`);
  return value;
}

export interface EnrollRequest {
  readonly enrollSecret: string;
  readonly hostIdentifier: string;
  /** host_details tables, each a column → value map (values coerced to strings). */
  readonly hostDetails: Readonly<Record<string, ResultRow>>;
}

export function parseEnrollRequest(raw: unknown): EnrollRequest {
  const body = asObject(raw);
  const enrollSecret = optionalString(body, 'enroll_secret');
  const hostIdentifier = optionalString(body, 'host_identifier');
  const details: Record<string, ResultRow> = {};
  const rawDetails = body.host_details;
  if (rawDetails !== undefined && rawDetails !== null) {
    if (typeof rawDetails !== 'object' || Array.isArray(rawDetails)) throw bad('host_details must be an object of tables');
    for (const [table, columns] of Object.entries(rawDetails as Json)) {
      if (typeof columns !== 'object' || columns === null || Array.isArray(columns)) {
        throw bad(`host_details.${table} must be an object of columns`);
      }
      const row: Record<string, string> = {};
      for (const [column, value] of Object.entries(columns as Json)) {
        if (value !== null && typeof value === 'object') throw bad(`host_details.${table}.${column} must be a string`);
        row[column] = value === null || value === undefined ? '' : String(value);
      }
      details[table] = row;
    }
  }
  return { enrollSecret, hostIdentifier, hostDetails: details };
}

export interface WriteRequest {
  /** Query name → rows ('' or an unparseable value become [] as in Fleet). */
  readonly queries: ReadonlyMap<string, readonly ResultRow[]>;
  /** Query name → status (0 = ok). */
  readonly statuses: ReadonlyMap<string, number>;
}

function rowsOf(value: unknown): readonly ResultRow[] {
  if (!Array.isArray(value)) return [];
  const rows: ResultRow[] = [];
  for (const row of value) {
    if (typeof row === 'object' && row !== null && !Array.isArray(row)) rows.push(row as ResultRow);
  }
  return rows;
}

/**
 * A status as Fleet reads it (strconv.Atoi on the string form): an optional sign and digits only
 * (no spaces, no decimal point), within the safe integer range; a JSON number must be such an
 * integer too. Anything else is undefined (the request is refused).
 */
export function statusValue(status: unknown): number | undefined {
  if (typeof status === 'number') return Number.isSafeInteger(status) ? status : undefined;
  if (typeof status !== 'string' || !/^[+-]?\d+$/.test(status)) return undefined;
  const value = Number(status);
  return Number.isSafeInteger(value) ? value : undefined;
}

export function parseWriteRequest(body: Json): WriteRequest {
  const queries = new Map<string, readonly ResultRow[]>();
  const statuses = new Map<string, number>();
  const rawQueries = body.queries;
  if (rawQueries !== undefined && rawQueries !== null) {
    if (typeof rawQueries !== 'object' || Array.isArray(rawQueries)) throw bad('queries must be an object');
    for (const [name, rows] of Object.entries(rawQueries as Json)) queries.set(name, rowsOf(rows));
  }
  const rawStatuses = body.statuses;
  if (rawStatuses !== undefined && rawStatuses !== null) {
    if (typeof rawStatuses !== 'object' || Array.isArray(rawStatuses)) throw bad('statuses must be an object');
    for (const [name, status] of Object.entries(rawStatuses as Json)) {
      const value = statusValue(status);
      if (value === undefined) throw bad(`statuses.${name} must be an integer or a numeric string`);
      statuses.set(name, value);
    }
  }
  const messages = body.messages;
  if (messages !== undefined && messages !== null && (typeof messages !== 'object' || Array.isArray(messages))) {
    throw bad('messages must be an object');
  }
  return { queries, statuses };
}

export interface LogRequest {
  readonly logType: string;
  /** The log lines as sent (each read later: a bad line is dropped, never an error). */
  readonly data: readonly unknown[];
}

export function parseLogRequest(body: Json): LogRequest {
  // Go decodes an absent or null log_type as "" (then Fleet's unknown log type); another JSON type is a decode error.
  const logType = body.log_type ?? '';
  if (typeof logType !== 'string') throw bad('log_type must be a string');
  const data = body.data;
  if (data !== undefined && data !== null && !Array.isArray(data)) throw bad('data must be an array');
  return { logType, data: Array.isArray(data) ? data : [] };
}
