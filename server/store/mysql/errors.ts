/**
 * mysql2 errors → the catalogue. Anything that means "the database cannot be reached right now"
 * becomes STORE_UNAVAILABLE (503; the server stays up and the pool reconnects on its own).
 */
import { isOsqsimError, osqsimError, type OsqsimError } from '../../../lib/errors.js';

interface DriverError {
  code?: string;
  errno?: number;
  fatal?: boolean;
  message?: string;
  sqlMessage?: string;
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE',
  'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'PROTOCOL_ENQUEUE_AFTER_QUIT', 'PROTOCOL_ENQUEUE_HANDSHAKE_TWICE',
  'ER_CON_COUNT_ERROR', 'ER_TOO_MANY_USER_CONNECTIONS', 'ER_SERVER_SHUTDOWN', 'ER_NORMAL_SHUTDOWN',
  'ER_SHUTDOWN_COMPLETE', 'ER_CONNECTION_KILLED', 'ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR', 'ER_NET_READ_ERROR', 'ER_NET_READ_INTERRUPTED', 'ER_NET_WRITE_INTERRUPTED',
  'ER_NET_PACKETS_OUT_OF_ORDER', 'ER_NET_ERROR_ON_WRITE', 'ER_HOST_IS_BLOCKED', 'ER_OPTION_PREVENTS_STATEMENT',
  'ER_LOCK_WAIT_TIMEOUT', 'ER_LOCK_DEADLOCK', 'ER_CLIENT_INTERACTION_TIMEOUT',
  // The server ran out of a shared resource (e.g. a huge transaction elsewhere filled the lock table).
  'ER_LOCK_TABLE_FULL', 'ER_OUT_OF_RESOURCES', 'ER_OUTOFMEMORY', 'ER_CANT_CREATE_THREAD',
]);

const UNAVAILABLE_MESSAGES = [/pool is closed/i, /connection is in closed state/i, /connect etimedout/i];

/** A deadlock victim was rolled back at once and can simply run again (a lock-wait timeout already took ~50 s: not retried). */
export function isDeadlock(err: unknown): boolean {
  return (err as DriverError | undefined)?.code === 'ER_LOCK_DEADLOCK';
}

export function isDuplicate(err: unknown, key?: string): boolean {
  const e = err as DriverError | undefined;
  if (e?.code !== 'ER_DUP_ENTRY') return false;
  return key === undefined || (e.sqlMessage ?? e.message ?? '').includes(key);
}

export function isUnavailable(err: unknown): boolean {
  const e = err as DriverError | undefined;
  if (!e) return false;
  if (e.code !== undefined && UNAVAILABLE_CODES.has(e.code)) return true;
  if (e.fatal === true) return true;
  return UNAVAILABLE_MESSAGES.some((re) => re.test(e.message ?? ''));
}

/** Maps any error thrown by a store operation to an OsqsimError (catalogue errors pass through). */
export function toStoreError(err: unknown): OsqsimError {
  if (isOsqsimError(err)) return err;
  const e = err as DriverError;
  const reason = `${e?.code ? `${e.code}: ` : ''}${e?.sqlMessage ?? e?.message ?? String(err)}`;
  if (isUnavailable(err)) return osqsimError('STORE_UNAVAILABLE', { reason }, err);
  if (isDuplicate(err)) return osqsimError('STORE_CONFLICT', { what: 'a row with this key' }, err);
  return osqsimError('INTERNAL', { reason }, err);
}
