import { afterEach, describe, expect, it } from 'vitest';
import type { Pool } from 'mysql2/promise';
import { type Db, closeDb, openDb } from '../../../server/store/mysql/db.js';

/** mysql2 keeps the pool's options on the callback pool behind the promise wrapper. */
const limit = (pool: Pool): number => (pool as unknown as { pool: { config: { connectionLimit: number } } }).pool.config.connectionLimit;

describe('MySQL store pools', () => {
  const opened: Db[] = [];
  const open = (options?: Parameters<typeof openDb>[1]): Db => {
    const db = openDb('mysql://root@127.0.0.1:3306/osqsim_pools', options);
    opened.push(db);
    return db;
  };
  const before = process.env.OSQSIM_INGEST_POOL_SIZE;
  afterEach(async () => {
    await Promise.all(opened.splice(0).map(closeDb));
    if (before === undefined) delete process.env.OSQSIM_INGEST_POOL_SIZE;
    else process.env.OSQSIM_INGEST_POOL_SIZE = before;
  });

  it('sizes the pools from the options: 10 and 4 by default', () => {
    expect([limit(open().pool), limit(open().ingestPool)]).toEqual([10, 4]);
    const sized = open({ poolSize: 3, ingestPoolSize: 2 });
    expect([limit(sized.pool), limit(sized.ingestPool)]).toEqual([3, 2]);
  });

  it('reads no environment variable (the server passes ingestPoolSize)', () => {
    process.env.OSQSIM_INGEST_POOL_SIZE = '9';
    expect(limit(open().ingestPool)).toBe(4);
  });
});
