import { afterAll, beforeAll, expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import { createStore } from '../../../server/store/index.js';
import { TABLES } from '../../../server/store/mysql/index.js';
import { sendInTransaction } from '../../../server/store/mysql/membership.js';
import { tx } from '../../../server/store/mysql/tx.js';
import { describeMysql } from '../../helpers/mysql.js';
import { vitalsContract } from './vitals-contract.js';

describeMysql('MySQL store (host vitals)', (db) => {
  let admin: mysql.Connection;
  beforeAll(async () => {
    const store = await createStore(db.url);
    await store.close();
    admin = await mysql.createConnection(db.url);
  });
  afterAll(async () => {
    await admin?.end();
  });

  vitalsContract('mysql', async () => {
    for (const table of TABLES) await admin.query(`DELETE FROM ${table}`);
    return createStore(db.url, { poolSize: 4 });
  });
});

describeMysql('MySQL ingest: a batch larger than one query travels in several round trips of one transaction', (db) => {
  it('commits all of it, or on a failure in a later round trip none of it', async () => {
    const store = await createStore(db.url);
    await store.close();
    const pool = mysql.createPool({ uri: db.url, multipleStatements: true, connectionLimit: 2 });
    try {
      const names = Array.from({ length: 40 }, (_, i) => `split-team-${i}`);
      const inserts = names.map((name) => `INSERT INTO teams (name, description, created_at) VALUES ('${name}', '', NOW(3))`);
      await tx(pool, (conn) => sendInTransaction(conn, ['START TRANSACTION', ...inserts, 'COMMIT'], 300), { inlineBeginCommit: true });
      const [rows] = await pool.query<mysql.RowDataPacket[]>("SELECT COUNT(*) AS n FROM teams WHERE name LIKE 'split-team-%'");
      expect(Number(rows[0]!.n)).toBe(40);
      const more = names.map((name) => `INSERT INTO teams (name, description, created_at) VALUES ('${name}-b', '', NOW(3))`);
      await expect(
        tx(pool, (conn) => sendInTransaction(conn, ['START TRANSACTION', ...more, 'INSERT INTO no_such_table VALUES (1)', 'COMMIT'], 300), { inlineBeginCommit: true }),
      ).rejects.toThrow(/no_such_table/);
      const [after] = await pool.query<mysql.RowDataPacket[]>("SELECT COUNT(*) AS n FROM teams WHERE name LIKE 'split-team-%-b'");
      expect(Number(after[0]!.n)).toBe(0);
    } finally {
      await pool.end();
    }
  });
});
