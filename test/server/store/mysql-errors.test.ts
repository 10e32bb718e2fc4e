import { describe, expect, it } from 'vitest';
import { osqsimError } from '../../../lib/errors.js';
import { isDeadlock, toStoreError } from '../../../server/store/mysql/errors.js';

function driverError(fields: Record<string, unknown>): Error {
  return Object.assign(new Error(String(fields.message ?? 'driver error')), fields);
}

describe('MySQL errors → catalogue', () => {
  it.each([
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:3306' }, 'STORE_UNAVAILABLE'],
    [{ code: 'PROTOCOL_CONNECTION_LOST', fatal: true }, 'STORE_UNAVAILABLE'],
    [{ code: 'ER_CON_COUNT_ERROR', errno: 1040 }, 'STORE_UNAVAILABLE'],
    [{ code: 'ER_LOCK_WAIT_TIMEOUT', errno: 1205 }, 'STORE_UNAVAILABLE'],
    [{ code: 'ER_LOCK_TABLE_FULL', errno: 1206 }, 'STORE_UNAVAILABLE'],
    [{ message: 'Pool is closed.' }, 'STORE_UNAVAILABLE'],
    [{ code: 'SOMETHING_NEW', fatal: true }, 'STORE_UNAVAILABLE'],
    [{ code: 'ER_DUP_ENTRY', errno: 1062, sqlMessage: "Duplicate entry 'x' for key 'idx_teams_name'" }, 'STORE_CONFLICT'],
    [{ code: 'ER_PARSE_ERROR', errno: 1064, sqlMessage: 'You have an error in your SQL syntax' }, 'INTERNAL'],
  ])('%o → %s', (fields, code) => {
    const mapped = toStoreError(driverError(fields));
    expect(mapped.code).toBe(code);
    expect(mapped.cause).toBeInstanceOf(Error);
  });

  it('passes catalogue errors through and retries only deadlocks', () => {
    const own = osqsimError('STORE_NOT_FOUND', { what: 'team 3' });
    expect(toStoreError(own)).toBe(own);
    expect(isDeadlock(driverError({ code: 'ER_LOCK_DEADLOCK' }))).toBe(true);
    expect(isDeadlock(driverError({ code: 'ER_LOCK_WAIT_TIMEOUT' }))).toBe(false);
  });
});
