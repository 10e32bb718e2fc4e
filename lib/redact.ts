/**
 * Secrets never reach a result file, a report or a log line: a store URL keeps its user and loses
 * its password (`mysql://user:secret@host/db` → `mysql://user:***@host/db`).
 */

/** Masks the password of a URL-shaped store spec; anything else (`memory`) is returned as is. */
export function redactUrl(spec: string): string {
  return spec.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}

/** Field names whose values are credentials (snake_case as in files and bodies, camelCase as in code). */
export const SECRET_FIELDS: ReadonlySet<string> = new Set([
  'enroll_secret', 'enrollSecret', 'api_token', 'apiToken', 'node_key', 'nodeKey',
  'orbit_node_key', 'orbitNodeKey', 'device_auth_token', 'deviceAuthToken', 'password',
]);

/** What a redacted value reads as. */
export const REDACTED = '***';

/**
 * A copy of `value` with every secret field (SECRET_FIELDS) masked and every `store`-like URL's
 * password masked, at any depth: a scenario or spec echoed into result.json, a report or a log keeps
 * its shape and loses its credentials.
 */
export function redactSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => redactSecrets(item)) as T;
  if (value === null || typeof value !== 'object') return typeof value === 'string' ? (redactUrl(value) as T) : value;
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
    copy[key] = SECRET_FIELDS.has(key) && typeof field === 'string' && field !== '' ? REDACTED : redactSecrets(field);
  }
  return copy as T;
}
