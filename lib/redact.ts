/**
 * Secrets never reach a result file, a report or a log line: a store URL keeps its user and loses
 * its password (`mysql://user:secret@host/db` → `mysql://user:***@host/db`).
 */

/** Masks the password of a URL-shaped store spec; anything else (`memory`) is returned as is. */
export function redactUrl(spec: string): string {
  return spec.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}
