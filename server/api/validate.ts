/**
 * Request validation for the REST API: Fleet's policy payload checks (server/fleet/policies.go:
 * blank name, blank query, platform outside the allowed set, mutating SQL) plus osqsim's stricter
 * read-only rule, and small typed readers for JSON bodies and query strings.
 */
import { badRequest } from './errors.js';

export const ALLOWED_PLATFORMS: readonly string[] = ['darwin', 'windows', 'linux', 'chrome'];

/** Fleet's own messages (server/fleet/policies.go). */
export const POLICY_ERRORS = {
  emptyName: 'policy name cannot be empty',
  emptyQuery: 'policy query cannot be empty',
  invalidPlatform: 'invalid policy platform',
  invalidQuery: 'invalid policy query',
} as const;

/**
 * Keywords of statements that change state, rejected anywhere in the query (Fleet rejects only
 * ATTACH). REPLACE is also a SQLite function, so only `REPLACE INTO` counts. Transaction and
 * maintenance statements (BEGIN, COMMIT, RELEASE, VACUUM, …) are caught by the statement-start
 * rule instead, because some are real column names (`rpm_packages.release`).
 */
const MUTATING = /\b(INSERT|UPDATE|DELETE|ATTACH|DETACH|PRAGMA|CREATE|DROP|ALTER)\b|\bREPLACE\s+INTO\b/i;
const READ_START = /^\s*(SELECT|WITH|VALUES)\b/i;

/**
 * Removes comments and quoted text (string literals and quoted identifiers) so keywords inside
 * them do not count. Unterminated quotes or comments swallow the rest, as SQLite would reject them.
 */
export function stripSqlCommentsAndLiterals(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end;
      out += ' ';
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? sql.length : end + 2;
      out += ' ';
    } else if (c === "'" || c === '"' || c === '`' || c === '[') {
      const close = c === '[' ? ']' : c;
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === close) {
          if (close !== ']' && sql[j + 1] === close) j += 2; // doubled quote = escaped
          else break;
        } else j += 1;
      }
      i = j + 1;
      out += c === "'" ? " '' " : ' _q_ ';
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}

/** undefined when the SQL is one read-only statement; otherwise why not. */
export function readOnlyProblem(sql: string): string | undefined {
  const stripped = stripSqlCommentsAndLiterals(sql);
  const statements = stripped.split(';').filter((part) => part.trim() !== '');
  if (statements.length > 1) return 'only one SQL statement is allowed';
  const statement = statements[0] ?? '';
  const mutating = MUTATING.exec(statement);
  if (mutating) return `only read-only queries are allowed (found ${mutating[0].replace(/\s+/g, ' ').toUpperCase()})`;
  if (!READ_START.test(statement)) return 'the query must be a SELECT (or WITH … SELECT) statement';
  return undefined;
}

export interface PolicyFields {
  name?: string;
  query?: string;
  platform?: string;
  resolution?: string;
}

/**
 * Longest values the stores keep (the MySQL schema's column sizes, enforced for both stores so
 * they answer alike): a longer value is the client's mistake (400), not a database error (500).
 */
export const FIELD_LIMITS = {
  /** VARCHAR(255): characters. */
  policyName: 255,
  /** TEXT: bytes (UTF-8). */
  policyResolutionBytes: 65_535,
  teamName: 255,
  teamDescription: 1023,
  enrollSecret: 255,
} as const;

/** Length in characters (code points), as MySQL counts VARCHAR. */
export const charLength = (value: string): number => {
  let n = 0;
  for (const _ of value) n += 1;
  return n;
};

/** undefined when `value` fits `max` characters; otherwise the problem, naming the field. */
export function tooLongProblem(field: string, value: string | undefined, max: number): string | undefined {
  if (value === undefined) return undefined;
  const length = charLength(value);
  return length > max ? `${field} is too long (${length} characters; at most ${max})` : undefined;
}

/**
 * Fleet's Verify(): the first problem as Fleet words it (with osqsim's detail for SQL), or
 * undefined. `partial` = PATCH (only given fields are checked).
 */
export function policyProblem(fields: PolicyFields, partial: boolean): string | undefined {
  if (!partial || fields.name !== undefined) {
    if ((fields.name ?? '').trim() === '') return POLICY_ERRORS.emptyName;
    const long = tooLongProblem('policy name', fields.name?.normalize('NFC'), FIELD_LIMITS.policyName);
    if (long) return long;
  }
  if (!partial || fields.query !== undefined) {
    const query = fields.query ?? '';
    if (query.trim() === '') return POLICY_ERRORS.emptyQuery;
    const problem = readOnlyProblem(query);
    if (problem) return `${POLICY_ERRORS.invalidQuery}: ${problem}`;
  }
  if (fields.resolution !== undefined) {
    const bytes = Buffer.byteLength(fields.resolution, 'utf8');
    if (bytes > FIELD_LIMITS.policyResolutionBytes) {
      return `policy resolution is too long (${bytes} bytes; at most ${FIELD_LIMITS.policyResolutionBytes})`;
    }
  }
  if (fields.platform !== undefined && fields.platform !== '') {
    for (const item of fields.platform.split(',')) {
      if (!ALLOWED_PLATFORMS.includes(item.trim())) {
        return `${POLICY_ERRORS.invalidPlatform}: "${item.trim()}" is not one of ${ALLOWED_PLATFORMS.join(', ')}`;
      }
    }
  }
  return undefined;
}

// --- typed body / query readers -------------------------------------------------------------

export type JsonObject = Record<string, unknown>;

export function asObject(body: unknown, what = 'request body'): JsonObject {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest(`${what} must be a JSON object`);
  }
  return body as JsonObject;
}

export function optionalString(body: JsonObject, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badRequest(`invalid field "${key}": expected a string`);
  return value;
}

export function optionalBoolean(body: JsonObject, key: string): boolean | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw badRequest(`invalid field "${key}": expected true or false`);
  return value;
}

export function idList(body: JsonObject, key = 'ids'): number[] {
  const value = body[key];
  if (!Array.isArray(value)) throw badRequest(`invalid field "${key}": expected an array of ids`);
  return value.map((item) => {
    if (typeof item !== 'number' || !Number.isInteger(item) || item <= 0) {
      throw badRequest(`invalid field "${key}": ${JSON.stringify(item)} is not a positive integer id`);
    }
    return item;
  });
}

/** A path id: a positive integer (or 0 where `allowZero`). */
export function pathId(raw: string | undefined, what: string, allowZero = false): number {
  const value = raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || (value === 0 && !allowZero)) throw badRequest(`invalid ${what} id "${raw ?? ''}"`);
  return value;
}

/** A non-negative integer from the query string, or undefined when absent. */
export function queryInt(query: Record<string, unknown>, key: string): number | undefined {
  const raw = query[key];
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw badRequest(`invalid query parameter ${key}=${JSON.stringify(raw)}: expected a non-negative integer`);
  }
  return Number(raw);
}

export function queryString(query: Record<string, unknown>, key: string): string | undefined {
  const raw = query[key];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') throw badRequest(`invalid query parameter ${key}: given more than once`);
  return raw;
}

/** Fleet's default page size when `page` is given without `per_page` (listOptionsFromRequest). */
export const DEFAULT_PER_PAGE = 20;

/**
 * Fleet's list paging: no `page`/`per_page` = everything; `per_page` must be ≥ 1 (0 is a 400, as
 * Fleet's "invalid per_page value"); `page` (0-based) without `per_page` pages by 20, because a
 * client that asks for a page means paging.
 */
export function listPaging(query: Record<string, unknown>): { page: number; perPage: number | undefined } {
  const perPage = queryInt(query, 'per_page');
  const page = queryInt(query, 'page');
  if (perPage === 0) throw badRequest('invalid per_page value: must be at least 1');
  if (perPage === undefined) return { page: page ?? 0, perPage: page === undefined ? undefined : DEFAULT_PER_PAGE };
  return { page: page ?? 0, perPage };
}
